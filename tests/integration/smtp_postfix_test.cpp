// smtp-test against the test bed's real Postfix: recipient verdicts, relaying, size limits, a
// delivered test message, AUTH, the transcript, PIPELINING round trips, MX walks.

#include "smtp_support.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using maildiag::test::at;
using maildiag::test::smtp_test;

namespace {

std::string write_file(const std::string& name, const std::string& content) {
  const auto p = std::filesystem::temp_directory_path() / ("maildiag-smtp-it-" + name);
  std::ofstream(p) << content;
  return p.string();
}

/// True when a file in the maildir contains needle (delivery takes a few milliseconds).
bool delivered(const std::string& maildir, const std::string& needle) {
  for (int i = 0; i < 40; ++i) {
    for (const char* sub : {"new", "cur"}) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(maildir + "/" + sub, ec)) {
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        if (ss.str().find(needle) != std::string::npos) return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("smtp-test: recipients existing, unknown, greylisted, relay denied", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = smtp_test(*tb, {at(*tb, "SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--to", tb->get("USER"), "--to",
                           tb->get("UNKNOWN_RCPT"), "--to", tb->get("GREY_RCPT"), "--to", tb->get("RELAY_RCPT")});
  INFO(r.ids());
  CHECK(r.exit_code == 2);
  CHECK(r.verdict(0) == "accepted");
  CHECK(r.verdict(1) == "user-unknown");
  CHECK(r.verdict(2) == "greylisted");
  CHECK(r.verdict(3) == "relay-denied");
  CHECK(r.has("smtp.rcpt.user-unknown", "critical"));
  CHECK(r.has("smtp.rcpt.greylisted", "warning"));
  CHECK(r.has("smtp.rcpt.relay-denied", "critical"));
  CHECK(r.data()["stage"] == "rcpt");
  CHECK(r.data()["completed"] == true);
  CHECK(r.data()["recipients"][1]["reply"]["enhanced"] == "5.1.1");
}

TEST_CASE("smtp-test: only a greylisted recipient is a WARNING, an accepted one OK", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto grey = smtp_test(*tb, {at(*tb, "SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--to", tb->get("GREY_RCPT")});
  CHECK(grey.exit_code == 1);
  auto ok = smtp_test(*tb, {at(*tb, "SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--to", tb->get("USER")});
  INFO(ok.ids());
  CHECK(ok.exit_code == 0);
  CHECK(ok.has("smtp.ok", "ok"));
  CHECK(ok.data()["tls"]["verdicts"]["chain"]["status"] == "pass");
}

TEST_CASE("smtp-test: open relay found, closed relay confirmed", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto open = smtp_test(*tb, {at(*tb, "SMTP_OPENRELAY_PORT"), "--ca-file", tb->get("CA_FILE"), "--relay-test"});
  INFO(open.ids());
  CHECK(open.exit_code == 2);
  CHECK(open.has("smtp.relay.open", "critical"));
  CHECK(open.data()["relay_test"]["open"] == true);
  auto closed = smtp_test(*tb, {at(*tb, "SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--relay-test"});
  INFO(closed.ids());
  CHECK(closed.exit_code == 0);
  CHECK(closed.has("smtp.relay.closed", "ok"));
  CHECK(closed.data()["relay_test"]["open"] == false);
}

TEST_CASE("smtp-test: a message over the size limit is refused at MAIL (552)", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  std::string big;
  while (big.size() < 1100000) big += std::string(70, 'a') + "\n";
  const auto file = write_file("big.eml", "Subject: big\n\n" + big);
  auto r = smtp_test(*tb, {at(*tb, "SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--to", tb->get("USER"), "--data",
                           "--data-file", file});
  INFO(r.ids());
  CHECK(r.exit_code == 2);
  CHECK(r.has("smtp.mail.rejected", "critical"));
  CHECK(r.data()["mail"]["code"] == 552);
  CHECK(r.data()["stage"] == "mail");
  CHECK(r.data()["mail"]["classification"]["reason"] == "message-too-big");
}

TEST_CASE("smtp-test: AUTH, pipelined transaction, message delivered, queue ID", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = smtp_test(*tb,
                     {at(*tb, "SUBMISSION_PORT"), "--ca-file", tb->get("CA_FILE"), "--auth-user", tb->get("USER"),
                      "--from", tb->get("USER"), "--to", tb->get("USER2"), "--data", "--header", "X-Smtp-It: yes", "-t"},
                     {{"MAILDIAG_PASSWORD", tb->get("PASSWORD")}});
  INFO(r.ids() << r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.has("smtp.auth.ok", "ok"));
  CHECK(r.has("smtp.data.accepted", "ok"));
  const auto& m = r.data()["message"];
  REQUIRE(m["queue_id"].is_string());
  CHECK(m["server_software"] == "postfix");
  CHECK(m["reply"]["text"].get<std::string>().find(m["queue_id"].get<std::string>()) != std::string::npos);
  // greeting, EHLO, STARTTLS, EHLO, AUTH PLAIN+MAIL+RCPT+DATA, message+QUIT: the protocol minimum
  // (AUTH with its initial response leads the pipelined group).
  CHECK(r.data()["timing"]["round_trips"] == 6);
  CHECK(delivered(tb->get("MAILDIR2"), r.data()["message"]["token"].get<std::string>()));
  // The password is nowhere in the output, the AUTH line is redacted in the transcript.
  CHECK(r.out.find(tb->get("PASSWORD")) == std::string::npos);
  CHECK(r.err.find(tb->get("PASSWORD")) == std::string::npos);
  CHECK(r.out.find("AUTH PLAIN <redacted>") != std::string::npos);
}

TEST_CASE("smtp-test: wrong password is CRITICAL (535) and never shown", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  for (const char* mech : {"PLAIN", "LOGIN"}) {
    auto r = smtp_test(*tb,
                       {at(*tb, "SUBMISSION_PORT"), "--ca-file", tb->get("CA_FILE"), "--auth-user", tb->get("USER"),
                        "--auth-mech", mech, "-t"},
                       {{"MAILDIAG_PASSWORD", "not-the-password-42"}});
    INFO(mech << " " << r.ids());
    CHECK(r.exit_code == 2);
    CHECK(r.has("smtp.auth.failed", "critical"));
    CHECK(r.data()["auth"]["reply"]["code"] == 535);
    CHECK(r.out.find("not-the-password-42") == std::string::npos);
    CHECK(r.out.find("bm90LXRoZS1wYXNzd29yZC00Mg") == std::string::npos);  // its base64
  }
}

TEST_CASE("smtp-test: AUTH before TLS is a warning; credentials stay home unless allowed", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::map<std::string, std::string> env{{"MAILDIAG_PASSWORD", tb->get("PASSWORD")}};
  auto refused = smtp_test(*tb, {at(*tb, "SMTP_PLAINAUTH_PORT"), "--starttls", "never", "--auth-user", tb->get("USER")}, env);
  INFO(refused.ids());
  CHECK(refused.has("smtp.auth.before-tls", "warning"));
  CHECK(refused.has("smtp.auth.plaintext-refused"));
  CHECK(refused.data()["auth"].is_null());
  auto allowed = smtp_test(*tb, {at(*tb, "SMTP_PLAINAUTH_PORT"), "--starttls", "never", "--auth-user",
                                 tb->get("USER"), "--allow-plaintext-auth"},
                           env);
  INFO(allowed.ids());
  CHECK(allowed.exit_code == 1);
  CHECK(allowed.has("smtp.auth.ok", "ok"));
}

TEST_CASE("smtp-test: submission without TLS is refused by the server", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = smtp_test(*tb, {at(*tb, "SUBMISSION_PORT"), "--starttls", "never", "--to", tb->get("USER2")});
  INFO(r.ids());
  CHECK(r.exit_code == 2);
  CHECK(r.data()["mail"]["code"] == 530);
}

TEST_CASE("smtp-test: the transcript has swaks markers and the replies explained", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = maildiag::test::run_maildiag({"--timeout", "5", "smtp-test", at(*tb, "SMTP_PORT"), "--ca-file",
                                         tb->get("CA_FILE"), "--to", tb->get("UNKNOWN_RCPT"), "-t"});
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("<-  220 ") != std::string::npos);
  CHECK(r.out.find(" -> EHLO ") != std::string::npos);
  CHECK(r.out.find("=== TLS started with cipher TLSv1.3") != std::string::npos);
  CHECK(r.out.find(" ~> RCPT TO:<" + tb->get("UNKNOWN_RCPT") + ">") != std::string::npos);
  CHECK(r.out.find("<~* 550 5.1.1") != std::string::npos);
  CHECK(r.out.find("user unknown") != std::string::npos);
  CHECK(r.out.find("<~  221") != std::string::npos);
}

TEST_CASE("smtp-test --mx: preference order, fallback to the next MX, null MX, no domain", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto mx = smtp_test(*tb, {"--mx", tb->get("DOMAIN"), "--port", tb->get("SMTP_PORT"), "--ca-file",
                            tb->get("CA_FILE"), "--to", tb->get("USER")});
  INFO(mx.ids());
  CHECK(mx.exit_code == 0);
  CHECK(mx.data()["host"] == tb->get("MX1"));
  CHECK(mx.data()["address"] == tb->get("MX1_ADDR") + ":" + tb->get("SMTP_PORT"));
  CHECK(mx.data()["tls"]["verdicts"]["name"]["status"] == "pass");

  auto dead = smtp_test(*tb, {"--mx", "deadmx.test", "--port", tb->get("SMTP_PORT"), "--ca-file", tb->get("CA_FILE")});
  INFO(dead.ids());
  CHECK(dead.exit_code == 1);
  CHECK(dead.has("smtp.mx.host-failed", "warning"));
  CHECK(dead.data()["host"] == tb->get("MX1"));

  auto null = smtp_test(*tb, {"--mx", "nullmx.test"});
  CHECK(null.exit_code == 2);
  CHECK(null.has("smtp.mx.null", "critical"));

  auto nx = smtp_test(*tb, {"nx.test"});
  CHECK(nx.exit_code == 3);
  CHECK(nx.has("smtp.dns", "unknown"));
}

TEST_CASE("smtp-test over IPv6", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  if (tb->get("IPV6") != "1") {
    WARN("SKIPPED: the test bed has no ::1 listeners");
    return;
  }
  auto r = smtp_test(*tb, {"[::1]:" + tb->get("SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--to", tb->get("USER")});
  INFO(r.ids());
  CHECK(r.exit_code == 0);
  CHECK(r.data()["address"] == "[::1]:" + tb->get("SMTP_PORT"));
}
