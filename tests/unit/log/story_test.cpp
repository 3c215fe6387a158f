#include "maildiag/log/story.hpp"

#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace maildiag::log;

namespace {

std::string fixture(const std::string& name) {
  return maildiag::test::read_file(std::string(MAILDIAG_SOURCE_DIR) + "/tests/unit/log/fixtures/" + name);
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::vector<Story> run(std::string_view text, Tracker& t) {
  std::vector<Story> out;
  for (auto line : lines_of(text)) {
    auto l = parse_syslog(line);
    if (!l) continue;
    Event ev;
    if (!parse_event(*l, ev)) continue;
    t.feed(*l, ev, 0, out);
  }
  t.finish(out);
  return out;
}

const Story& find(const std::vector<Story>& v, std::string_view id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const Story& s) { return s.queue_id == id; });
  REQUIRE(it != v.end());
  return *it;
}

}  // namespace

TEST_CASE("Postfix stories from a recorded mail.log", "[log][story]") {
  const std::string log = fixture("postfix_mail.log");
  Tracker t;
  const auto stories = run(log, t);

  SECTION("delivered after a deferral, with client, TLS, SASL, message-id") {
    const auto& s = find(stories, "12BDBE6FEE9");
    CHECK(s.completed);
    CHECK(s.outcome == Outcome::delivered);
    CHECK(s.client == "client.example.org[198.51.100.7]");
    CHECK(s.tls_level == "Trusted");
    CHECK(s.tls_detail.find("TLSv1.3") == 0);
    CHECK(s.sasl_method == "PLAIN");
    CHECK(s.sasl_username == "alice@example.com");
    CHECK(s.message_id == "<20261123100001.12BDBE6FEE9@example.com>");
    CHECK(s.from == "alice@example.com");
    CHECK(s.size == "2048");
    CHECK(s.nrcpt == "2");
    REQUIRE(s.deliveries.size() == 3);
    CHECK(s.deliveries[1].status == DeliveryStatus::deferred);
    const auto finals = s.final_attempts();
    REQUIRE(finals.size() == 2);
    CHECK(finals[1]->to == "carol@example.biz");
    CHECK(finals[1]->status == DeliveryStatus::sent);
    CHECK(s.next_hops == std::vector<std::string>{"4F3A2B1C0D"});
    // The session's connect and TLS lines start the timeline; the disconnect joins it.
    REQUIRE(s.timeline.size() >= 4);
    CHECK(s.timeline[0].text == "connect from client.example.org[198.51.100.7]");
    CHECK(s.timeline[1].text.find("Trusted TLS connection established") == 0);
    CHECK(s.timeline[2].program == "smtpd");
    CHECK(s.timeline[2].text.find("client=") == 0);
    CHECK(std::any_of(s.timeline.begin(), s.timeline.end(),
                      [](const TimelineEntry& e) { return e.text.find("disconnect from") == 0; }));
  }
  SECTION("bounced with its non-delivery notification") {
    const auto& s = find(stories, "7A1C2B3D4E");
    CHECK(s.outcome == Outcome::bounced);
    CHECK_FALSE(s.mixed);
    CHECK(s.client == "local");
    CHECK(s.children == std::vector<std::string>{"9C8D7E6F5A"});
    CHECK(find(stories, "9C8D7E6F5A").outcome == Outcome::delivered);
  }
  SECTION("expired, admin removal, still deferred, content-filter chain") {
    CHECK(find(stories, "3F1A22040B").outcome == Outcome::expired);
    const auto& removed = find(stories, "4B4B4B4B4B");
    CHECK(removed.outcome == Outcome::removed);
    CHECK(removed.removed_by_admin);
    const auto& deferred = find(stories, "2C2C2C2C2C");
    CHECK_FALSE(deferred.completed);
    CHECK(deferred.outcome == Outcome::deferred);
    CHECK(find(stories, "6B6B6B6B6B").next_hops == std::vector<std::string>{"8D8D8D8D8D"});
    const auto& filtered = find(stories, "8D8D8D8D8D");
    CHECK(filtered.parent_id == "6B6B6B6B6B");
    CHECK(filtered.outcome == Outcome::delivered);
    CHECK(find(stories, "1D1D1D1D1D").outcome == Outcome::in_progress);
  }
  SECTION("NOQUEUE rejects are stories of their own") {
    const auto n = std::count_if(stories.begin(), stories.end(), [](const Story& s) {
      return s.queue_id.empty() && s.outcome == Outcome::rejected;
    });
    CHECK(n == 2);
    auto it = std::find_if(stories.begin(), stories.end(), [](const Story& s) { return s.queue_id.empty(); });
    REQUIRE(it != stories.end());
    REQUIRE(it->rejects.size() == 1);
    CHECK(it->rejects[0].to == "alice@example.com");
    CHECK(it->timeline.front().text == "connect from unknown[203.0.113.99]");
  }
  CHECK(t.open() == 0);
  CHECK(t.open_bytes() == 0);
}

