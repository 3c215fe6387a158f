// RFC 2047 encoded words and the two transfer decodings they use (base64, quoted-printable).

#include "maildiag/message/charset.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace maildiag::message {

namespace {

constexpr std::size_t kMaxCharsetLabel = 64;

constexpr std::array<signed char, 256> make_base64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  }
  return t;
}
constexpr auto kBase64 = make_base64_table();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_lwsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool all_lwsp(std::string_view s) {
  for (char c : s) {
    if (!is_lwsp(c)) return false;
  }
  return true;
}

/// Characters a charset label may hold (RFC 2047 token, plus '*' for RFC 2231 language tags).
bool is_charset_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 32 && u < 127 && c != '?' && c != '=' && c != '"' && c != '(' && c != ')' && c != ',';
}

/// Removes folds (CR/LF and the whitespace after them) from an encoded word's text; a raw value
/// that was never unfolded can carry them inside a long word.
std::string drop_folds(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') {
      while (i + 1 < text.size() && is_lwsp(text[i + 1])) ++i;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

struct Word {
  std::size_t end = 0;       ///< offset just after "?="
  std::string_view charset;  ///< label without the RFC 2231 language
  std::string bytes;         ///< the decoded payload, still in `charset`
};

/// Finds the first "?=" at or after `from`, remembering the answer so that a value full of
/// unterminated "=?" costs linear time, not quadratic.
class CloseFinder {
 public:
  explicit CloseFinder(std::string_view s) : s_(s) {}
  std::size_t at_or_after(std::size_t from) {
    if (cached_ == std::string_view::npos || cached_ < from) {
      if (exhausted_) return std::string_view::npos;
      cached_ = s_.find("?=", from);
      if (cached_ == std::string_view::npos) exhausted_ = true;
    }
    return cached_;
  }

 private:
  std::string_view s_;
  std::size_t cached_ = std::string_view::npos;
  bool exhausted_ = false;
};

/// Parses the encoded word starting at s[p] ("=?"). nullopt when it is not a well-formed word.
std::optional<Word> parse_word(std::string_view s, std::size_t p, CloseFinder& closes) {
  std::size_t i = p + 2;
  const std::size_t cs_begin = i;
  while (i < s.size() && is_charset_char(s[i]) && i - cs_begin <= kMaxCharsetLabel) ++i;
  if (i == cs_begin || i >= s.size() || s[i] != '?' || i - cs_begin > kMaxCharsetLabel) return std::nullopt;
  std::string_view charset = s.substr(cs_begin, i - cs_begin);
  if (const auto star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);
  if (charset.empty() || i + 2 >= s.size() || s[i + 2] != '?') return std::nullopt;
  const char enc = s[i + 1];
  if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') return std::nullopt;
  const std::size_t text_begin = i + 3;
  const std::size_t close = closes.at_or_after(text_begin);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view text = s.substr(text_begin, close - text_begin);
  if (text.find("=?") != std::string_view::npos) return std::nullopt;  // runs into the next word
  Word w;
  w.end = close + 2;
  w.charset = charset;
  const std::string unfolded = drop_folds(text);
  if (enc == 'B' || enc == 'b') {
    auto bytes = decode_base64(unfolded);
    if (!bytes) return std::nullopt;
    w.bytes = std::move(*bytes);
  } else {
    w.bytes = decode_quoted_printable(unfolded, true);
  }
  return w;
}

/// Builds the decoded value: adjacent words in one charset are joined as bytes before conversion
/// (mailers split multibyte characters across words), text between words is kept as it is.
class Assembler {
 public:
  explicit Assembler(std::string_view raw_charset) : raw_charset_(raw_charset) {}

  void word(const Word& w) {
    if (pending_ && !util::iequals(pending_charset_, w.charset)) flush();
    if (!pending_) {
      pending_ = true;
      pending_charset_ = w.charset;
      pending_bytes_.clear();
    }
    pending_bytes_ += w.bytes;
  }

  /// Text outside encoded words; whitespace between two words is dropped (RFC 2047 section 6.2).
  void literal(std::string_view text, bool before_word) {
    if (text.empty()) return;
    if (pending_ && before_word && all_lwsp(text)) return;
    flush();
    if (util::is_ascii(text)) {  // what to_utf8(text, "utf-8") gives for it, without its copies
      out_.text += text;
      return;
    }
    Decoded d = to_utf8(text, "utf-8");
    if (!d.ok && !raw_charset_.empty()) d = to_utf8(text, raw_charset_);
    out_.text += d.text;
    out_.ok = out_.ok && d.ok;
  }

  Decoded finish() {
    flush();
    return std::move(out_);
  }

 private:
  void flush() {
    if (!pending_) return;
    Decoded d = to_utf8(pending_bytes_, pending_charset_);
    out_.text += d.text;
    out_.ok = out_.ok && d.ok;
    pending_ = false;
  }

  std::string_view raw_charset_;
  Decoded out_;
  bool pending_ = false;
  std::string_view pending_charset_;
  std::string pending_bytes_;
};

}  // namespace

