// Notice structures read without a DSN part: session transcripts, terse "reason: address" lines,
// replies that quote the recipient, list-manager refusals, complaints without ARF, reports
// forwarded, attached or appended inside other messages. Messages are written here in the shapes
// real servers send (the corpus test covers real bytes).

#include "maildiag/bounce/bounce.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace maildiag::bounce;
using maildiag::codes::Reason;

namespace {

const Recipient& only(const Analysis& a) {
  REQUIRE(a.recipients.size() == 1);
  return a.recipients.front();
}

std::string notice(std::string_view subject, std::string_view body) {
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nSubject: " + std::string(subject) +
         "\n\n" + std::string(body);
}

}  // namespace

TEST_CASE("bounce: sendmail transcripts belong to the recipient line they explain", "[bounce]") {
  const auto a = analyse(notice("Returned mail: User unknown",
                                "   ----- Transcript of session follows -----\n"
                                "While talking to relay.example.org:\n"
                                ">>> MAIL From:<s@example.jp>\n"
                                "<<< 501 <s@example.jp>... no access from mail server [192.0.2.5] which is an open relay.\n"
                                "554 <k@example.org>... Remote protocol error\n"
                                "550 example.net (smtp)... 550 Host unknown\n"
                                "554 <m@example.net>... 550 Host unknown (Authoritative answer from name server)\n"
                                "While talking to smtp.example.edu:\n"
                                ">>> RCPT To:<h@example.edu>\n"
                                "<<< 550 <h@example.edu>... User unknown\n"
                                "550 <h@example.edu>... User unknown\n"
                                "   ----- Unsent message follows -----\n"
                                "Subject: x\n\nbody\n"));
  REQUIRE(a.recipients.size() == 3);  // the sender echoed at MAIL FROM is no recipient
  CHECK(a.recipients[0].address == "k@example.org");
  CHECK(a.recipients[0].reply_code == 501);
  CHECK(a.recipients[0].reason == Reason::blocked);  // judged an open relay
  CHECK(a.recipients[1].address == "m@example.net");
  CHECK(a.recipients[1].reply_code == 550);
  CHECK(a.recipients[1].reason == Reason::host_unknown);
  CHECK(a.recipients[2].address == "h@example.edu");
  CHECK(a.recipients[2].command == "RCPT");
  CHECK(a.recipients[2].reason == Reason::user_unknown);
}

TEST_CASE("bounce: a transcript under a recipient line is that recipient's session", "[bounce]") {
  const auto a = analyse(notice("Mail System Error - Returned Mail",
                                "Each of the following recipients was rejected by a remote\nmail server.\n\n"
                                "    Recipient: <u@example.ne.jp>\n"
                                "    >>> RCPT TO:<u@example.ne.jp>\n"
                                "    <<< 550 <u@example.ne.jp>: User unknown\n"));
  const auto& r = only(a);
  CHECK(r.reply_code == 550);
  CHECK(r.command == "RCPT");
  CHECK(r.reason == Reason::user_unknown);
}

TEST_CASE("bounce: DragonFly Mail Agent notices", "[bounce]") {
  const auto a = analyse(notice("Mail delivery failed",
                                "This is the DragonFly Mail Agent v0.13 at df.example.jp.\n\n"
                                "There was an error delivering your mail to <a@example.net>.\n\n"
                                "mx.example.net [192.0.2.25] did not like our RCPT TO:\n"
                                "550 5.7.26 <a@example.net>: Recipient address rejected: Multiple authentication checks failed\n\n"
                                "Message headers follow.\n\n"));
  const auto& r = only(a);
  CHECK(r.status->str() == "5.7.26");
  CHECK(r.reply_code == 550);
  CHECK(r.command == "RCPT");
  CHECK(r.reason == Reason::sender_auth_failed);
  // The reason in the paragraph after the address line.
  const auto b = analyse(notice("Mail delivery failed",
                                "There was an error delivering your mail to <p@cx.example.org>.\n\n"
                                "DNS lookup failure: host cx.example.org not found\n\n"));
  CHECK(only(b).reason == Reason::host_unknown);
}

