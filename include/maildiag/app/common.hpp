#pragma once
/// Options every network subcommand shares, set from the global CLI flags.

#include <chrono>
#include <string>
#include <vector>

namespace maildiag::app {

enum class Family { any, v4, v6 };

struct CommonOptions {
  std::chrono::milliseconds timeout{10'000};   ///< --timeout: overall per-step budget
  std::vector<std::string> dns_servers;        ///< --dns-server HOST[:PORT], in order
  Family family = Family::any;                 ///< -4 / -6
  int verbose = 0;                             ///< -v count
  bool json = false;                           ///< --json (runners may stream NDJSON)
};

}  // namespace maildiag::app
