#pragma once
/// Frames server bytes into SMTP replies: lines ended by CRLF (bare LF tolerated and counted),
/// "NNN-" continuation lines assembled until the "NNN " line, across any number of reads.
/// Bounded: a line longer than Limits::max_line or a reply of more than Limits::max_lines lines
/// is an error, found as soon as the bytes arrive (nothing waits for a newline that never comes).
/// Pure; no I/O.

#include "maildiag/codes/reply.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::smtp {

struct Limits {
  std::size_t max_line = 4096;   ///< bytes per reply line without CRLF (RFC 5321 says 512; servers exceed it)
  std::size_t max_lines = 1000;  ///< lines per reply
};

enum class ErrorKind {
  line_too_long,        ///< a reply line exceeds Limits::max_line
  too_many_lines,       ///< a reply exceeds Limits::max_lines
  malformed_line,       ///< a line without a three-digit code and ' ' or '-'
  mixed_codes,          ///< continuation lines with different codes
  invalid_code,         ///< a code outside 2xx-5xx
  control_bytes,        ///< NUL or a bare CR inside a reply line
  unsolicited_reply,    ///< a reply (other than 421) while no command was outstanding
  data_after_starttls,  ///< bytes after the 220 to STARTTLS, before the TLS handshake (CVE-2021-22947 class)
  eof_mid_reply,        ///< the connection closed inside a reply
};
std::string_view to_string(ErrorKind k);

struct ReaderError {
  ErrorKind kind;
  std::string message;   ///< one line, sanitised
};

class ReplyReader {
 public:
  explicit ReplyReader(Limits limits = {}) : limits_(limits) {}

  /// Consumes bytes up to and including the end of the next complete reply. Returns how many
  /// bytes of `bytes` were used; a complete reply (or an error) is then available from take().
  /// Stops after each reply so the caller can act before later bytes (STARTTLS).
  std::size_t feed(std::string_view bytes);
  /// The completed reply, once; nullopt when none is complete yet.
  std::optional<codes::Reply> take();
  [[nodiscard]] const std::optional<ReaderError>& error() const { return error_; }
  /// True while part of a line or of a multi-line reply is buffered.
  [[nodiscard]] bool partial() const { return !line_.empty() || !lines_.empty(); }
  /// Lines so far that ended in a bare LF instead of CRLF (a server bug worth a note).
  [[nodiscard]] std::size_t bare_lf_lines() const { return bare_lf_; }
  [[nodiscard]] const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  std::string line_;                 // the current, unterminated line
  std::vector<std::string> lines_;   // complete lines of the current reply ("NNN-text")
  int code_ = 0;
  std::optional<codes::Reply> done_;
  std::optional<ReaderError> error_;
  std::size_t bare_lf_ = 0;

  void end_line(bool bare_lf);
  void fail(ErrorKind k, std::string message);
};

}  // namespace maildiag::smtp
