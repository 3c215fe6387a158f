#pragma once
/// A bounded line framer fed bytes: lines end at LF (CRLF or bare LF, reported apart; a lone CR stays
/// inside the line), with limits on line length, line count and total bytes. Pure (no sockets, no clock), so protocol engines in core areas and
/// the probe's banner reader share it (the curl pingpong lesson: one small framer, limits enforced
/// in one place, leftover bytes visible for the STARTTLS check).
///
/// Usage:
/// ```
///   util::LineReader r({.max_line = 4096, .max_lines = 100, .max_bytes = 65536});
///   r.feed(bytes);                          // as they come from the network, any split
///   while (auto line = r.next()) use(line->text);
///   if (r.error() != LineReader::Error::none) -> peer misbehaved (bounded, never a hang)
///   r.buffered()                            // bytes after the last complete line (STARTTLS check)
/// ```
/// Once a limit is hit the reader stops: feed() discards, next() returns the lines completed
/// before the violation and then nullopt, error() says which limit, partial() shows (a bounded
/// prefix of) the offending line.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace maildiag::util {

struct LineLimits {
  std::size_t max_line = 8192;        ///< bytes in one line, terminator excluded
  std::size_t max_lines = 10'000;     ///< complete lines over the reader's life (until reset_counts)
  std::size_t max_bytes = 16u << 20;  ///< bytes fed over the reader's life (until reset_counts)
};

class LineReader {
 public:
  enum class Error { none, line_too_long, too_many_lines, too_many_bytes };
  enum class Ending { crlf, lf };

  struct Line {
    std::string text;    ///< without the terminator; may contain any byte (sanitize before printing)
    Ending ending = Ending::crlf;
    bool has_nul = false;  ///< a NUL byte inside (a smuggling / garbage indicator)
  };

  explicit LineReader(LineLimits limits = {}) : limits_(limits) {}

  /// Adds bytes. Returns false once a limit is exceeded (now or earlier); the bytes past the limit
  /// are dropped.
  bool feed(std::string_view bytes);
  /// The next complete line, or nullopt when none is complete (or after an error).
  std::optional<Line> next();
  [[nodiscard]] Error error() const { return error_; }
  /// Bytes fed but not yet returned as lines: complete lines not taken yet plus the partial tail.
  [[nodiscard]] std::size_t buffered() const;
  /// The partial tail (bytes after the last terminator), at most max_line bytes.
  [[nodiscard]] std::string_view partial() const { return tail_; }
  /// Removes and returns everything buffered (queued lines re-joined with their terminators, then
  /// the tail): what was left over, e.g. bytes that followed a STARTTLS reply.
  std::string take_buffered();
  [[nodiscard]] std::size_t lines_seen() const { return lines_; }
  [[nodiscard]] std::size_t bytes_seen() const { return bytes_; }
  /// Starts counting lines and bytes afresh (e.g. per reply); keeps buffered data and errors.
  void reset_counts();
  [[nodiscard]] const LineLimits& limits() const { return limits_; }

 private:
  LineLimits limits_;
  std::deque<Line> ready_;
  std::string tail_;
  std::size_t lines_ = 0;
  std::size_t bytes_ = 0;
  Error error_ = Error::none;

  void complete_line(Ending ending);
};

std::string_view to_string(LineReader::Error e);  ///< "none", "line too long", ...

}  // namespace maildiag::util