TEST_CASE("watching one id follows its bounce and next hop only", "[log][story]") {
  const std::string log = fixture("postfix_mail.log");
  Tracker t;
  t.watch_only({"6B6B6B6B6B", "7A1C2B3D4E"});
  const auto stories = run(log, t);
  std::vector<std::string> ids;
  for (const auto& s : stories) ids.push_back(s.queue_id);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"6B6B6B6B6B", "7A1C2B3D4E", "8D8D8D8D8D", "9C8D7E6F5A"});
}

TEST_CASE("smtpd sessions that never queue close at disconnect", "[log][story]") {
  const std::string log =
      "Nov 23 05:00:06 mx1 postfix-testbed/smtpd[31072]: connect from unknown[127.0.0.1]\n"
      "Nov 23 05:00:06 mx1 postfix-testbed/smtpd[31072]: E2FCFA72242: client=unknown[127.0.0.1]\n"
      "Nov 23 05:00:06 mx1 postfix-testbed/smtpd[31072]: E2FCFA72242: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 "
      "<nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table; from=<p@client.test> "
      "to=<nobody@mail.test> proto=ESMTP helo=<client.test>\n"
      "Nov 23 05:00:06 mx1 postfix-testbed/smtpd[31072]: disconnect from unknown[127.0.0.1] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n"
      "Nov 23 05:00:16 mx1 postfix-testbed/submission/smtpd[31091]: 034D6A720DA: client=unknown[127.0.0.1], "
      "sasl_method=PLAIN, sasl_username=alice@mail.test\n"
      "Nov 23 05:00:16 mx1 postfix-testbed/submission/smtpd[31091]: disconnect from unknown[127.0.0.1] ehlo=2 quit=1 commands=3\n";
  Tracker t;
  std::vector<Story> out;
  for (auto line : lines_of(log)) {
    auto l = parse_syslog(line);
    REQUIRE(l);
    Event ev;
    parse_event(*l, ev);
    t.feed(*l, ev, 0, out);
  }
  REQUIRE(out.size() == 1);  // the second session had no connect line: its id stays open
  CHECK(out[0].queue_id == "E2FCFA72242");
  CHECK(out[0].outcome == Outcome::rejected);
  CHECK(out[0].completed);
  REQUIRE(out[0].rejects.size() == 1);
  CHECK(out[0].rejects[0].stage == "RCPT");
  t.finish(out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].outcome == Outcome::in_progress);
}

TEST_CASE("the open-message cap evicts the oldest and reports it", "[log][story]") {
  TrackerLimits lim;
  lim.max_open = 10;
  Tracker t(lim);
  std::vector<Story> out;
  for (int i = 0; i < 100; ++i) {
    char line[200];
    std::snprintf(line, sizeof line, "Nov 23 10:00:00 mx postfix/qmgr[9]: %010X: from=<a@b.example>, size=1, nrcpt=1 (queue active)",
                  static_cast<unsigned>(0xA00000 + i));
    auto l = parse_syslog(line);
    REQUIRE(l);
    Event ev;
    REQUIRE(parse_event(*l, ev));
    t.feed(*l, ev, 0, out);
    CHECK(t.open() <= 10);
  }
  CHECK(t.evicted() == 90);
  CHECK(out.size() == 90);
  CHECK(out.front().evicted);
  CHECK_FALSE(out.front().completed);
  CHECK(out.front().queue_id == "0000A00000");
}

TEST_CASE("memory cap bounds the bytes of open stories", "[log][story]") {
  TrackerLimits lim;
  lim.max_bytes = 64 * 1024;
  Tracker t(lim);
  std::vector<Story> out;
  const std::string pad(400, 'x');
  for (int i = 0; i < 2000; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%010X", static_cast<unsigned>(0xB00000 + i));
    const std::string line = std::string("Nov 23 10:00:00 mx postfix/smtpd[9]: ") + id + ": client=h" + pad + "[1.2.3.4]";
    auto l = parse_syslog(line);
    REQUIRE(l);
    Event ev;
    REQUIRE(parse_event(*l, ev));
    t.feed(*l, ev, 0, out);
    CHECK(t.open_bytes() <= lim.max_bytes + 4096);
  }
  CHECK(t.evicted() > 0);
}

