// One test per fuzzing finding (docs/reliability.md, "Findings"): the input that exposed it, in
// a readable form, and the behaviour now expected. The raw fuzz inputs are replayed as well
// (tests/fuzz/regressions/, ctest fuzz_replay.*).

#include "maildiag/bounce/bounce.hpp"
#include "maildiag/log/event.hpp"
#include "maildiag/log/story.hpp"
#include "maildiag/log/syslog.hpp"
#include "maildiag/message/date.hpp"
#include "maildiag/message/header_block.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using maildiag::message::parse_headers;

TEST_CASE("regression F1: stray continuation lines do not grow the problem list without bound",
          "[reliability][regression][message]") {
  // 200 000 lines of " x" before any field: each used to add one sentence (2 million sentences,
  // hundreds of MiB, for a 4 MiB header block).
  std::string block;
  for (int i = 0; i < 200'000; ++i) block += " x\n";
  block += "Subject: after the noise\n\nbody\n";
  const auto b = parse_headers(block);
  CHECK(b.problems.size() <= 100);
  CHECK_FALSE(b.problems.empty());
  CHECK(b.problems.front().find("line 1 ") != std::string::npos);
  REQUIRE(b.headers.size() == 1);
  CHECK(b.headers.front().name == "Subject");
  CHECK(b.get("subject") == "after the noise");
}

// Fixed in the bounce reader (2026-11-23); the fuzz reproducer moved from tests/fuzz/pending/ to
// tests/fuzz/regressions/bounce/.
TEST_CASE("regression F3: X-Failed-Recipients cannot add more than Limits::max_recipients",
          "[reliability][regression][bounce]") {
  std::string msg =
      "From: Mail Delivery System <Mailer-Daemon@e1.example.org>\n"
      "Subject: Mail delivery failed: returning message to sender\n"
      "Auto-Submitted: auto-replied\n"
      "X-Failed-Recipients: ";
  for (int i = 0; i < 3000; ++i) msg += (i ? ", u" : "u") + std::to_string(i) + "@example.org";
  msg += "\n\nThis message was created automatically by mail delivery software.\n";
  maildiag::bounce::Limits tiny;
  tiny.max_recipients = 2;
  CHECK(maildiag::bounce::analyse(msg, tiny).recipients.size() <= 2);
  CHECK(maildiag::bounce::analyse(msg).recipients.size() <= maildiag::bounce::Limits{}.max_recipients);
}

TEST_CASE("regression F5: a date number of more than 9 digits is refused, without an int overflow",
          "[reliability][regression][message]") {
  // Found by the date and received targets under UBSan: to_int() overflowed (undefined behaviour).
  CHECK_FALSE(maildiag::message::parse_date("Thu, 1000000000000000000000000000000 Jul 0998 14:53:31 EST5EDT"));
  CHECK_FALSE(maildiag::message::parse_date("11 Sep 20055555555555555555555 12:54:31 +0100"));
  CHECK_FALSE(maildiag::message::parse_date("Thu, 16 Jul 1998 99999999999:53:31 +0000"));
  CHECK(maildiag::message::parse_date("Thu, 16 Jul 1998 14:53:31 +0000"));
}

TEST_CASE("regression F6: a story's timeline stays within max_timeline, session lines included",
          "[reliability][regression][log]") {
  // The pre-queue session lines were copied into the story without the cap.
  using namespace maildiag;
  log::TrackerLimits lim;
  lim.max_timeline = 2;
  log::Tracker tracker(lim);
  std::vector<log::Story> done;
  const std::vector<std::string> lines{
      "Nov 23 10:00:00 mx postfix/smtpd[7]: connect from client.example[192.0.2.1]",
      "Nov 23 10:00:01 mx postfix/smtpd[7]: Anonymous TLS connection established from client.example[192.0.2.1]: "
      "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
      "Nov 23 10:00:02 mx postfix/smtpd[7]: warning: hostname client.example does not resolve to address 192.0.2.1",
      "Nov 23 10:00:03 mx postfix/smtpd[7]: NOQUEUE: reject: RCPT from client.example[192.0.2.1]: 554 5.7.1 "
      "<x@relay.example>: Relay access denied; from=<a@client.example> to=<x@relay.example> proto=ESMTP helo=<c>",
      "Nov 23 10:00:04 mx postfix/smtpd[7]: ABC123DEF: client=client.example[192.0.2.1]",
      "Nov 23 10:00:05 mx postfix/cleanup[8]: ABC123DEF: message-id=<m@client.example>",
      "Nov 23 10:00:06 mx postfix/qmgr[9]: ABC123DEF: from=<a@client.example>, size=100, nrcpt=1 (queue active)",
      "Nov 23 10:00:07 mx postfix/smtp[10]: ABC123DEF: to=<b@example.org>, relay=mx.example.org[198.51.100.1]:25, "
      "delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
      "Nov 23 10:00:08 mx postfix/qmgr[9]: ABC123DEF: removed",
  };
  for (const auto& l : lines) {
    const auto parsed = log::parse_syslog(l);
    REQUIRE(parsed);
    log::Event ev;
    (void)log::parse_event(*parsed, ev);
    tracker.feed(*parsed, ev, 1'700'000'000, done);
  }
  tracker.finish(done);
  REQUIRE(done.size() == 2);  // the NOQUEUE reject and the delivered message
  for (const auto& s : done) {
    INFO("story " << s.queue_id << ", dropped " << s.timeline_dropped);
    CHECK(s.timeline.size() <= lim.max_timeline);
    CHECK(s.timeline_dropped > 0);  // the cap was reached: the session lines alone are 3
  }
}
