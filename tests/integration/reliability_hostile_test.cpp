// Hostile peers of the loopback test bed (hostile.py modes, the filtered/refused ports, the DNS
// blackhole) against the built binary: every case must end within its time bound with its
// documented exit code and finding (docs/reliability.md, "Hostile inputs and peer behaviour"),
// within bounded memory, and the output must stay terminal-safe.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using maildiag::test::ProcessResult;
using maildiag::test::run_process;

namespace {

struct Expect {
  int exit_code;
  std::string finding;  ///< id of the finding that must be present
  double max_seconds;   ///< wall-clock bound (the --timeout given is 2 s)
};

struct Run {
  ProcessResult process;
  nlohmann::json report;
  long max_rss_kb = -1;
};

/// Runs maildiag --json under GNU time (for the peak RSS) and parses its first report.
Run run_json(const maildiag::test::Testbed& tb, std::vector<std::string> args,
             std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv{"/usr/bin/time", "-f", "maxrss_kb=%M", MAILDIAG_BIN, "--json", "--timeout", "2"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto penv = tb.env();
  penv["NO_COLOR"] = "1";
  for (auto& [k, v] : env) penv[k] = v;
  Run r{run_process(argv, {}, penv, std::chrono::seconds(60)), {}};
  const auto at = r.process.err.rfind("maxrss_kb=");
  if (at != std::string::npos) r.max_rss_kb = std::strtol(r.process.err.c_str() + at + 10, nullptr, 10);
  const auto& out = r.process.out;
  if (!out.empty()) r.report = nlohmann::json::parse(out.substr(0, out.find('\n')), nullptr, false);
  return r;
}

bool has_finding(const nlohmann::json& report, const std::string& id) {
  if (!report.is_object() || !report.contains("findings")) return false;
  for (const auto& f : report["findings"]) {
    if (f.value("id", "") == id) return true;
  }
  return false;
}

void check(const Run& r, const Expect& e) {
  INFO("exit " << r.process.exit_code << " in " << r.process.elapsed_ms << " ms\nstdout: "
               << r.process.out.substr(0, 3000) << "\nstderr: " << r.process.err.substr(0, 2000));
  CHECK_FALSE(r.process.timed_out);
  CHECK(r.process.exit_code == e.exit_code);
  CHECK(has_finding(r.report, e.finding));
  CHECK(r.process.elapsed_ms < e.max_seconds * 1000.0);
  // A hostile peer sending megabytes must not cost more than the engines' limits allow.
  CHECK(r.max_rss_kb > 0);
  CHECK(r.max_rss_kb < 512 * 1024);
}

}  // namespace

TEST_CASE("reliability: SMTP servers that stall, drip, babble or refuse", "[integration][reliability][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  struct Case {
    const char* mode;
    Expect expect;
  };
  const std::vector<Case> cases = {
      {"HOSTILE_SMTP_SILENT_PORT", {3, "smtp.timeout", 20}},                   // never sends a byte
      {"HOSTILE_SMTP_DRIP_PORT", {3, "smtp.timeout", 20}},                     // one byte per second
      {"HOSTILE_SMTP_GARBAGE_PORT", {2, "smtp.protocol.malformed-line", 15}},  // binary banner
      {"HOSTILE_SMTP_ENDLESS_BANNER_PORT", {2, "smtp.protocol.too-many-lines", 15}},
      {"HOSTILE_SMTP_ENDLESS_EHLO_PORT", {2, "smtp.protocol.too-many-lines", 15}},
      {"HOSTILE_SMTP_LONGLINE_PORT", {2, "smtp.protocol.line-too-long", 15}},  // 10 MiB, no newline
      {"HOSTILE_SMTP_MIDREPLY_PORT", {2, "smtp.protocol.eof-mid-reply", 15}},
      {"HOSTILE_SMTP_421_PORT", {2, "smtp.banner.rejected", 15}},
      {"HOSTILE_SMTP_554_PORT", {2, "smtp.banner.rejected", 15}},
      {"HOSTILE_STARTTLS_GARBAGE_PORT", {2, "smtp.tls.handshake", 15}},  // plain text answers the ClientHello
      {"HOSTILE_STARTTLS_INJECT_PORT", {2, "smtp.starttls.injection", 15}},
      {"FILTERED_PORT", {3, "smtp.connect", 20}},  // SYNs dropped: connect times out
      {"REFUSED_PORT", {2, "smtp.connect", 15}},
  };
  for (const auto& c : cases) {
    SECTION(c.mode) {
      check(run_json(*tb, {"smtp-test", tb->get("HOST"), "--port", tb->get(c.mode), "--ca-file", tb->get("CA_FILE")}),
            c.expect);
    }
  }
}

TEST_CASE("reliability: smtp-test --max-lines and --max-line bound what a server may send",
          "[integration][reliability][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  SECTION("endless banner stops at --max-lines 5") {
    const auto r = run_json(*tb, {"smtp-test", tb->get("HOST"), "--port", tb->get("HOSTILE_SMTP_ENDLESS_BANNER_PORT"),
                                  "--max-lines", "5"});
    check(r, {2, "smtp.protocol.too-many-lines", 15});
    CHECK(r.process.out.find("more than 5 lines") != std::string::npos);
  }
  SECTION("10 MiB line stops at --max-line 100") {
    const auto r = run_json(*tb, {"smtp-test", tb->get("HOST"), "--port", tb->get("HOSTILE_SMTP_LONGLINE_PORT"),
                                  "--max-line", "100"});
    check(r, {2, "smtp.protocol.line-too-long", 15});
    CHECK(r.process.out.find("100") != std::string::npos);
  }
}

TEST_CASE("reliability: hostile POP3 and IMAP servers", "[integration][reliability][pop3][imap]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  SECTION("POP3 -ERR banner") {
    check(run_json(*tb, {"pop3-test", tb->addr("HOSTILE_POP3_ERR_PORT")}), {2, "pop3.greeting.refused", 15});
  }
  SECTION("POP3 LIST that never ends: cut at the body limit") {
    const auto r = run_json(*tb, {"pop3-test", tb->addr("HOSTILE_POP3_ENDLESS_LIST_PORT"), "--user", "alice",
                                  "--allow-plaintext"},
                            {{"MAILDIAG_PASSWORD", "x"}});
    check(r, {2, "pop3.protocol.body-too-long", 60});
  }
  SECTION("IMAP greeting of binary garbage") {
    check(run_json(*tb, {"imap-test", tb->addr("HOSTILE_IMAP_GARBAGE_PORT")}), {2, "imap.protocol.nul-byte", 15});
  }
  SECTION("POP3 client pointed at the IMAP garbage port") {
    check(run_json(*tb, {"pop3-test", tb->addr("HOSTILE_IMAP_GARBAGE_PORT")}), {2, "pop3.protocol.nul-byte", 15});
  }
}

TEST_CASE("reliability: DNS servers that never answer or refuse the port", "[integration][reliability][dns]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  SECTION("blackhole: reads queries, never answers") {
    check(run_json(*tb, {"--dns-server", "127.0.0.1:" + tb->get("DNS_BLACKHOLE_PORT"), "mx", "mail.test"}),
          {3, "mx.lookup-failed", 20});
  }
  SECTION("closed port: ICMP port unreachable") {
    check(run_json(*tb, {"--dns-server", "127.0.0.1:" + tb->get("DNS_CLOSED_PORT"), "mx", "mail.test"}),
          {3, "mx.lookup-failed", 20});
  }
}