TEST_CASE("Exim and Sendmail stories", "[log][story]") {
  const std::string exim =
      "2026-11-23 10:01:00 1abcDF-000456-Zz <= dave@example.com H=localhost [127.0.0.1] P=esmtp S=512 id=m1@example.com\n"
      "2026-11-23 10:01:01 1abcDF-000456-Zz ** nobody@example.org R=dnslookup T=remote_smtp H=mx.example.org "
      "[192.0.2.20]: SMTP error from remote mail server after RCPT TO:<nobody@example.org>: 550 5.1.1 User unknown\n"
      "2026-11-23 10:01:01 1abcDH-000999-Bb <= <> R=1abcDF-000456-Zz U=Debian-exim P=local S=3120\n"
      "2026-11-23 10:01:01 1abcDF-000456-Zz Completed\n"
      "2026-11-23 10:01:02 1abcDH-000999-Bb => dave <dave@example.com> R=local_user T=mail_spool\n"
      "2026-11-23 10:01:02 1abcDH-000999-Bb Completed\n";
  Tracker te;
  te.watch_only({"1abcDF-000456-Zz"});
  const auto es = run(exim, te);
  REQUIRE(es.size() == 2);
  CHECK(es[0].outcome == Outcome::bounced);
  CHECK(es[0].message_id == "m1@example.com");
  CHECK(es[1].parent_id == "1abcDF-000456-Zz");
  CHECK(es[1].outcome == Outcome::delivered);

  const std::string sendmail =
      "Nov 23 10:00:00 mx sm-mta[1234]: 2ANA00ab012345: from=<alice@example.com>, size=2048, class=0, nrcpts=2, "
      "msgid=<abc@example.com>, proto=ESMTP, daemon=MTA, relay=client.example.org [198.51.100.7]\n"
      "Nov 23 10:00:02 mx sm-mta[1235]: 2ANA00ab012345: to=<bob@example.net>, delay=00:00:02, mailer=esmtp, "
      "pri=120000, relay=mx.example.net. [203.0.113.25], dsn=2.0.0, stat=Sent (Ok)\n"
      "Nov 23 10:00:03 mx sm-mta[1235]: 2ANA00ab012345: to=<carol@example.biz>, delay=00:00:03, mailer=esmtp, "
      "pri=120000, relay=mail.example.biz., dsn=4.0.0, stat=Deferred: Connection refused by mail.example.biz.\n"
      "Nov 23 11:00:03 mx sm-mta[1299]: 2ANA00ab012345: to=<carol@example.biz>, delay=01:00:03, mailer=esmtp, "
      "pri=210000, relay=mail.example.biz. [192.0.2.10], dsn=2.0.0, stat=Sent (Ok)\n";
  Tracker ts;
  std::vector<Story> ss;
  for (auto line : lines_of(sendmail)) {
    auto l = parse_syslog(line);
    REQUIRE(l);
    Event ev;
    REQUIRE(parse_event(*l, ev));
    ts.feed(*l, ev, 0, ss);
  }
  REQUIRE(ss.size() == 1);  // complete once every recipient reached a final status
  CHECK(ss[0].completed);
  CHECK(ss[0].outcome == Outcome::delivered);
  CHECK(ss[0].deliveries.size() == 3);
}

TEST_CASE("Postfix delays=a/b/c/d", "[log][story]") {
  const auto d = parse_delays("299/0.1/0.4/0.5");
  REQUIRE(d);
  CHECK(d->before_qmgr == Approx(299));
  CHECK(d->in_qmgr == Approx(0.1));
  CHECK(d->connection_setup == Approx(0.4));
  CHECK(d->transmission == Approx(0.5));
  CHECK(explain_delays(*d).find("before the queue manager") != std::string::npos);
  CHECK(explain_delays(*parse_delays("0.1/0/30/0.2")).find("connection setup") != std::string::npos);
  CHECK(explain_delays(*parse_delays("0.01/0/0.5/0.4")).find("no part stands out") != std::string::npos);
  for (const char* bad : {"", "1/2/3", "1/2/3/4/5", "a/b/c/d", "1//2/3", "-1/0/0/0", "1/2/3/4x"}) {
    INFO(bad);
    CHECK_FALSE(parse_delays(bad));
  }
}
