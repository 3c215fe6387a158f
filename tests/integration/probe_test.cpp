// maildiag probe against the loopback test bed: real Postfix/Dovecot ports, the refused and
// filtered ports, ::1, MX lookups through NSD, and every hostile greeting ends bounded.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using maildiag::test::run_maildiag;
using nlohmann::json;

namespace {

struct Probe {
  int exit_code = -1;
  double elapsed_ms = 0;
  std::vector<json> reports;
  [[nodiscard]] const json& data(std::size_t i = 0) const { return reports.at(i)["data"]; }
  /// The attempt to port (first one), or null.
  [[nodiscard]] json attempt(int port, std::size_t i = 0) const {
    for (const auto& a : data(i)["attempts"]) {
      if (a["port"] == port) return a;
    }
    return nullptr;
  }
  [[nodiscard]] bool has_finding(const std::string& id_prefix, std::size_t i = 0) const {
    for (const auto& f : reports.at(i)["findings"]) {
      if (f["id"].get<std::string>().rfind(id_prefix, 0) == 0) return true;
    }
    return false;
  }
};

Probe probe(const maildiag::test::Testbed& tb, std::vector<std::string> args, double timeout_s = 2) {
  std::vector<std::string> full{"--json", "--timeout", std::to_string(timeout_s), "--dns-server", tb.get("DNS_SERVERS"),
                                "probe", "--ca-file", tb.get("CA_FILE")};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_maildiag(full, {}, {}, std::chrono::seconds(60));
  INFO("args: " << [&] {
    std::string s;
    for (const auto& a : full) s += a + " ";
    return s;
  }() << "\nstderr: " << r.err << "\nstdout: " << r.out.substr(0, 4000));
  REQUIRE_FALSE(r.timed_out);
  Probe p;
  p.exit_code = r.exit_code;
  p.elapsed_ms = r.elapsed_ms;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) p.reports.push_back(json::parse(line));
  }
  REQUIRE_FALSE(p.reports.empty());
  return p;
}

std::string port(const maildiag::test::Testbed& tb, const std::string& key, const std::string& proto) {
  return tb.get(key + "_PORT") + "/" + proto;
}

int port_number(const maildiag::test::Testbed& tb, const std::string& key) { return std::stoi(tb.get(key + "_PORT")); }

}  // namespace

TEST_CASE("probe: every mail port of the test bed answers with its greeting", "[integration][probe]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string ports = port(*tb, "SMTP", "smtp") + "," + port(*tb, "SMTPS", "smtps") + "," +
                            port(*tb, "SUBMISSION", "submission") + "," + port(*tb, "POP3", "pop3") + "," +
                            port(*tb, "POP3S", "pop3s") + "," + port(*tb, "IMAP", "imap") + "," +
                            port(*tb, "IMAPS", "imaps");
  const auto p = probe(*tb, {"-p", ports, "--no-control", "127.0.0.1"});
  CHECK(p.exit_code == 0);
  CHECK(p.data()["reading"] == "address");
  CHECK(p.data()["attempts"].size() == 7);
  for (const auto& a : p.data()["attempts"]) {
    INFO(a.dump());
    CHECK(a["outcome"] == "open");
    CHECK(a["banner"]["status"] == "complete");
    CHECK(a["banner"]["matches_protocol"] == true);
    CHECK(a["latency_ms"].get<double>() < 500);
  }
  CHECK(p.attempt(port_number(*tb, "SMTP"))["banner"]["lines"][0] == "220 mx1.mail.test ESMTP Postfix (maildiag testbed)");
  CHECK(p.attempt(port_number(*tb, "POP3"))["banner"]["kind"] == "pop3");
  CHECK(p.attempt(port_number(*tb, "IMAP"))["banner"]["kind"] == "imap");
  for (const char* tls_port : {"SMTPS", "POP3S", "IMAPS"}) {
    const auto a = p.attempt(port_number(*tb, tls_port));
    INFO(tls_port << " " << a.dump());
    CHECK(a["tls"]["handshake_ok"] == true);
    CHECK(a["tls"]["verified"] == true);
    CHECK(a["tls"]["verdicts"]["name"]["status"] == "pass");  // 127.0.0.1 is an IP SAN of valid.pem
    CHECK(a["tls"]["sni"] == "");                             // no SNI for an IP literal
  }
  CHECK(p.data()["port25"]["verdict"] == "all-open");
}