TEST_CASE("bounce: terse 'reason: address' notices and envelope quotes", "[bounce]") {
  SECTION("IMail") {
    const auto full = analyse(
        "From: \"Postmaster\" <postmaster@example.co.jp>\nSubject: Undeliverable Mail\n\n"
        "User mailbox exceeds allowed size: k@example.co.jp\n\nOriginal message follows.\n");
    CHECK(only(full).address == "k@example.co.jp");
    CHECK(only(full).reason == Reason::mailbox_full);
    const auto retries = analyse(
        "From: \"Postmaster\" <postmaster@example.net>\nSubject: Undeliverable Mail\n\n"
        "Delivery failed 20 attempts: k@example.com\n\nOriginal message follows.\n");
    CHECK(only(retries).reason == Reason::expired);
  }
  SECTION("a notice that quotes the envelope (RCPT TO:) and the refusal") {
    const auto a = analyse(
        "From: post_master@vtext.example.com\nSubject: Re: hello\n\n"
        "Error: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\n"
        "Message details:\n  Subject: hello\n  MAIL FROM: s@example.com\n  RCPT TO: 5550100@vtext.example.com\n"
        "  From: s@example.com\n");
    const auto& r = only(a);  // MAIL FROM is no recipient
    CHECK(r.address == "5550100@vtext.example.com");
    CHECK(r.reply_code == 550);
    CHECK(r.reason == Reason::user_unknown);
  }
  SECTION("a Postfix SMTP server transcript to the postmaster") {
    const auto a = analyse(notice("Postfix SMTP server: errors from localhost[127.0.0.1]",
                                  "Transcript of session follows.\n\n"
                                  " Out: 220 mx.example.com ESMTP\n In:  EHLO client.example.com\n Out: 250 mx.example.com\n"
                                  " In:  MAIL FROM:<s@example.org>\n Out: 250 2.1.0 Ok\n"
                                  " In:  RCPT TO:<k@example.net>\n Out: 250 2.1.5 Ok\n"
                                  " In:  DATA\n Out: 354 End data with <CR><LF>.<CR><LF>\n"
                                  " Out: 451 4.3.0 Error: queue file write error\n In:  QUIT\n Out: 221 2.0.0 Bye\n"));
    const auto& r = only(a);
    CHECK(r.address == "k@example.net");
    CHECK(r.reply_code == 451);
    CHECK(r.status->str() == "4.3.0");
    CHECK(r.command == "DATA");
  }
}

TEST_CASE("bounce: where a no-such-user reply was said decides user-unknown or filtered", "[bounce]") {
  // "550 : User unknown": no address in the reply, so it answered DATA, not RCPT.
  const auto data = analyse(notice("Failure Notice",
                                   "Sorry, we were unable to deliver your message to the following address.\n\n"
                                   "<f@example.ne.jp>:\n550: : User unknown\n\n--- Below this line is a copy of the message.\n"));
  CHECK(only(data).command == "DATA");
  CHECK(only(data).reason == Reason::filtered);
  const auto rcpt = analyse(notice("Failure Notice",
                                   "Sorry, we were unable to deliver your message to the following address.\n\n"
                                   "<f@example.ne.jp>:\n550: <f@example.ne.jp>: User unknown\n\n--- Below this line is a copy of the message.\n"));
  CHECK(only(rcpt).reason == Reason::user_unknown);
  // m-FILTER names the command in its own section.
  const auto label = analyse(notice("failure notice", "k@example.com\n-------server message\n550 unknown user <k@example.com>\n"
                                                      "-------SMTP command\nDATA\n-------original message\n"));
  CHECK(only(label).command == "DATA");
  // "553 example.com does not exist": a domain, not a mailbox.
  const auto domain = analyse(notice("Mail delivery failed",
                                     "The following address(es) failed:\n\n  k@example.net\n"
                                     "    SMTP error from remote mail server after end of data:\n"
                                     "    553 sender.example.com does not exist\n"));
  CHECK(only(domain).reason == Reason::host_unknown);
}

