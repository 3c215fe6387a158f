// `maildiag mx` against the test bed's NSD zones (docs/testing.md "DNS zones"): every case gives
// its documented finding and exit code; the silent and closed DNS ports give UNKNOWN within the
// timeout; an IPv6 server address works; bulk mode streams a mix of good, bad and missing domains.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using maildiag::test::run_maildiag;
using nlohmann::json;

namespace {

struct Run {
  int exit_code = -1;
  double ms = 0;
  json j;
};

Run mx(const std::vector<std::string>& extra, const std::string& dns_server) {
  // the domain first: a repeatable option such as --dns-server takes every following word
  std::vector<std::string> args{"--json", "--timeout", "3", "mx"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--dns-server", dns_server});
  auto r = run_maildiag(args, {}, {}, std::chrono::seconds(60));
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE_FALSE(r.out.empty());
  return Run{r.exit_code, r.elapsed_ms, json::parse(r.out.substr(0, r.out.find('\n')))};
}

bool has(const json& j, const std::string& id) {
  for (const auto& f : j["findings"]) {
    if (f["id"] == id) return true;
  }
  return false;
}

std::string ids(const json& j) {
  std::string s;
  for (const auto& f : j["findings"]) s += f["id"].get<std::string>() + " ";
  return s;
}

}  // namespace

TEST_CASE("mx: mail.test — three exchangers, PTR match and mismatch, policy records, TLSA", "[integration][mx]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto run = mx({"mail.test", "--allow-private"}, tb->addr("DNS_PORT"));
  const auto& j = run.j;
  INFO(ids(j));
  CHECK(run.exit_code == 1);  // ptr.mismatch
  const auto& hosts = j["data"]["mx"]["hosts"];
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0]["exchange"] == "mx1.mail.test");
  CHECK(hosts[0]["preference"] == 10);
  CHECK(hosts[0]["addresses"][0]["address"] == "127.0.0.11");
  CHECK(hosts[0]["addresses"][0]["ptr"]["fcrdns"] == true);
  CHECK(hosts[1]["addresses"][0]["ptr"]["names"][0] == "other.mail.test");
  CHECK(hosts[1]["addresses"][0]["ptr"]["fcrdns"] == false);
  CHECK(hosts[2]["addresses"][0]["address"] == "::1");
  CHECK(hosts[2]["addresses"][0]["ptr"]["fcrdns"] == true);
  CHECK(has(j, "ptr.mismatch"));
  CHECK(has(j, "mx.address-not-public"));  // info with --allow-private
  CHECK_FALSE(has(j, "ptr.missing"));
  CHECK(j["data"]["spf"]["lookups"] == 1);
  CHECK(j["data"]["dmarc"]["policy"] == "reject");
  CHECK(j["data"]["mta_sts"]["id"] == "20240101T000000Z");
  CHECK(j["data"]["tls_rpt"]["rua"][0] == "mailto:tlsrpt@mail.test");
  REQUIRE(hosts[0]["tlsa"]["records"].size() == 1);
  CHECK(hosts[0]["tlsa"]["records"][0]["usage"] == 3);
  CHECK(hosts[0]["tlsa"]["records"][0]["data"] == tb->get("TLSA_SHA256"));
  CHECK(hosts[0]["tlsa"]["authentic_data"] == false);  // NSD does not validate: no AD
  CHECK(has(j, "tlsa.not-authenticated"));
  CHECK(hosts[2].find("tlsa") != hosts[2].end());
  CHECK(hosts[2]["tlsa"]["status"] == "nxdomain");

  const auto v4 = mx({"mail.test", "-4", "--checks", "none"}, tb->addr("DNS_PORT"));  // -4 after the domain
  CHECK(v4.j["data"]["mx"]["hosts"][2]["addresses"].empty());  // mx3 is IPv6-only
  CHECK(v4.j["data"]["mx"]["hosts"][2]["address_status"] == "nodata");

  const auto strict = mx({"mail.test", "--checks", "none"}, tb->addr("DNS_PORT"));
  CHECK(strict.exit_code == 1);  // loopback exchangers are a warning without --allow-private
  CHECK(has(strict.j, "mx.address-not-public"));
}

TEST_CASE("mx: DNSBL zone lists mx2 with its TXT reason", "[integration][mx][dnsbl]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto run = mx({"mail.test", "--checks", "none", "--dnsbl", "dnsbl.test", "--allow-private"}, tb->addr("DNS_PORT"));
  INFO(ids(run.j));
  CHECK(has(run.j, "dnsbl.listed"));
  const auto& b = run.j["data"]["mx"]["hosts"][1]["addresses"][0]["dnsbl"][0];
  CHECK(b["verdict"] == "listed");
  CHECK(b["codes"][0] == "127.0.0.2");
  CHECK(b["reason"].get<std::string>().find("spam source") != std::string::npos);
  CHECK(run.j["data"]["mx"]["hosts"][0]["addresses"][0]["dnsbl"][0]["verdict"] == "not-listed");
}

