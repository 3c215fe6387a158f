// pop3-test against the test bed's Dovecot: STLS, POP3S, good and bad passwords, plaintext
// refused for a client bound to 127.0.0.2 (platform.md P9), a message delivered through the
// bed's Postfix read back with TOP and RETR, the interactive mode; passwords never shown.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>
#include <unistd.h>

using maildiag::test::run_maildiag;
using maildiag::test::run_process;
using maildiag::test::Testbed;

namespace {

struct Run {
  int exit_code = -1;
  nlohmann::json json;
  std::string out;
  std::string err;
  double elapsed_ms = 0;
};

Run pop3(const Testbed& tb, std::vector<std::string> args, const std::string& password = {},
         const std::string& stdin_data = {}) {
  std::vector<std::string> argv{"--json", "--timeout", "5", "pop3-test"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env;
  if (!password.empty()) env["MAILDIAG_PASSWORD"] = password;
  auto r = run_maildiag(argv, stdin_data, env, std::chrono::seconds(60));
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE_FALSE(r.timed_out);
  Run out{r.exit_code, {}, r.out, r.err, r.elapsed_ms};
  if (!r.out.empty() && r.out.front() == '{') out.json = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  (void)tb;
  return out;
}

bool has_finding(const nlohmann::json& j, const std::string& id) {
  for (const auto& f : j["findings"]) {
    if (f["id"] == id) return true;
  }
  return false;
}

std::string transcript_text(const nlohmann::json& j, bool sent_only = false) {
  std::string s;
  for (const auto& l : j["transcript"]) {
    if (!sent_only || l["dir"] == "sent") s += l["text"].get<std::string>() + "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("pop3-test: STLS and login from a non-local source address", "[integration][pop3]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = pop3(*tb, {tb->addr("POP3_PORT"), "--source", tb->get("ALT_SOURCE"), "--user", tb->get("USER"), "--ca-file",
                      tb->get("CA_FILE")},
                tb->get("PASSWORD"));
  CHECK(r.exit_code == 0);
  CHECK(r.json["status"] == "ok");
  CHECK(r.json["data"]["stls_offered"] == true);
  CHECK(r.json["data"]["login"]["ok"] == true);
  CHECK(r.json["data"]["tls"]["version"].get<std::string>().rfind("TLSv1.", 0) == 0);
  CHECK(r.json["data"]["capabilities_plain"]["user"] == false);  // P9: no USER before STLS from 127.0.0.2
  CHECK(has_finding(r.json, "pop3.login.ok"));
  CHECK(r.json["data"]["mailbox"].contains("messages"));
  const auto t = transcript_text(r.json);
  CHECK(t.find(tb->get("PASSWORD")) == std::string::npos);
  CHECK(r.out.find(tb->get("PASSWORD")) == std::string::npos);
  CHECK(t.find("AUTH PLAIN ********") != std::string::npos);
  CHECK(transcript_text(r.json, true).find("DELE") == std::string::npos);
}

TEST_CASE("pop3-test: POP3S (implicit TLS) and a wrong password", "[integration][pop3]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto good = pop3(*tb, {tb->addr("POP3S_PORT"), "--tls-on-connect", "--user", tb->get("USER"), "--ca-file",
                         tb->get("CA_FILE"), "--auth", "user"},
                   tb->get("PASSWORD"));
  CHECK(good.json["data"]["implicit_tls"] == true);
  CHECK(good.json["data"]["login"]["ok"] == true);
  CHECK(good.json["data"]["login"]["method"] == "user");
  CHECK(transcript_text(good.json).find("PASS ********") != std::string::npos);
  CHECK(good.exit_code == 0);

  auto bad = pop3(*tb, {tb->addr("POP3S_PORT"), "--tls-on-connect", "--user", tb->get("USER"), "--ca-file",
                        tb->get("CA_FILE")},
                  "not-the-password");
  CHECK(bad.exit_code == 2);
  CHECK(has_finding(bad.json, "pop3.login.refused"));
  CHECK(bad.json["data"]["login"]["classification"]["reason"] == "auth-failed");
  CHECK(bad.out.find("not-the-password") == std::string::npos);
}

TEST_CASE("pop3-test: plaintext login refused before STLS (client bound to 127.0.0.2)", "[integration][pop3]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  SECTION("credentials are not sent without --allow-plaintext") {
    auto r = pop3(*tb, {tb->addr("POP3_PORT"), "--source", tb->get("ALT_SOURCE"), "--starttls", "never", "--user",
                        tb->get("USER")},
                  tb->get("PASSWORD"));
    CHECK(r.exit_code == 1);
    CHECK(has_finding(r.json, "pop3.login.not-sent"));
    const auto t = transcript_text(r.json, true);
    CHECK(t.find("AUTH") == std::string::npos);
    CHECK(t.find("PASS") == std::string::npos);
    CHECK(t.find("USER") == std::string::npos);
  }
  SECTION("with --allow-plaintext Dovecot refuses them") {
    auto r = pop3(*tb, {tb->addr("POP3_PORT"), "--source", tb->get("ALT_SOURCE"), "--starttls", "never", "--user",
                        tb->get("USER"), "--allow-plaintext", "--auth", "user"},
                  tb->get("PASSWORD"));
    CHECK(r.exit_code == 2);
    CHECK(has_finding(r.json, "pop3.login.plaintext-disabled"));
    CHECK(r.json["data"]["login"]["classification"]["reason"] == "tls-required");
  }
}

