// maildiag diagnose against the loopback test bed: each scenario ends with its verdict class.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

using maildiag::test::run_maildiag;

namespace {

struct Outcome {
  int exit_code;
  std::string cause;
  std::string sentence;
  nlohmann::json json;
};

Outcome diagnose(const maildiag::test::Testbed& tb, std::vector<std::string> extra) {
  std::vector<std::string> args{"--json", "--timeout", "4", "--dns-server", tb.get("DNS_SERVERS"), "diagnose",
                                "--ca-file", tb.get("CA_FILE"), "--allow-private"};
  // Defaults a scenario may override: the bed's SMTP port, and a control host that answers.
  const auto has = [&](const char* opt) { return std::find(extra.begin(), extra.end(), opt) != extra.end(); };
  if (!has("--port")) args.insert(args.end(), {"--port", tb.get("SMTP_PORT")});
  if (!has("--control")) args.insert(args.end(), {"--control", "127.0.0.1:" + tb.get("SMTP_PORT")});
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_maildiag(args, {}, {}, std::chrono::seconds(90));
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE_FALSE(r.out.empty());
  auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  return {r.exit_code, j["data"]["verdict"]["cause"], j["data"]["verdict"]["sentence"], j};
}

/// An RFC 3464 NDR for one recipient, as a sender's MTA would return it after giving up.
std::string ndr(const std::string& rcpt, const std::string& status, const std::string& diagnostic) {
  return "From: MAILER-DAEMON@mx.example\r\nTo: sender@example.org\r\n"
         "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
         "--B\r\nContent-Type: text/plain\r\n\r\n"
         "I'm sorry to have to inform you that your message could not be delivered.\r\n"
         "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
         "Final-Recipient: rfc822; " + rcpt + "\r\nAction: failed\r\nStatus: " + status +
         "\r\nDiagnostic-Code: " + diagnostic + "\r\n\r\n--B--\r\n";
}

/// Writes the NDR to a temporary file, runs `diagnose --bounce FILE` with `extra`, removes it.
Outcome diagnose_ndr(const maildiag::test::Testbed& tb, const std::string& text, std::vector<std::string> extra) {
  static int n = 0;
  const std::string path = "/tmp/maildiag-diagnose-ndr-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".eml";
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  extra.insert(extra.end(), {"--bounce", path});
  auto o = diagnose(tb, extra);
  std::remove(path.c_str());
  return o;
}

}  // namespace

TEST_CASE("diagnose: an existing mailbox is deliverable", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto o = diagnose(*tb, {tb->get("USER")});
  CHECK(o.cause == "deliverable");
  CHECK(o.json["data"]["steps"].contains("smtp-test"));
}

TEST_CASE("diagnose: an unknown user will bounce (550 5.1.1)", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto o = diagnose(*tb, {tb->get("UNKNOWN_RCPT")});
  CHECK(o.cause == "user-unknown");
  CHECK(o.exit_code == 2);
  CHECK(o.sentence.find("550 5.1.1") != std::string::npos);
}

TEST_CASE("diagnose: greylisting is a warning that resolves itself", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto o = diagnose(*tb, {tb->get("GREY_RCPT")});
  CHECK(o.cause == "greylisted");
  CHECK(o.exit_code >= 1);
}

TEST_CASE("diagnose: DNS decides null MX and an MX without address", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto n = diagnose(*tb, {"someone@nullmx.test"});
  CHECK(n.cause == "null-mx");
  CHECK(n.exit_code == 2);
  CHECK_FALSE(n.json["data"]["steps"].contains("probe"));  // later steps skipped
  auto a = diagnose(*tb, {"noaddr.test"});
  CHECK(a.cause == "mx-without-address");
}

TEST_CASE("diagnose: port 25 filtered for the target only, or for everyone", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // implicit.test receives on 127.0.0.1 (no MX), where the bed's filtered port drops SYNs;
  // the control host answers on the SMTP port: the remote side is the problem.
  auto remote = diagnose(*tb, {"--port", tb->get("FILTERED_PORT"), "someone@implicit.test"});
  CHECK(remote.cause == "remote-unreachable");
  // Control hosts filtered too: our side looks blocked.
  auto local = diagnose(*tb, {"--port", tb->get("FILTERED_PORT"), "--control", "127.0.0.1:" + tb->get("FILTERED_PORT"),
                              "someone@implicit.test"});
  CHECK(local.cause == "outbound-blocked");
  CHECK(local.exit_code == 2);
}

