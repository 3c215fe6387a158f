// Reason rules that need a whole report to decide (docs/bounce.md, "Reasons, hard and soft"):
// which SMTP command a pipelined transcript's refusal answered, a cause named beside an expiry.
// Reports are written here in the shapes real MTAs send.

#include "maildiag/bounce/bounce.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace maildiag::bounce;
using maildiag::codes::Reason;

namespace {

/// A sendmail DSN: the human part (recipient line, reason, transcript) and the delivery-status part.
std::string sendmail_dsn(std::string_view transcript, std::string_view status, std::string_view diagnostic) {
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.jp>\n"
         "Subject: Returned mail: see transcript for details\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
         "--B\n\n"
         "   ----- The following addresses had permanent fatal errors -----\n"
         "<u@example.fr>\n"
         "    (reason: " + std::string(diagnostic) + ")\n\n"
         "   ----- Transcript of session follows -----\n" + std::string(transcript) +
         "\n--B\nContent-Type: message/delivery-status\n\n"
         "Reporting-MTA: dns; mx.example.jp\n\n"
         "Final-Recipient: RFC822; u@example.fr\nAction: failed\nStatus: " + std::string(status) +
         "\nRemote-MTA: DNS; smtp.example.fr\nDiagnostic-Code: SMTP; " + std::string(diagnostic) + "\n--B--\n";
}

}  // namespace

TEST_CASE("bounce: a pipelined transcript's RCPT refusal after >>> DATA is a RCPT refusal", "[bounce]") {
  // With PIPELINING sendmail sends RCPT and DATA together: the transcript shows ">>> DATA", then
  // the RCPT reply, then sendmail's own verdict for the recipient with an addressing code.
  const auto a = analyse(sendmail_dsn("... while talking to smtp.example.fr.:\n"
                                      ">>> DATA\n"
                                      "<<< 550 5.5.0 Invalid recipient. LPN007_416\n"
                                      "550 5.1.1 <u@example.fr>... User unknown\n"
                                      "<<< 554 5.5.1 Error: no valid recipients\n",
                                      "5.5.0", "550 5.5.0 Invalid recipient. LPN007_416"));
  REQUIRE(a.recipients.size() == 1);
  const auto& r = a.recipients.front();
  CHECK(r.command == "RCPT");
  CHECK(r.reason == Reason::user_unknown);
  CHECK(r.status->str() == "5.5.0");  // the stated Status is kept
  CHECK(r.hard);
}

TEST_CASE("bounce: a no-such-user refusal after DATA without an addressing verdict stays filtered", "[bounce]") {
  // The same shape, but the server refused the message after DATA and sendmail's verdict carries
  // no x.1.x code: the mailbox was accepted at RCPT and refuses this message.
  const auto a = analyse(sendmail_dsn("... while talking to smtp.example.fr.:\n"
                                      ">>> DATA\n"
                                      "<<< 550 5.7.1 Unknown user u@example.fr\n"
                                      "554 5.0.0 Service unavailable\n",
                                      "5.0.0", "550 5.7.1 Unknown user u@example.fr"));
  REQUIRE(a.recipients.size() == 1);
  CHECK(a.recipients.front().command == "DATA");
  CHECK(a.recipients.front().reason == Reason::filtered);
}

TEST_CASE("bounce: a cause named beside an expiry, and 5.3.2's 'not accepting network messages'", "[bounce]") {
  const auto expired = analyse(sendmail_dsn("", "5.4.312", "550 5.4.312 Message expired, DNS query failed"));
  REQUIRE(expired.recipients.size() == 1);
  CHECK(expired.recipients.front().reason == Reason::network_error);

  const auto plain = analyse(sendmail_dsn("", "4.4.7", "550 4.4.7 QUEUE.Expired; message expired"));
  REQUIRE(plain.recipients.size() == 1);
  CHECK(plain.recipients.front().reason == Reason::expired);

  const auto closed = analyse(sendmail_dsn(
      "", "5.3.2", "521 5.3.2 <u@example.fr>: Recipient address rejected: System not accepting network messages"));
  REQUIRE(closed.recipients.size() == 1);
  CHECK(closed.recipients.front().reason == Reason::not_accepting);
  CHECK(closed.recipients.front().hard);
}

TEST_CASE("bounce: a reply code followed by a colon (\"550: 5.2.2 ...\") is the reply code", "[bounce]") {
  const auto a = analyse(sendmail_dsn("", "5.2.2", "550: 5.2.2 <u@example.fr>... Mailbox Full"));
  REQUIRE(a.recipients.size() == 1);
  CHECK(a.recipients.front().reply_code == 550);
  CHECK(a.recipients.front().reason == Reason::mailbox_full);
  // A clock time is no reply code.
  const auto t = analyse(sendmail_dsn("", "4.4.1", "connect to mx.example.fr: Connection timed out at 12:30: 45"));
  REQUIRE(t.recipients.size() == 1);
  CHECK_FALSE(t.recipients.front().reply_code.has_value());
}

TEST_CASE("bounce: the reply code is the one that carries the stated Status", "[bounce]") {
  // Amazon SES: its own "554 4.4.7" summary (a 5xx code with a 4.x.x status) before the remote
  // server's last reply; the Status field names the remote reply's code.
  const auto a = analyse(sendmail_dsn(
      "", "4.4.2", "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>"));
  REQUIRE(a.recipients.size() == 1);
  CHECK(a.recipients.front().reply_code == 421);
  CHECK(a.recipients.front().status->str() == "4.4.2");
  CHECK(a.recipients.front().reason == Reason::expired);
}
