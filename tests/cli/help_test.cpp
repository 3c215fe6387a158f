#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using maildiag::test::run_maildiag;

TEST_CASE("--help lists every subcommand with an example line and the exit codes", "[cli][help]") {
  auto r = run_maildiag({"--help"});
  CHECK(r.exit_code == 0);
  const auto subs_at = r.out.find("Subcommands:");
  const auto ex_at = r.out.find("Examples:");
  REQUIRE(subs_at != std::string::npos);
  REQUIRE(ex_at != std::string::npos);
  std::istringstream in(r.out.substr(subs_at, ex_at - subs_at));
  std::string line;
  std::getline(in, line);  // "Subcommands:"
  int n = 0;
  while (std::getline(in, line)) {
    if (line.size() < 3 || line[2] == ' ') continue;
    const std::string name = line.substr(2, line.find(' ', 2) - 2);
    INFO("subcommand " << name);
    CHECK(r.out.find("\n  maildiag " + name, ex_at) != std::string::npos);
    auto sub = run_maildiag({name, "--help"});
    CHECK(sub.exit_code == 0);
    CHECK(sub.out.find("Examples:") != std::string::npos);
    ++n;
  }
  CHECK(n >= 1);
  CHECK(r.out.find("3 UNKNOWN") != std::string::npos);
}