TEST_CASE("diagnose --bounce re-checks the failed recipient of an NDR", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string path = "/tmp/maildiag-diagnose-bounce-" + std::to_string(::getpid()) + ".eml";
  {
    std::ofstream f(path);
    f << "From: MAILER-DAEMON@mx.example\r\nTo: sender@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
         "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n"
         "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
      << "Final-Recipient: rfc822; " << tb->get("UNKNOWN_RCPT")
      << "\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n--B--\r\n";
  }
  auto o = diagnose(*tb, {"--bounce", path});
  std::remove(path.c_str());
  CHECK(o.cause == "user-unknown");
  CHECK(o.json["data"]["bounce"]["reason"] == "user-unknown");
}

TEST_CASE("diagnose: an expired certificate on an otherwise healthy server", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // implicit.test receives on 127.0.0.1 (no MX); the bed's EXPIRED port serves the expired
  // certificate. With only a domain the SMTP step ends after STARTTLS.
  auto o = diagnose(*tb, {"--port", tb->get("SMTP_EXPIRED_PORT"), "implicit.test"});
  CHECK(o.cause == "tls-cert-expired");
  CHECK(o.sentence.find("expired") != std::string::npos);
  CHECK(o.exit_code >= 1);
  CHECK(o.json["data"]["verdict"]["step"] == "smtp");
}

TEST_CASE("diagnose: a server that is not responsible for the domain denies relaying", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // implicit.test points at the bed's Postfix, which receives only for mail.test.
  auto o = diagnose(*tb, {"someone@implicit.test"});
  CHECK(o.cause == "relay-denied");
  CHECK(o.exit_code == 2);
  CHECK(o.sentence.find("554 5.7.1") != std::string::npos);
  CHECK(o.json["data"]["verdict"]["step"] == "rcpt");
}

TEST_CASE("diagnose --bounce: an NDR for each scenario is re-checked and confirmed", "[integration][diagnose]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string filtered = tb->get("FILTERED_PORT");
  struct Case {
    const char* name;
    std::string rcpt, status, diagnostic;
    std::vector<std::string> extra;
    const char* cause;
    const char* reason;  // what the bounce said (bounce classifier), "" = not checked
  };
  const std::vector<Case> cases{
      {"unknown user", tb->get("UNKNOWN_RCPT"), "5.1.1",
       "smtp; 550 5.1.1 <" + tb->get("UNKNOWN_RCPT") + ">: Recipient address rejected: User unknown in virtual mailbox table",
       {}, "user-unknown", "user-unknown"},
      {"null MX", "someone@nullmx.test", "5.1.10", "X-Postfix; mail for nullmx.test is not accepted (null MX)", {},
       "null-mx", ""},
      {"MX without address", "someone@noaddr.test", "5.4.4",
       "X-Postfix; Host or domain name not found. Name service error for name=mx.noaddr.test type=A: Host found but "
       "no data record of requested type",
       {}, "mx-without-address", ""},
      {"port 25 filtered at the target", "someone@implicit.test", "4.4.1",
       "X-Postfix; connect to implicit.test[127.0.0.1]:25: Connection timed out", {"--port", filtered},
       "remote-unreachable", ""},
      {"outbound port 25 blocked", "someone@implicit.test", "4.4.1",
       "X-Postfix; connect to implicit.test[127.0.0.1]:25: Connection timed out",
       {"--port", filtered, "--control", "127.0.0.1:" + filtered}, "outbound-blocked", ""},
      {"greylisted", tb->get("GREY_RCPT"), "4.7.1",
       "smtp; 450 4.7.1 <" + tb->get("GREY_RCPT") + ">: Recipient address rejected: Greylisted, please try again later",
       {}, "greylisted", "greylisted"},
      // The bed's expired-certificate port also refuses to relay for implicit.test: the refusal
      // is today's root cause, and the certificate problem the bounce named is confirmed beside it.
      {"expired certificate", "someone@implicit.test", "4.7.5",
       "X-Postfix; TLS is required, but the server certificate has expired", {"--port", tb->get("SMTP_EXPIRED_PORT")},
       "relay-denied", ""},
      {"relay denied", "someone@implicit.test", "5.7.1",
       "smtp; 554 5.7.1 <someone@implicit.test>: Relay access denied", {}, "relay-denied", "relay-denied"},
  };
  for (const auto& c : cases) {
    INFO("scenario: " << c.name);
    auto o = diagnose_ndr(*tb, ndr(c.rcpt, c.status, c.diagnostic), c.extra);
    INFO("bounce: " << o.json["data"]["bounce"].dump());
    CHECK(o.cause == c.cause);
    CHECK(o.json["data"]["bounce"]["status"].get<std::string>().find(c.status) != std::string::npos);
    if (*c.reason != '\0') CHECK(o.json["data"]["bounce"]["reason"] == c.reason);
    CHECK(o.json["data"]["bounce"]["confirmed"] == true);
  }
}
