#pragma once
// app-private: runs `postqueue` (no shell) with a deadline and a cap on its output.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace maildiag::app::queueio {

struct CommandResult {
  bool started = false;     ///< false: the program could not be run (error says why)
  bool timed_out = false;   ///< killed at the deadline
  bool truncated = false;   ///< output beyond the cap was dropped (and the child killed)
  int exit_code = -1;       ///< -1 when killed by a signal
  std::string out;
  std::string err;          ///< first KiB of stderr
  std::string error;
};

/// Runs argv[0] (looked up on PATH, then in /usr/sbin and /usr/local/sbin) with argv, stdin from
/// /dev/null, until it exits or the deadline passes.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                          std::size_t max_output);

}  // namespace maildiag::app::queueio
