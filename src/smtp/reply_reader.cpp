#include "maildiag/smtp/reply_reader.hpp"

#include "maildiag/util/text.hpp"

#include <cctype>

namespace maildiag::smtp {

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::line_too_long: return "line-too-long";
    case ErrorKind::too_many_lines: return "too-many-lines";
    case ErrorKind::malformed_line: return "malformed-line";
    case ErrorKind::mixed_codes: return "mixed-codes";
    case ErrorKind::invalid_code: return "invalid-code";
    case ErrorKind::control_bytes: return "control-bytes";
    case ErrorKind::unsolicited_reply: return "unsolicited-reply";
    case ErrorKind::data_after_starttls: return "data-after-starttls";
    case ErrorKind::eof_mid_reply: return "eof-mid-reply";
  }
  return "unknown";
}

void ReplyReader::fail(ErrorKind k, std::string message) {
  error_ = ReaderError{k, std::move(message)};
  line_.clear();
  lines_.clear();
}

std::size_t ReplyReader::feed(std::string_view bytes) {
  if (error_ || done_) return 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto nl = bytes.find('\n', i);
    const auto piece = bytes.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    // +1: the CR of a CRLF may already sit at the end of line_.
    if (line_.size() + piece.size() > limits_.max_line + 1) {
      fail(ErrorKind::line_too_long, "reply line longer than " + std::to_string(limits_.max_line) +
                                         " bytes (limit; RFC 5321 allows 512)");
      return nl == std::string_view::npos ? bytes.size() : nl + 1;
    }
    line_.append(piece);
    if (nl == std::string_view::npos) return bytes.size();
    i = nl + 1;
    const bool bare_lf = line_.empty() || line_.back() != '\r';
    if (!bare_lf) line_.pop_back();
    end_line(bare_lf);
    if (error_ || done_) return i;
  }
  return i;
}

void ReplyReader::end_line(bool bare_lf) {
  std::string l = std::move(line_);
  line_.clear();
  if (l.size() > limits_.max_line) {
    fail(ErrorKind::line_too_long,
         "reply line longer than " + std::to_string(limits_.max_line) + " bytes (limit; RFC 5321 allows 512)");
    return;
  }
  if (bare_lf) ++bare_lf_;
  if (l.find('\0') != std::string::npos || l.find('\r') != std::string::npos) {
    fail(ErrorKind::control_bytes, "reply line contains a NUL byte or a bare CR: \"" + util::sanitize(l, 60) + "\"");
    return;
  }
  const bool digits = l.size() >= 3 && std::isdigit(static_cast<unsigned char>(l[0])) != 0 &&
                      std::isdigit(static_cast<unsigned char>(l[1])) != 0 &&
                      std::isdigit(static_cast<unsigned char>(l[2])) != 0;
  if (!digits || (l.size() > 3 && l[3] != ' ' && l[3] != '-')) {
    fail(ErrorKind::malformed_line, "not an SMTP reply line (expected \"NNN text\"): \"" + util::sanitize(l, 60) + "\"");
    return;
  }
  const int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
  if (code_ != 0 && code != code_) {
    fail(ErrorKind::mixed_codes, "continuation line has code " + std::to_string(code) + " inside a " +
                                     std::to_string(code_) + " reply");
    return;
  }
  if (!codes::is_valid_code(code)) {
    fail(ErrorKind::invalid_code, "reply code " + std::to_string(code) + " is not a valid SMTP code (2xx-5xx)");
    return;
  }
  code_ = code;
  const bool more = l.size() > 3 && l[3] == '-';
  lines_.push_back(std::move(l));
  if (lines_.size() > limits_.max_lines) {
    fail(ErrorKind::too_many_lines, "reply has more than " + std::to_string(limits_.max_lines) + " lines (limit)");
    return;
  }
  if (more) return;

  std::string joined;
  for (const auto& x : lines_) {
    if (!joined.empty()) joined += "\r\n";
    joined += x;
  }
  lines_.clear();
  code_ = 0;
  codes::ReplyParseError err;
  auto r = codes::parse_reply(joined, &err);
  if (!r) {
    fail(ErrorKind::malformed_line, err.message);
    return;
  }
  done_ = std::move(r);
}

std::optional<codes::Reply> ReplyReader::take() {
  auto r = std::move(done_);
  done_.reset();
  return r;
}

}  // namespace maildiag::smtp