TEST_CASE("probe: implicit TLS without the test CA fails the chain but still reads the banner",
          "[integration][probe][tls]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  std::vector<std::string> args{"--json", "--timeout", "2", "probe", "--no-control", "-p", port(*tb, "SMTPS", "smtps"),
                                "localhost"};
  auto r = run_maildiag(args);
  REQUIRE_FALSE(r.timed_out);
  const auto j = json::parse(r.out.substr(0, r.out.find('\n')));
  bool seen = false;
  for (const auto& a : j["data"]["attempts"]) {
    if (a["address"] != "127.0.0.1") continue;
    seen = true;
    CHECK(a["tls"]["verdicts"]["chain"]["status"] == "fail");
    CHECK(a["tls"]["sni"] == "localhost");
    CHECK(a["banner"]["status"] == "complete");
  }
  CHECK(seen);
  CHECK(r.exit_code == 2);  // an untrusted certificate is critical unless --no-verify
  const auto nv = run_maildiag({"--json", "--timeout", "2", "probe", "--no-control", "--no-verify", "-p",
                                port(*tb, "SMTPS", "smtps"), "127.0.0.1"});
  CHECK(nv.exit_code == 0);
  CHECK(nv.out.find("\"verification_disabled\":true") != std::string::npos);
}

TEST_CASE("probe: refused and filtered ports, and the port-25 verdicts", "[integration][probe]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string refused = "127.0.0.1:" + port(*tb, "REFUSED", "smtp");
  const std::string filtered = "127.0.0.1:" + port(*tb, "FILTERED", "smtp");
  const std::string open = "127.0.0.1:" + tb->get("SMTP_PORT");
  const std::string filtered_control = "127.0.0.1:" + tb->get("FILTERED_PORT");  // controls are always SMTP

  SECTION("refused: nothing listens") {
    const auto p = probe(*tb, {"--no-control", refused});
    CHECK(p.data()["attempts"][0]["outcome"] == "refused");
    CHECK(p.data()["attempts"][0]["errno"] == 111);
    CHECK(p.data()["port25"]["verdict"] == "remote-refused");
    CHECK(p.exit_code == 2);
  }
  SECTION("filtered target and filtered control: outbound blocked") {
    const auto p = probe(*tb, {"--control", filtered_control, filtered}, 1);
    CHECK(p.data()["attempts"][0]["outcome"] == "filtered");
    CHECK(p.data()["controls_probed"] == true);
    CHECK(p.data()["controls"][0]["outcome"] == "filtered");
    CHECK(p.data()["port25"]["verdict"] == "outbound-blocked");
    CHECK(p.exit_code == 2);
    CHECK(p.elapsed_ms < 4000);
  }
  SECTION("filtered target, control answers: remote side") {
    const auto p = probe(*tb, {"--control", open, filtered}, 1);
    CHECK(p.data()["controls"][0]["outcome"] == "open");
    CHECK(p.data()["port25"]["verdict"] == "remote-filtered");
  }
  SECTION("no controls: undetermined") {
    const auto p = probe(*tb, {"--no-control", filtered}, 1);
    CHECK(p.data()["port25"]["verdict"] == "undetermined");
    CHECK(p.data()["controls_probed"] == false);
  }
  SECTION("controls are not probed when the target answers") {
    const auto p = probe(*tb, {"--control", filtered_control, open});
    CHECK(p.data()["controls_probed"] == false);
    CHECK(p.exit_code == 0);
  }
}

TEST_CASE("probe: a domain's MX hosts through the test bed's DNS", "[integration][probe]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto p = probe(*tb, {"--no-control", "-p", port(*tb, "SMTP", "smtp"), "mail.test"});
  CHECK(p.data()["reading"] == "mx");
  const auto& hosts = p.data()["hosts"];
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0]["name"] == "mx1.mail.test");
  CHECK(hosts[0]["preference"] == 10);
  CHECK(hosts[0]["addresses"][0] == "127.0.0.11");
  CHECK(hosts[2]["name"] == "mx3.mail.test");
  std::size_t open = 0;
  for (const auto& a : p.data()["attempts"]) open += a["outcome"] == "open" ? 1U : 0U;
  if (tb->get("IPV6") == "1") {
    CHECK(open == 3);
    CHECK(p.exit_code == 0);
  } else {
    CHECK(open >= 2);
  }

  SECTION("a dead MX next to a live one is a warning") {
    const auto d = probe(*tb, {"--no-control", "-p", port(*tb, "SMTP", "smtp"), "deadmx.test"});
    CHECK(d.data()["port25"]["verdict"] == "some-open");
    CHECK(d.exit_code == 1);
  }
  SECTION("null MX") {
    const auto n = probe(*tb, {"--no-control", "nullmx.test"});
    CHECK(n.data()["reading"] == "null-mx");
    CHECK(n.has_finding("probe.null-mx"));
    CHECK(n.exit_code == 2);
  }
  SECTION("a name without MX is probed as a host") {
    const auto h = probe(*tb, {"--no-control", "-p", port(*tb, "SMTP", "smtp"), "implicit.test"});
    CHECK(h.data()["reading"] == "host");
    CHECK(h.data()["attempts"][0]["outcome"] == "open");
  }
  SECTION("a name that does not exist") {
    const auto x = probe(*tb, {"--no-control", "nx.test"});
    CHECK(x.has_finding("probe.dns"));
    CHECK(x.exit_code == 2);
  }
}

