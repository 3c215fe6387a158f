// Vendor notice formats, kinds that are not failures, and hostile input. The messages are
// written here in the shapes real servers send (the corpus test covers real bytes).

#include "maildiag/bounce/bounce.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::bounce;
using maildiag::codes::Reason;

namespace {
const Recipient& only(const Analysis& a) {
  REQUIRE(a.recipients.size() == 1);
  return a.recipients.front();
}
}  // namespace

TEST_CASE("bounce: Postfix DSN with the text part's command", "[bounce]") {
  const auto a = analyse(
      "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
      "--B\nContent-Type: text/plain\n\n"
      "<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>:\n"
      "    Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n"
      "--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.example.org\n\n"
      "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n"
      "Remote-MTA: dns; mx.example.com\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>: Recipient address rejected: User unknown\n\n"
      "--B\nContent-Type: text/rfc822-headers\n\n"
      "Message-ID: <m1@example.org>\nSubject: =?utf-8?q?h=C3=A9llo?=\nTo: a@example.com\n\n--B--\n");
  CHECK(a.kind == Kind::failure);
  CHECK(a.format == "rfc3464");
  CHECK(a.reporting_mta == "mx.example.org");
  const auto& r = only(a);
  CHECK(r.address == "a@example.com");
  CHECK(r.status->str() == "5.1.1");
  CHECK(r.reply_code == 550);
  CHECK(r.command == "RCPT");
  CHECK(r.reason == Reason::user_unknown);
  CHECK(r.hard);
  CHECK(a.original.message_id == "<m1@example.org>");
  CHECK(a.original.subject == "h\xC3\xA9llo");
}

TEST_CASE("bounce: plain-text notices by structure", "[bounce]") {
  SECTION("qmail") {
    const auto a = analyse(
        "From: MAILER-DAEMON@mx.example.jp\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program at mx.example.jp.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "<b@example.net>:\n192.0.2.2 does not like recipient.\nRemote host said: 552 5.2.2 Mailbox full\n\n"
        "--- Below this line is a copy of the message.\n\nSubject: x\nMessage-ID: <q@x>\n\nbody\n");
    const auto& r = only(a);
    CHECK(r.address == "b@example.net");
    CHECK(r.reply_code == 552);
    CHECK(r.reason == Reason::mailbox_full);
    CHECK_FALSE(r.hard);
    CHECK(a.original.message_id == "<q@x>");
  }
  SECTION("Exim with X-Failed-Recipients") {
    const auto a = analyse(
        "From: Mail Delivery System <Mailer-Daemon@e.example.org>\nX-Failed-Recipients: c@example.ed.jp\n"
        "Subject: Mail delivery failed: returning message to sender\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "  c@example.ed.jp\n    SMTP error from remote mail server after RCPT TO:<c@example.ed.jp>:\n"
        "    host mx.example.ed.jp [192.0.2.3]: 550 5.7.1 Relay access denied\n\n"
        "------ This is a copy of the message, including all the headers. ------\n");
    const auto& r = only(a);
    CHECK(r.command == "RCPT");
    CHECK(r.reason == Reason::relay_denied);
    CHECK(r.remote_mta == "mx.example.ed.jp");
  }
  SECTION("Exchange 2003 and Domino") {
    const auto ex = analyse(
        "From: System Administrator <postmaster@example.jp>\nSubject: Undeliverable: hello\n\n"
        "Your message\n\n  To: s@example.com\n  Subject: hello\n\ndid not reach the following recipient(s):\n\n"
        "k@example.jp on Thu, 29 Apr 2010 00:00:00 -0000\n    The recipient name is not recognized\n");
    CHECK(only(ex).address == "k@example.jp");
    const auto dom = analyse(
        "From: Postmaster@example.jp\nSubject: DELIVERY FAILURE: User not listed\nContent-Type: Text/Plain\n\n"
        "Your message\n\n  Subject: Test\n\nwas not delivered to:\n\n  k@example.jp\n\nbecause:\n\n"
        "  User some.name (k@example.jp) not listed in Domino Directory\n");
    CHECK(only(dom).reason == Reason::user_unknown);
  }
  SECTION("QQ Mail in Chinese, gb18030, base64") {
    // 收件人邮件地址（x@example.cn）不存在，邮件无法送达。
    const auto a = analyse(
        "From: \"PostMaster\" <PostMaster@qq.com>\nSubject: =?gb2312?B?wLTX1HFxLmNvbbXEzcvQxQ==?=\n"
        "Content-Type: text/plain; charset=gb18030\nContent-Transfer-Encoding: base64\n\n"
        "ytW8/sjL08q8/rXY1rejqHhAZXhhbXBsZS5jbqOpsru05tTao6zTyrz+zt63qMvNtO+how==\n");
    CHECK(a.kind == Kind::failure);
    CHECK(a.subject == "\xE6\x9D\xA5\xE8\x87\xAA" "qq.com" "\xE7\x9A\x84\xE9\x80\x80\xE4\xBF\xA1");
    const auto& r = only(a);
    CHECK(r.address == "x@example.cn");
    CHECK(r.reason == Reason::user_unknown);
  }
}