std::optional<std::string> decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  unsigned acc = 0;
  std::size_t data = 0;     // base64 characters seen
  std::size_t padding = 0;  // '=' seen (only allowed at the end)
  for (char c : in) {
    if (is_lwsp(c) || c == '\f' || c == '\v') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = kBase64[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    ++data;
    if (data % 4 == 0) {
      out.push_back(static_cast<char>((acc >> 16) & 0xFF));
      out.push_back(static_cast<char>((acc >> 8) & 0xFF));
      out.push_back(static_cast<char>(acc & 0xFF));
      acc = 0;
    }
  }
  const std::size_t tail = data % 4;
  if (tail == 1) return std::nullopt;
  // Missing padding is tolerated (common in the wild); wrong padding is not.
  if (padding > 0 && (tail == 0 || (tail + padding) != 4)) return std::nullopt;
  if (tail == 2) {
    out.push_back(static_cast<char>((acc >> 4) & 0xFF));
  } else if (tail == 3) {
    out.push_back(static_cast<char>((acc >> 10) & 0xFF));
    out.push_back(static_cast<char>((acc >> 2) & 0xFF));
  }
  return out;
}

std::string decode_quoted_printable(std::string_view in, bool header_q) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (header_q && c == '_') {
      out.push_back(' ');
      continue;
    }
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
      continue;
    }
    if (!header_q) {  // soft line break: '=' then optional trailing blanks then the line end
      std::size_t j = i + 1;
      while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
      if (j < in.size() && (in[j] == '\r' || in[j] == '\n')) {
        if (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n') ++j;
        i = j;
        continue;
      }
      if (j == in.size()) break;  // '=' at the very end: a soft break without a newline
    }
    out.push_back('=');  // not an escape: keep the byte as it is
  }
  return out;
}

Decoded decode_rfc2047(std::string_view header_value) { return decode_rfc2047(header_value, {}); }

Decoded decode_rfc2047(std::string_view value, std::string_view raw_charset) {
  std::size_t first = value.find("=?");
  if (first == std::string_view::npos) {
    Assembler a(raw_charset);
    a.literal(value, false);
    return a.finish();
  }
  Assembler a(raw_charset);
  CloseFinder closes(value);
  std::size_t literal_start = 0;
  std::size_t i = first;
  while (i != std::string_view::npos && i < value.size()) {
    auto w = parse_word(value, i, closes);
    if (!w) {
      i = value.find("=?", i + 1);
      continue;
    }
    a.literal(value.substr(literal_start, i - literal_start), true);
    a.word(*w);
    literal_start = w->end;
    i = value.find("=?", w->end);
  }
  a.literal(value.substr(literal_start), false);
  return a.finish();
}

}  // namespace maildiag::message
