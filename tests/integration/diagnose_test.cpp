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