TEST_CASE("bounce: codes the notice states around the recipient", "[bounce]") {
  SECTION("the reply line stands before the recipient list") {
    const auto a = analyse(notice("Undeliverable Mail",
                                  "Your message:\n   Subject: x\n\nCould not be delivered because of\n\n550 5.1.1 User unknown\n\n"
                                  "The following recipients were affected: \n\n    k@example.com\n\nAdditional Information\n"));
    const auto& r = only(a);
    CHECK(r.status->str() == "5.1.1");
    CHECK(r.reply_code == 550);
  }
  SECTION("a relay's own code before the remote reply") {
    const auto a = analyse(
        "From: MAILER-DAEMON@email-bounces.amazonses.com\nSubject: Delivery Status Notification (Failure)\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Final-Recipient: rfc822; k@example.jp\nAction: failed\nStatus: 5.0.0 (permanent failure)\n"
        "Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.2.2 <k@example.jp>... Mailbox Full' (delivery attempts: 0)\n\n--B--\n");
    CHECK(only(a).status->str() == "5.2.2");
    CHECK(only(a).reason == Reason::mailbox_full);
  }
  SECTION("a Status contradicting its reply") {
    const auto a = analyse(
        "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Final-Recipient: rfc822; k@example.fr\nAction: failed\nStatus: 4.5.0\n"
        "Diagnostic-Code: smtp; 550 5.5.0 Service refused\n\n--B--\n");
    CHECK(only(a).status->str() == "5.5.0");
  }
  SECTION("a greeting before the refusal") {
    const auto a = analyse(
        "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Final-Recipient: rfc822; k@example.fr\nAction: failed\nStatus: 4.2.1\n"
        "Diagnostic-Code: smtp; 220-mx 421 4.2.1 Service refused, please try later\n\n--B--\n");
    CHECK(only(a).reply_code == 421);
  }
}

TEST_CASE("bounce: the sending server's give-up line means expired", "[bounce]") {
  const auto a = analyse(notice("Returned mail: Cannot send message for 5 days",
                                "   ----- Transcript of session follows -----\n"
                                "421 example.com (smtp)... Deferred: Connection timed out during user open with example.com\n"
                                "<k@example.com>\n"));
  CHECK(only(a).reason == Reason::expired);
  const auto b = analyse(notice("failure notice",
                                "<k@example.org>:\nunable to connect to remote server [192.0.2.2:25]: Operation timed out\n"
                                "I'm not going to try again; this message has been in the queue too long.\n"));
  CHECK(only(b).reason == Reason::expired);
  // The cause still wins when it is no network trouble.
  const auto c = analyse(notice("failure notice",
                                "<k@example.org>:\nConnected to 192.0.2.112 but my name was rejected.\n"
                                "Remote host said: 501 5.0.0 Invalid domain name\n"
                                "I'm not going to try again; this message has been in the queue too long.\n"));
  CHECK(only(c).reason == Reason::blocked);
}

TEST_CASE("bounce: mailing-list managers' refusals", "[bounce]") {
  const auto a = analyse(
      "From: list-admin@example.org\nTo: s@example.net\nX-MLServer: fml [fml 4.0.3]\n"
      "List-Subscribe: <mailto:list-ctl@example.org?body=subscribe>\nSubject: You s@example.net are not member (list ML)\n\n"
      "You are not a member of this mailing list <list@example.org>.\n");
  CHECK(a.kind == Kind::failure);
  CHECK(a.format == "mailing-list");
  CHECK(only(a).address == "list@example.org");
  CHECK(only(a).reason == Reason::sender_rejected);
  const auto loop = analyse(
      "From: list-admin@example.org\nX-MLServer: fml\nSubject: Loop Alert: Duplicated Message-ID (list ML)\n\n"
      "Duplicated Message-ID in <m@example.org>.\n");
  CHECK(only(loop).reason == Reason::system_error);
  // A list post from a member carries the same headers and is no refusal.
  const auto post = analyse(
      "From: member@example.net\nX-MLServer: fml\nList-Id: <list.example.org>\nSubject: not member of the board\n\n"
      "You are not a member of this committee, are you?\n");
  CHECK(post.kind == Kind::not_bounce);
}