TEST_CASE("pop3-test: a message delivered through Postfix is read back with TOP and RETR", "[integration][pop3]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  if (access("/usr/bin/swaks", X_OK) != 0) {
    WARN("SKIPPED: swaks is not installed");
    return;
  }
  const std::string token = "maildiag-pop3-" + std::to_string(std::random_device{}());
  auto sent = run_process({"/usr/bin/swaks", "--server", tb->get("HOST"), "--port", tb->get("SMTP_PORT"), "--to",
                           tb->get("USER"), "--from", "sender@example.org", "--header", "Subject: " + token,
                           "--body", "body line\n.leading dot " + token, "--hide-all"});
  REQUIRE(sent.exit_code == 0);
  const std::vector<std::string> base{tb->addr("POP3S_PORT"), "--tls-on-connect", "--user", tb->get("USER"),
                                      "--ca-file", tb->get("CA_FILE")};
  std::uint64_t last = 0;
  for (int i = 0; i < 50 && last == 0; ++i) {  // delivery takes a few ms; the mailbox may hold older mail
    auto r = pop3(*tb, base, tb->get("PASSWORD"));
    const auto n = r.json["data"]["mailbox"].value("messages", std::uint64_t{0});
    for (std::uint64_t k = n; k > 0 && last == 0 && k + 5 > n; --k) {
      auto args = base;
      args.insert(args.end(), {"--top", std::to_string(k)});
      auto t = pop3(*tb, args, tb->get("PASSWORD"));
      if (t.json["data"]["top"].dump().find(token) != std::string::npos) last = k;
    }
    if (last == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(last > 0);
  const std::string file = "/tmp/maildiag-pop3-retr-" + std::to_string(getpid()) + ".eml";
  auto args = base;
  args.insert(args.end(), {"--retr", std::to_string(last), "--output", file});
  auto r = pop3(*tb, args, tb->get("PASSWORD"));
  CHECK(r.json["data"]["retr"]["number"] == last);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(file.c_str());
  CHECK(ss.str().find("Subject: " + token) != std::string::npos);
  CHECK(ss.str().find("\n.leading dot " + token) != std::string::npos);  // dot-unstuffed
}

TEST_CASE("pop3-test --interactive: typed commands, STLS upgrade, PASS redacted", "[integration][pop3]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string input = "CAPA\nSTLS\nUSER " + tb->get("USER") + "\nPASS\nSTAT\nLIST\nQUIT\n";
  auto r = run_maildiag({"pop3-test", tb->addr("POP3_PORT"), "--interactive", "--ca-file", tb->get("CA_FILE")}, input,
                        {{"MAILDIAG_PASSWORD", tb->get("PASSWORD")}}, std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("<-  +OK Dovecot") != std::string::npos);
  CHECK(r.out.find(" ~> PASS ********") != std::string::npos);
  CHECK(r.out.find("<~  +OK Logged in.") != std::string::npos);
  CHECK(r.out.find(" ~> QUIT") != std::string::npos);
  CHECK(r.out.find(tb->get("PASSWORD")) == std::string::npos);
}

TEST_CASE("pop3-test and imap-test --interactive --json: the session's report is the last line", "[integration][pop3]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  for (const auto& [cmd, port, quit] : {std::tuple{"pop3-test", "POP3_PORT", "QUIT\n"}, {"imap-test", "IMAP_PORT", "logout\n"}}) {
    auto r = run_maildiag({"--json", cmd, tb->addr(port), "--interactive", "--ca-file", tb->get("CA_FILE")}, quit, {},
                          std::chrono::seconds(30));
    INFO(cmd << ": " << r.out << r.err);
    CHECK(r.exit_code == 0);
    auto lines = r.out;
    while (!lines.empty() && lines.back() == '\n') lines.pop_back();
    const auto doc = nlohmann::json::parse(lines.substr(lines.rfind('\n') + 1));  // after the live transcript
    CHECK(doc["command"] == cmd);
    CHECK(doc["status"] == "ok");
    CHECK(doc["findings"].empty());
  }
}