TEST_CASE("mx: each test zone case gives its documented finding", "[integration][mx]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  struct Case {
    const char* domain;
    int exit_code;
    std::vector<const char*> findings;
    const char* mx_status;
  };
  const Case cases[] = {
      {"nullmx.test", 2, {"mx.null"}, "ok"},
      {"cname-mx.test", 1, {"mx.target-cname"}, "ok"},
      {"implicit.test", 1, {"mx.implicit"}, "nodata"},
      {"noaddr.test", 2, {"mx.target-no-address", "mx.no-usable-exchanger"}, "ok"},
      {"dangling.test", 2, {"mx.target-nxdomain", "mx.no-usable-exchanger"}, "ok"},
      {"nx.test", 2, {"mx.nxdomain"}, "nxdomain"},
      {"servfail.test", 3, {"mx.lookup-failed"}, "servfail"},
      {"example.com", 3, {"mx.lookup-failed"}, "refused"},  // outside NSD's zones
      {"spf-two.test", 1, {"spf.multiple"}, "ok"},
      {"spf-plusall.test", 2, {"spf.plus-all", "mx.none"}, "nodata"},
      {"spf-toomany.test", 2, {"spf.too-many-lookups"}, "nodata"},
      {"deadmx.test", 1, {}, "ok"},
  };
  for (const auto& c : cases) {
    INFO(c.domain);
    const auto run = mx({c.domain, "--allow-private"}, tb->addr("DNS_PORT"));
    INFO(ids(run.j));
    CHECK(run.exit_code == c.exit_code);
    CHECK(run.j["data"]["mx"]["status"] == c.mx_status);
    for (const auto* id : c.findings) CHECK(has(run.j, id));
  }
}

TEST_CASE("mx: SPF include tree is walked and counted", "[integration][mx][spf]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto run = mx({"spf-toomany.test", "--checks", "spf"}, tb->addr("DNS_PORT"));
  CHECK(run.j["data"]["spf"]["lookups"].get<int>() >= 11);
  CHECK(run.j["data"]["spf"]["lookup_limit_exceeded"] == true);
  const auto big = mx({"bigtxt.test", "--checks", "spf"}, tb->addr("DNS_PORT"));
  CHECK(big.j["data"]["spf"]["status"] == "ok");  // the > 512-byte TXT answer arrived (EDNS or TCP)
  CHECK(has(big.j, "spf.missing"));               // ... and it is not an SPF record
}

TEST_CASE("mx: --compare shows where two resolvers disagree", "[integration][mx][compare]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::vector<std::string> args{"--json", "mx", "split.test", "--compare", "--checks", "none", "--allow-private",
                                      "--dns-server", tb->addr("DNS_PORT"), "--dns-server", tb->addr("DNS2_PORT")};
  auto r = run_maildiag(args);
  const auto j = json::parse(r.out);
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has(j, "dns.resolvers-disagree"));
  REQUIRE(j["data"]["compare"].size() == 2);
  CHECK(j["data"]["compare"][0]["mx"] == "10 mx1.mail.test");
  CHECK(j["data"]["compare"][1]["mx"] == "10 mx2.mail.test");

  auto same = run_maildiag({"--json", "mx", "mail.test", "--compare", "--checks", "none", "--allow-private",
                            "--dns-server", tb->addr("DNS_PORT"), "--dns-server", tb->addr("DNS2_PORT")});
  CHECK(has(json::parse(same.out), "dns.resolvers-agree"));
}

TEST_CASE("mx: a silent DNS server gives UNKNOWN within --timeout; a closed port at once", "[integration][mx]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = run_maildiag({"--json", "--timeout", "1", "mx", "mail.test", "--dns-server", tb->addr("DNS_BLACKHOLE_PORT")});
  CHECK(r.exit_code == 3);
  auto j = json::parse(r.out);
  CHECK(j["data"]["mx"]["status"] == "timeout");
  CHECK(has(j, "mx.lookup-failed"));
  CHECK(r.elapsed_ms >= 900);
  CHECK(r.elapsed_ms < 1600);

  auto c = run_maildiag({"--json", "--timeout", "5", "mx", "mail.test", "--dns-server", tb->addr("DNS_CLOSED_PORT")});
  CHECK(c.exit_code == 3);
  CHECK(json::parse(c.out)["data"]["mx"]["status"] == "connection-refused");
  CHECK(c.elapsed_ms < 2000);
}

TEST_CASE("mx: IPv6 DNS server address [::1]:PORT", "[integration][mx]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  if (tb->get("IPV6") != "1") {
    WARN("SKIPPED: test bed without IPv6");
    return;
  }
  const auto run = mx({"mail.test", "--checks", "none"}, "[::1]:" + tb->get("DNS_PORT"));
  CHECK(run.j["data"]["resolver"] == "[::1]:" + tb->get("DNS_PORT"));
  CHECK(run.j["data"]["mx"]["hosts"].size() == 3);
}

TEST_CASE("mx: bulk mode streams good, bad and missing domains", "[integration][mx][bulk]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string input = "mail.test\n# a comment\n\nnx.test\nnot a domain\n192.0.2.1\nimplicit.test\nMAIL.TEST.\n";
  auto r = run_maildiag({"--json", "mx", "-", "--checks", "none", "--allow-private", "--concurrency", "2",
                         "--dns-server", tb->addr("DNS_PORT")},
                        input);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);  // nx.test is critical
  std::istringstream lines(r.out);
  std::string line;
  std::map<std::string, std::string> status;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto j = json::parse(line);
    status[j["target"].get<std::string>()] = j["status"].get<std::string>();
    ++count;
  }
  CHECK(count == 6);
  CHECK(status["mail.test"] == "ok");
  CHECK(status["nx.test"] == "critical");
  CHECK(status["not a domain"] == "unknown");
  CHECK(status["192.0.2.1"] == "unknown");
  CHECK(status["implicit.test"] == "warning");

  auto text = run_maildiag({"mx", "-", "--checks", "none", "--dns-server", tb->addr("DNS_PORT")}, "nx.test\nnullmx.test\n");
  CHECK(text.out.find("CRIT nx.test mx=nxdomain") != std::string::npos);
  CHECK(text.out.find("CRIT nullmx.test mx=0:.") != std::string::npos);
  CHECK(text.err.empty());  // no progress line when stderr is not a TTY
}
