#include "maildiag/smtp/data.hpp"

namespace maildiag::smtp {

EncodedMessage encode_message(std::string_view content) {
  EncodedMessage m;
  m.wire.reserve(content.size() + content.size() / 32 + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char ch = content[i];
    if (line_start) {
      ++m.lines;
      if (ch == '.') {
        m.wire += '.';
        ++m.stuffed;
      }
      line_start = false;
    }
    if (ch == '\r' || ch == '\n') {
      const bool crlf = ch == '\r' && i + 1 < content.size() && content[i + 1] == '\n';
      if (crlf) ++i;
      else ++m.fixed_line_ends;
      m.wire += "\r\n";
      line_start = true;
      continue;
    }
    if (static_cast<unsigned char>(ch) >= 0x80) m.eight_bit = true;
    m.wire += ch;
  }
  if (!line_start) m.wire += "\r\n";  // content must end in CRLF before the terminator
  m.bytes = m.wire.size();
  m.wire += ".\r\n";
  return m;
}

Command message(std::string_view content) {
  auto m = encode_message(content);
  Command c;
  c.verb = Verb::message;
  c.display = "<message: " + std::to_string(m.lines) + " lines, " + std::to_string(m.bytes) + " bytes>";
  c.wire = std::move(m.wire);
  return c;
}

}  // namespace maildiag::smtp
