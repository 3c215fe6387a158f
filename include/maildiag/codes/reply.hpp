#pragma once
/// SMTP replies (RFC 5321 §4.2): three-digit code, optional enhanced code, one or more lines.

#include "maildiag/codes/enhanced.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::codes {

struct Reply {
  int code = 0;                           ///< 200..599
  std::optional<EnhancedCode> enhanced;   ///< from the first line's text, when present
  std::vector<std::string> lines;         ///< text of each line after "NNN-"/"NNN " (enhanced code kept)
  /// The lines joined with a space, each line's leading enhanced code removed after the first.
  [[nodiscard]] std::string text() const;
  /// The reply as it went over the wire: "250-a\r\n250 b" joined with '\n' (no final newline).
  [[nodiscard]] std::string wire() const;
  [[nodiscard]] int reply_class() const { return code / 100; }
};

struct ReplyParseError {
  std::string message;   ///< one line, e.g. "no three-digit reply code"
};

/// Parses a complete reply given as text (one or more lines; "250-..."/"250 ..." continuation).
/// Also accepts a bare code ("550"), a code with an enhanced code ("550 5.1.1") and a bare
/// enhanced code ("5.1.1", code 0 then). Lines of different codes are an error.
/// Returns nullopt and fills err on failure.
std::optional<Reply> parse_reply(std::string_view text, ReplyParseError* err = nullptr);

/// True for a valid RFC 5321 code: first digit 2-5, second 0-5, third 0-9.
bool is_valid_code(int code);
/// RFC 5321 §4.2 / RFC 4954 / RFC 7504 meaning of the basic code, or the class meaning when
/// the exact code is not standard.
std::string_view code_meaning(int code);
/// True when the exact code is defined by a standard (RFC 5321, 4954, 7504, 3030...).
bool is_standard_code(int code);

}  // namespace maildiag::codes
