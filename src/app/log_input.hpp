#pragma once
// app-private: reading mail logs for `maildiag log` — plain files, gzip rotations (zlib), stdin —
// line by line with a bounded buffer, and following a growing file across rotations.

#include "maildiag/log/time.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::app::logio {

using LineFn = std::function<void(std::string_view)>;

struct InputStats {
  std::uint64_t bytes = 0;       ///< bytes after decompression
  std::uint64_t lines = 0;
  std::uint64_t long_lines = 0;  ///< lines cut at kMaxLine
};

/// Lines longer than this are cut (the rest up to the newline is skipped and counted).
inline constexpr std::size_t kMaxLine = 64 * 1024;

/// Reads a whole input ("-" = stdin; gzip is recognised by its magic bytes) and calls on_line for
/// every line (without the newline). False with error set when the input cannot be opened or read.
bool read_lines(const std::string& path, const LineFn& on_line, InputStats& stats, std::string* error);

/// Puts rotated logs of one base name in time order: mail.log.3.gz, mail.log.2.gz, mail.log.1,
/// mail.log (and dateext names mail.log-20261122.gz before mail.log). Inputs with different base
/// names keep the order given.
std::vector<std::string> order_rotations(std::vector<std::string> files);

/// The system's mail log when none is given: the first of /var/log/mail.log (Debian),
/// /var/log/maillog (RHEL, BSD), /var/log/mail (SUSE) that exists; empty when none does.
std::string default_log();

/// Follows a growing plain file like `tail -F`: new lines as they are written, a truncated file
/// read again from the start, a rotated file (new inode at the path) finished and then reopened.
class Follower {
 public:
  /// from_start: read what is there first; otherwise start at the end.
  static std::unique_ptr<Follower> open(const std::string& path, bool from_start, std::string* error);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  /// Reads everything available now (complete lines only); checks for rotation/truncation.
  void poll(const LineFn& on_line);
  [[nodiscard]] const InputStats& stats() const { return stats_; }
  [[nodiscard]] std::uint64_t rotations() const { return rotations_; }

 private:
  Follower() = default;
  void drain(const LineFn& on_line);
  void reopen_if_rotated(const LineFn& on_line);
  std::string path_;
  int fd_ = -1;
  std::uint64_t dev_ = 0;
  std::uint64_t ino_ = 0;
  std::uint64_t offset_ = 0;
  std::string partial_;
  bool skipping_ = false;
  InputStats stats_;
  std::uint64_t rotations_ = 0;
};

/// Now and the local zone's offset, for placing year-less and zone-less log and queue times.
log::TimeContext clock_context();

}  // namespace maildiag::app::logio
