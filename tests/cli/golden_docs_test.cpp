// docs/<subcommand>.md names every option that `maildiag <subcommand> --help` lists, so the
// per-subcommand pages cannot fall behind the CLI (the man page and completions are generated
// from the same definitions and checked by docgen_test.cpp).

#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using maildiag::test::run_maildiag;

namespace {

/// Long options of the "Options:" block of a --help text (descriptions are not searched).
std::set<std::string> listed_options(const std::string& help) {
  std::set<std::string> out;
  static const std::regex opt(R"(^  (?:-[a-zA-Z0-9],)?(--[a-z0-9][a-z0-9-]*))");
  std::istringstream in(help);
  std::string line;
  bool in_options = false;
  while (std::getline(in, line)) {
    if (line == "Options:") {
      in_options = true;
      continue;
    }
    if (in_options && !line.empty() && line.front() != ' ') break;
    std::smatch m;
    if (in_options && std::regex_search(line, m, opt) && m[1] != "--help") out.insert(m[1]);
  }
  return out;
}

std::vector<std::string> subcommands() {
  const auto r = run_maildiag({"--help"});
  std::vector<std::string> subs;
  const auto from = r.out.find("Subcommands:\n");
  const auto to = r.out.find("\n\n", from);
  static const std::regex re(R"(\n  ([a-z0-9-]+) )");
  const std::string block = r.out.substr(from, to - from);
  for (std::sregex_iterator it(block.begin(), block.end(), re), end; it != end; ++it) subs.push_back((*it)[1]);
  return subs;
}

}  // namespace

TEST_CASE("docs: every subcommand has a page naming every option of its --help", "[cli][docs][golden]") {
  const auto subs = subcommands();
  REQUIRE(subs.size() >= 10);
  for (const auto& sub : subs) {
    INFO("subcommand " << sub);
    const auto page = std::filesystem::path(MAILDIAG_SOURCE_DIR) / "docs" / (sub + ".md");
    REQUIRE(std::filesystem::exists(page));
    std::ifstream in(page);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    CHECK(doc.find("```") != std::string::npos);  // at least one example
    const auto help = run_maildiag({sub, "--help"});
    REQUIRE(help.exit_code == 0);
    for (const auto& opt : listed_options(help.out)) {
      INFO("option " << opt << " (docs/" << sub << ".md)");
      // Written as `--opt`, `--opt VALUE`, `--opt=...` or `--opt|...` in a table or the text.
      static const std::string kAfter = "` =,|";
      bool found = false;
      for (std::size_t p = doc.find("`" + opt); p != std::string::npos && !found; p = doc.find("`" + opt, p + 1)) {
        const std::size_t e = p + 1 + opt.size();
        found = e < doc.size() && kAfter.find(doc[e]) != std::string::npos;
      }
      CHECK(found);
    }
  }
}
