#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using maildiag::test::run_maildiag;

namespace {
std::set<std::string> long_options(const std::string& help) {
  std::set<std::string> out;
  static const std::regex re(R"((^|[\s,])(--[a-z0-9][a-z0-9-]*))");
  for (std::sregex_iterator it(help.begin(), help.end(), re), end; it != end; ++it) out.insert((*it)[2]);
  return out;
}

std::vector<std::string> subcommands() {
  auto r = run_maildiag({"--help"});
  std::vector<std::string> subs;
  const auto from = r.out.find("Subcommands:\n");
  const auto to = r.out.find("Examples:");
  static const std::regex re(R"(\n  ([a-z0-9-]+) )");
  const std::string block = r.out.substr(from, to - from);
  for (std::sregex_iterator it(block.begin(), block.end(), re), end; it != end; ++it) subs.push_back((*it)[1]);
  return subs;
}
}  // namespace

TEST_CASE("the man page and completions name every option --help shows", "[cli][docs]") {
  const auto man = run_maildiag({"manpage"});
  const auto bash = run_maildiag({"completion", "bash"});
  const auto zsh = run_maildiag({"completion", "zsh"});
  REQUIRE(man.exit_code == 0);
  REQUIRE(bash.exit_code == 0);
  REQUIRE(zsh.exit_code == 0);
  CHECK(man.out.rfind(".TH MAILDIAG 1", 0) == 0);
  CHECK(bash.out.find("complete -F _maildiag maildiag") != std::string::npos);
  CHECK(zsh.out.rfind("#compdef maildiag", 0) == 0);

  auto subs = subcommands();
  REQUIRE(subs.size() >= 2);
  for (const auto& sub : subs) {
    INFO("subcommand " << sub);
    CHECK(man.out.find(".SS \"maildiag " + sub + "\"") != std::string::npos);
    CHECK(bash.out.find("    " + sub + ") ") != std::string::npos);
    for (const auto& opt : long_options(run_maildiag({sub, "--help"}).out)) {
      INFO("option " << opt);
      std::string roff;
      for (char c : opt) roff += c == '-' ? std::string("\\-") : std::string(1, c);
      CHECK(man.out.find(roff) != std::string::npos);
      CHECK(bash.out.find(opt) != std::string::npos);
      CHECK(zsh.out.find(opt) != std::string::npos);
    }
  }
}
