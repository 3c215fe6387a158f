// `maildiag mx` option handling and the paths that need no DNS answer (invalid input).
#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using maildiag::test::run_maildiag;
using nlohmann::json;

namespace {
// Nothing is sent here: every input below is rejected before a query (the port is never used).
const std::string kServer = "127.0.0.1:9";
}  // namespace

TEST_CASE("mx: usage errors are one line and exit 3", "[cli][mx]") {
  const std::vector<std::vector<std::string>> bad{
      {"mx"},
      {"mx", "example.com", "--compare", "--dns-server", kServer},
      {"mx", "example.com", "--dns-server", "dns.example"},
      {"mx", "example.com", "--dns-server", "[::1]:99999"},
      {"mx", "example.com", "--checks", "spf,bogus"},
      {"mx", "example.com", "--dnsbl", "bad zone"},
      {"mx", "-", "example.com"},
      {"mx", "example.com", "--concurrency", "0"},
      {"mx", "example.com", "-4", "-6"},
      {"mx", "-4"},
  };
  for (const auto& args : bad) {
    auto r = run_maildiag(args);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    INFO(cmd << ": " << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("maildiag: error: ", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("mx: an invalid domain is an UNKNOWN report, not a crash", "[cli][mx]") {
  auto r = run_maildiag({"--json", "mx", "exa mple..com", "--dns-server", kServer});
  CHECK(r.exit_code == 3);
  auto j = json::parse(r.out);
  CHECK(j["command"] == "mx");
  CHECK(j["findings"][0]["id"] == "mx.invalid-domain");
  CHECK(j["data"]["domain"].is_null());

  auto ip = run_maildiag({"mx", "192.0.2.1", "--dns-server", kServer});
  CHECK(ip.exit_code == 3);
  CHECK(ip.out.find("is an IP address, not a mail domain") != std::string::npos);
}

TEST_CASE("mx -: bad lines are reported and skipped, one line each", "[cli][mx][bulk]") {
  std::string input = "bad..name\n# comment\n\n  \n192.0.2.7\n" + std::string(5000, 'x') + "\n-lead.example\n\xff\xfe\n";
  auto r = run_maildiag({"--json", "mx", "-", "--dns-server", kServer}, input);
  CHECK(r.exit_code == 3);
  std::istringstream lines(r.out);
  std::string line;
  std::vector<json> docs;
  while (std::getline(lines, line)) docs.push_back(json::parse(line));
  REQUIRE(docs.size() == 5);
  for (const auto& d : docs) CHECK(d["findings"][0]["id"] == "mx.invalid-domain");
  CHECK(docs[2]["findings"][0]["title"].get<std::string>().find("4096") != std::string::npos);

  auto text = run_maildiag({"mx", "-", "--dns-server", kServer}, "bad..name\n");
  CHECK(text.out.rfind("UNKN bad..name mx.invalid-domain", 0) == 0);
  auto empty = run_maildiag({"mx", "-", "--dns-server", kServer}, "");
  CHECK(empty.exit_code == 0);
  CHECK(empty.out.empty());
}

TEST_CASE("mx --help lists the options and examples", "[cli][mx]") {
  auto r = run_maildiag({"mx", "--help"});
  CHECK(r.exit_code == 0);
  for (const auto* word : {"--checks", "--dnsbl", "--compare", "--concurrency", "--allow-private", "--tries", "Exit code"})
    CHECK(r.out.find(word) != std::string::npos);
}