TEST_CASE("bounce: kinds that are not failures", "[bounce]") {
  SECTION("delay notice is soft") {
    const auto a = analyse(
        "From: MAILER-DAEMON@x.org\nSubject: Delayed Mail (still being retried)\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
        "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; d@example.com\nAction: delayed\n"
        "Status: 4.4.1\nDiagnostic-Code: X-Postfix; connect to example.com[192.0.2.9]:25: Connection timed out\n--B--\n");
    CHECK(a.kind == Kind::delay);
    const auto& r = only(a);
    CHECK(r.temporary);
    CHECK_FALSE(r.hard);
    CHECK(r.reason == Reason::network_error);
  }
  SECTION("positive DSN") {
    const auto a = analyse(
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
        "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; e@example.com\nAction: delivered\nStatus: 2.0.0\n--B--\n");
    CHECK(a.kind == Kind::delivered);
    CHECK(only(a).reason == Reason::delivered);
  }
  SECTION("vacation auto-reply") {
    const auto a = analyse("From: Neko <n@example.org>\nAuto-Submitted: auto-replied\nSubject: Out of office\n\nI am away.\n");
    CHECK(a.kind == Kind::auto_reply);
    CHECK(only(a).reason == Reason::vacation);
  }
  SECTION("ARF feedback report") {
    const auto a = analyse(
        "Content-Type: multipart/report; report-type=feedback-report; boundary=B\n\n--B\n"
        "Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\n"
        "Original-Rcpt-To: <f@example.net>\n--B--\n");
    CHECK(a.kind == Kind::feedback);
    CHECK(a.feedback_type == "abuse");
    CHECK(only(a).address == "f@example.net");
  }
  SECTION("ordinary mail with an attached message") {
    const auto a = analyse(
        "From: a@example.com\nTo: b@example.com\nSubject: look at this\n"
        "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee attached\n"
        "--B\nContent-Type: message/rfc822\n\nSubject: Undelivered Mail Returned to Sender\n\nx\n--B--\n");
    CHECK(a.kind == Kind::not_bounce);
    CHECK(a.recipients.empty());
  }
  SECTION("Amazon SES JSON") {
    const auto a = analyse(
        "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
        "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":"
        "[{\"emailAddress\":\"g@example.com\",\"action\":\"failed\",\"status\":\"5.1.1\","
        "\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}]}}\n");
    CHECK(a.format == "amazon-ses");
    CHECK(only(a).reason == Reason::user_unknown);
    CHECK(only(a).reply_code == 550);
  }
}

TEST_CASE("bounce: hostile and empty input never throws", "[bounce]") {
  CHECK(analyse("").kind == Kind::not_bounce);
  CHECK_NOTHROW(analyse(std::string(100000, '@')));
  CHECK_NOTHROW(analyse("Content-Type: multipart/report; boundary=x\n\n--x\n--x\n--x--\n"));
  std::string many = "From: MAILER-DAEMON@x.org\nSubject: failure notice\n\n";
  for (int i = 0; i < 3000; ++i) many += "<u" + std::to_string(i) + "@example.com>:\n550 user unknown\n\n";
  const auto a = analyse(many, Limits{64u << 20, 100, 256u << 10});
  CHECK(a.recipients.size() <= 100);
}

TEST_CASE("bounce: mbox splitting", "[bounce]") {
  const auto parts = split_mbox("From a Mon\nSubject: 1\n\nx\nFrom b Tue\nSubject: 2\n\ny\n");
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].substr(0, 6) == "From b");
  CHECK(split_mbox("Subject: x\n\ny").size() == 1);
  CHECK(split_mbox("").empty());
}
