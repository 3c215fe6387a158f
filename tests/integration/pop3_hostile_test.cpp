// pop3-test and imap-test against the bed's hostile server modes and dead ports: every case
// ends within the timeout with one clear finding.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using maildiag::test::run_maildiag;

namespace {

nlohmann::json run_json(const std::vector<std::string>& args, int* exit_code, double* elapsed_ms) {
  auto r = run_maildiag(args, {}, {{"MAILDIAG_PASSWORD", "x"}}, std::chrono::seconds(60));
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE_FALSE(r.out.empty());
  *exit_code = r.exit_code;
  *elapsed_ms = r.elapsed_ms;
  return nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
}

bool has_finding(const nlohmann::json& j, const std::string& id) {
  for (const auto& f : j["findings"]) {
    if (f["id"] == id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("pop3-test: an -ERR banner is a critical refusal", "[integration][pop3][hostile]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  int rc = 0;
  double ms = 0;
  auto j = run_json({"--json", "--timeout", "3", "pop3-test", tb->addr("HOSTILE_POP3_ERR_PORT")}, &rc, &ms);
  CHECK(rc == 2);
  CHECK(has_finding(j, "pop3.greeting.refused"));
  CHECK(j["data"]["greeting_classification"]["outcome"] == "transient");  // [SYS/TEMP]
  CHECK(j["findings"].size() == 1);  // the server closing after -ERR is not a second problem
  // The bed answers QUIT with a TCP reset: noted in the transcript, not a finding.
  bool reset_noted = false;
  for (const auto& l : j["transcript"]) {
    if (l["dir"] == "error" && l["text"].get<std::string>().find("while closing") != std::string::npos) reset_noted = true;
  }
  CHECK(reset_noted);
}

TEST_CASE("pop3-test: an endless LIST ends with a finding, within the timeout", "[integration][pop3][hostile]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  int rc = 0;
  double ms = 0;
  auto j = run_json({"--json", "--timeout", "5", "pop3-test", tb->addr("HOSTILE_POP3_ENDLESS_LIST_PORT"), "--user",
                     "alice", "--allow-plaintext"},
                    &rc, &ms);
  CHECK(rc == 2);
  CHECK((has_finding(j, "pop3.protocol.body-too-long") || has_finding(j, "pop3.timeout")));
  CHECK(ms < 30'000);
}

TEST_CASE("imap-test: a garbage greeting is a protocol error", "[integration][imap][hostile]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  int rc = 0;
  double ms = 0;
  auto j = run_json({"--json", "--timeout", "3", "imap-test", tb->addr("HOSTILE_IMAP_GARBAGE_PORT")}, &rc, &ms);
  CHECK(rc == 2);
  CHECK((has_finding(j, "imap.protocol.nul-byte") || has_finding(j, "imap.protocol.bad-greeting")));
}

TEST_CASE("pop3-test and imap-test: server down and silent server", "[integration][pop3][imap][hostile]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  int rc = 0;
  double ms = 0;
  auto refused = run_json({"--json", "--timeout", "2", "pop3-test", tb->addr("REFUSED_PORT")}, &rc, &ms);
  CHECK(rc == 2);
  CHECK(has_finding(refused, "pop3.connect"));
  auto silent = run_json({"--json", "--timeout", "1", "imap-test", tb->addr("HOSTILE_SMTP_SILENT_PORT")}, &rc, &ms);
  CHECK(rc == 3);
  CHECK(has_finding(silent, "imap.timeout"));
  CHECK(has_finding(silent, "imap.greeting.maybe-tls"));
  CHECK(ms < 10'000);
}

TEST_CASE("pop3-test: implicit TLS against a plaintext port", "[integration][pop3][hostile]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  int rc = 0;
  double ms = 0;
  auto j = run_json({"--json", "--timeout", "3", "pop3-test", tb->addr("POP3_PORT"), "--tls-on-connect"}, &rc, &ms);
  INFO(j.dump());
  CHECK(rc == 2);
  CHECK(has_finding(j, "pop3.tls.handshake"));
}