TEST_CASE("bounce: complaints and opt-outs without an ARF part", "[bounce]") {
  const auto hotmail = analyse(
      "From: staff@hotmail.com\nSubject: complaint about message from 192.0.2.222\n"
      "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
      "--B\nContent-Type: message/rfc822\n\nX-HmXmrOriginalRecipient: c@example.com\nTo: c@example.com\n"
      "From: s@example.net\nSubject: hello\n\nbody\n--B--\n");
  CHECK(hotmail.kind == Kind::feedback);
  CHECK(hotmail.feedback_type == "abuse");
  CHECK(only(hotmail).address == "c@example.com");
  CHECK(only(hotmail).reason == Reason::feedback);
  const auto apple = analyse(
      "From: u@icloud.example\nTo: opt-out-1@example.org\nSubject: unsubscribe\nAuto-Submitted: auto-replied\n"
      "X-Apple-Unsubscribe: true\n\nApple Mail sent this email to unsubscribe from the message.\n");
  CHECK(apple.kind == Kind::feedback);
  CHECK(apple.feedback_type == "opt-out");
  CHECK(only(apple).address == "u@icloud.example");
}

TEST_CASE("bounce: reports inside other messages", "[bounce]") {
  const std::string inner =
      "Return-Path: <>\nFrom: MAILER-DAEMON@relay.example.jp (Mail Delivery System)\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"I\"\n\n"
      "--I\nContent-Type: message/delivery-status\n\n"
      "Final-Recipient: rfc822; k@example.ne.jp\nAction: failed\nStatus: 5.1.1\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <k@example.ne.jp>: User unknown\n\n--I--\n";
  SECTION("pasted into a plain-text wrapper") {
    const auto a = analyse("From: MAILER-DAEMON@mail.example.ne.jp\nSubject: Undelivered Mail Returned to Sender\n\n"
                           "The following is the error message.\n----------\n\n" + inner);
    CHECK(only(a).address == "k@example.ne.jp");
    CHECK(only(a).reason == Reason::user_unknown);
  }
  SECTION("attached to a notice that names no recipient") {
    const auto a = analyse("From: MAILER-DAEMON@gw.example.co.jp\nSubject: Returned mail\n"
                           "Content-Type: multipart/mixed; boundary=\"O\"\n\n"
                           "--O\nContent-Type: text/plain\n\n----- The following addresses had permanent delivery errors -----\n\n"
                           "--O\nContent-Type: message/rfc822\n\n" + inner + "--O--\n");
    CHECK(only(a).status->str() == "5.1.1");
  }
  SECTION("appended after the final boundary behind an mbox From line") {
    const auto a = analyse(inner + "From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n" + inner);
    CHECK(a.recipients.size() == 2);
  }
}

TEST_CASE("bounce: SES notifications inside an SNS envelope", "[bounce]") {
  const auto a = analyse(
      "From: SES <no-reply@sns.amazonaws.com>\nSubject: AWS Notification Message\nContent-Type: text/plain\n\n"
      "{\n  \"Type\" : \"Notification\",\n  \"Message\" : \"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":"
      "{\\\"bounceType\\\":\\\"Permanent\\\",\\\"bouncedRecipients\\\":[{\\\"emailAddress\\\":\\\"b@example.com\\\","
      "\\\"action\\\":\\\"failed\\\",\\\"status\\\":\\\"5.1.1\\\",\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 user unknown\\\"}]}}\"\n}\n");
  CHECK(a.format == "amazon-ses");
  CHECK(only(a).address == "b@example.com");
  CHECK(only(a).reply_code == 550);
  CHECK(only(a).reason == Reason::user_unknown);
}

TEST_CASE("bounce: X-Failed-Recipients is bounded by max_recipients", "[bounce]") {
  std::string msg = "From: Mailer-Daemon@e.example.org\nSubject: Mail delivery failed\nX-Failed-Recipients: ";
  for (int i = 0; i < 50; ++i) msg += (i ? ", u" : "u") + std::to_string(i) + "@example.org";
  msg += "\n\nThis message was created automatically by mail delivery software.\n";
  Limits tiny;
  tiny.max_recipients = 3;
  CHECK(analyse(msg, tiny).recipients.size() == 3);
  CHECK(analyse(msg).recipients.size() == 50);
}