TEST_CASE("probe: IPv6 loopback", "[integration][probe]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  if (tb->get("IPV6") != "1") {
    WARN("SKIPPED: the test bed runs without ::1");
    return;
  }
  const auto p = probe(*tb, {"--no-control", "-p", port(*tb, "SMTP", "smtp") + "," + port(*tb, "POP3", "pop3"), "::1"});
  for (const auto& a : p.data()["attempts"]) CHECK(a["outcome"] == "open");
  CHECK(p.data()["attempts"][0]["address"] == "::1");
}

TEST_CASE("probe: hostile greetings end bounded with a clear outcome", "[integration][probe][hostile]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  struct Case {
    const char* key;
    const char* proto;
    const char* status;  // banner status
    const char* finding;
  };
  const Case cases[] = {
      {"HOSTILE_SMTP_SILENT", "smtp", "silent", "probe.banner-silent"},
      {"HOSTILE_SMTP_DRIP", "smtp", "incomplete", "probe.banner-incomplete"},
      {"HOSTILE_SMTP_GARBAGE", "smtp", "complete", "probe.banner"},
      {"HOSTILE_SMTP_ENDLESS_BANNER", "smtp", "too-many-lines", "probe.banner-too-many-lines"},
      {"HOSTILE_SMTP_LONGLINE", "smtp", "line-too-long", "probe.banner-line-too-long"},
      {"HOSTILE_SMTP_421", "smtp", "complete", "probe.banner"},
      {"HOSTILE_SMTP_554", "smtp", "complete", "probe.banner"},
      {"HOSTILE_POP3_ERR", "pop3", "complete", "probe.banner"},
      {"HOSTILE_IMAP_GARBAGE", "imap", "complete", "probe.banner"},
  };
  std::string ports;
  for (const auto& c : cases) ports += (ports.empty() ? "" : ",") + port(*tb, c.key, c.proto);
  // All at once: the slowest (silent, drip) bound the run to about the timeout.
  const auto p = probe(*tb, {"--no-control", "-p", ports, "127.0.0.1"}, 1.5);
  CHECK(p.elapsed_ms < 5000);
  for (const auto& c : cases) {
    INFO(c.key);
    const auto a = p.attempt(port_number(*tb, c.key));
    REQUIRE(a.is_object());
    CHECK(a["outcome"] == "open");
    CHECK(a["banner"]["status"] == c.status);
  }
  CHECK(p.has_finding("probe.banner-silent"));
  CHECK(p.attempt(port_number(*tb, "HOSTILE_SMTP_DRIP"))["banner"]["bytes"].get<int>() >= 1);
  CHECK(p.attempt(port_number(*tb, "HOSTILE_SMTP_GARBAGE"))["banner"]["kind"] == "unknown");
  const auto c421 = p.attempt(port_number(*tb, "HOSTILE_SMTP_421"))["banner"];
  CHECK(c421["classification"]["code"] == 421);
  CHECK(c421["severity"] == "warning");
  const auto c554 = p.attempt(port_number(*tb, "HOSTILE_SMTP_554"))["banner"];
  CHECK(c554["severity"] == "critical");
  CHECK(c554["classification"]["blocklist"] == "zen.spamhaus.org");
  CHECK(p.attempt(port_number(*tb, "HOSTILE_POP3_ERR"))["banner"]["kind"] == "pop3");
  CHECK(p.attempt(port_number(*tb, "HOSTILE_IMAP_GARBAGE"))["banner"]["kind"] == "unknown");
  CHECK(p.exit_code == 2);  // the 554 greeting
}

TEST_CASE("probe: a plaintext server on an implicit-TLS port is named", "[integration][probe][tls]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto p = probe(*tb, {"--no-control", "127.0.0.1:" + port(*tb, "SMTP", "smtps")});
  const auto a = p.data()["attempts"][0];
  CHECK(a["banner"]["status"] == "tls-failed");
  // The 220 greeting is either already waiting when TLS starts, or is what the handshake reads.
  const std::string seen = a["banner"]["detail"].get<std::string>() + a.value("plaintext_before_tls", "");
  CHECK(seen.find("220 mx1.mail.test") != std::string::npos);
  CHECK(p.exit_code == 2);
}

TEST_CASE("probe: --source binds the client address", "[integration][probe]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto p = probe(*tb, {"--no-control", "--source", tb->get("ALT_SOURCE"), "127.0.0.1:" + port(*tb, "POP3", "pop3")});
  CHECK(p.data()["attempts"][0]["local_address"] == tb->get("ALT_SOURCE"));
  CHECK(p.data()["attempts"][0]["outcome"] == "open");
}
