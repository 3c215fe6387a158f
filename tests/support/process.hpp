#pragma once
// Runs a program (normally the built maildiag) with arguments, stdin and extra environment,
// and captures stdout, stderr and the exit code. Bounded by a timeout (the child is killed).

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace maildiag::test {

struct ProcessResult {
  int exit_code = -1;        ///< -1 when killed by a signal or the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
  double elapsed_ms = 0;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_data = {},
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Runs the built maildiag binary with args (NO_COLOR set, so output is plain).
ProcessResult run_maildiag(const std::vector<std::string>& args, const std::string& stdin_data = {},
                           const std::map<std::string, std::string>& env = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Parses NDJSON (one JSON document per non-empty line), as `--json` prints it.
std::vector<nlohmann::json> ndjson(const std::string& out);

}  // namespace maildiag::test
