#include "maildiag/log/summary.hpp"

#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace maildiag::log;
using maildiag::codes::Reason;

namespace {

Summary summarize(std::string_view text, std::size_t top = 10) {
  SummaryBuilder b;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const auto line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto l = parse_syslog(line);
    if (!l) {
      b.add_unparsed();
      continue;
    }
    Event ev;
    parse_event(*l, ev);
    b.add(*l, ev, 0);
  }
  return b.result(top);
}

const Counts& domain(const Summary& s, std::string_view d) {
  auto it = std::find_if(s.domains.begin(), s.domains.end(), [&](const auto& p) { return p.first == d; });
  REQUIRE(it != s.domains.end());
  return it->second;
}

}  // namespace

TEST_CASE("summary of a recorded Postfix log", "[log][summary]") {
  const auto s = summarize(maildiag::test::read_file(std::string(MAILDIAG_SOURCE_DIR) +
                                                     "/tests/unit/log/fixtures/postfix_mail.log"));
  CHECK(s.unparsed == 2);
  CHECK(s.received == 6);  // cleanup message-id lines (client mail, pickup, bounces, filter re-injection)
  CHECK(s.sent == 5);
  CHECK(s.deferred == 3);
  CHECK(s.bounced == 1);
  CHECK(s.expired == 1);
  CHECK(s.rejected == 2);
  CHECK(s.auth_failures == 2);
  CHECK(s.tls_failures == 1);
  CHECK(s.first_time == "Nov 23 10:00:00");
  const auto& biz = domain(s, "example.biz");
  CHECK(biz.sent == 1);
  CHECK(biz.deferred == 1);
  CHECK(biz.top_reason == Reason::network_error);
  CHECK(domain(s, "example.org").bounced == 1);
  CHECK(domain(s, "example.org").top_reason == Reason::user_unknown);
  CHECK(domain(s, "example.de").top_reason == Reason::mailbox_full);
  REQUIRE(s.rejects.size() == 2);
  const bool blocked = std::any_of(s.rejects.begin(), s.rejects.end(), [](const KeyCount& k) {
    return k.reason == Reason::blocked && k.key.find("zen.spamhaus.org") != std::string::npos;
  });
  CHECK(blocked);
  REQUIRE_FALSE(s.auth_clients.empty());
  CHECK(s.auth_clients[0].key == "203.0.113.50");
  CHECK(s.auth_clients[0].count == 2);
  REQUIRE(s.tls_reasons.size() == 1);
  CHECK(s.tls_reasons[0].key == "unsupported protocol");
  const auto user_unknown = std::find_if(s.reasons.begin(), s.reasons.end(),
                                         [](const ReasonCounts& r) { return r.reason == Reason::user_unknown; });
  REQUIRE(user_unknown != s.reasons.end());
  CHECK(user_unknown->bounced == 1);
  CHECK(user_unknown->rejected == 1);
}

TEST_CASE("same reasons from different senders add up", "[log][summary]") {
  std::string log;
  for (int i = 0; i < 50; ++i) {
    log += "Nov 23 10:10:01 mx postfix/smtpd[2020]: NOQUEUE: reject: RCPT from unknown[203.0.113." + std::to_string(i) +
           "]: 550 5.1.1 <u" + std::to_string(i) + "@example.com>: Recipient address rejected: User unknown; from=<s" +
           std::to_string(i) + "@x.example> to=<u" + std::to_string(i) + "@example.com> proto=ESMTP helo=<x>\n";
  }
  const auto s = summarize(log);
  REQUIRE(s.rejects.size() == 1);
  CHECK(s.rejects[0].count == 50);
  CHECK(s.rejects[0].key == "550 5.1.1 <>: Recipient address rejected: User unknown");
  CHECK(domain(s, "example.com").rejected == 50);
}

TEST_CASE("domains are case-insensitive and tables are cut to top N", "[log][summary]") {
  std::string log;
  for (int i = 0; i < 30; ++i) {
    log += "Nov 23 10:00:03 mx postfix/smtp[1]: ABCDEF" + std::to_string(1000 + i) + ": to=<a@D" + std::to_string(i) +
           ".Example>, relay=x[1.2.3.4]:25, delay=" + std::to_string(i) + ", delays=0/0/0/0, dsn=2.0.0, status=sent (ok)\n";
    log += "Nov 23 10:00:03 mx postfix/smtp[1]: ABCDEF" + std::to_string(1000 + i) + ": to=<b@d" + std::to_string(i) +
           ".example>, relay=x[1.2.3.4]:25, delay=1, delays=0/0/0/0, dsn=2.0.0, status=sent (ok)\n";
  }
  const auto s = summarize(log, 5);
  CHECK(s.domains.size() == 5);
  CHECK(s.sent == 60);
  for (const auto& [d, c] : s.domains) {
    CHECK(d == maildiag::log::normalize_reason(d));
    CHECK(c.sent == 2);
    CHECK(std::none_of(d.begin(), d.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }));
  }
}

TEST_CASE("normalize_reason", "[log][summary]") {
  CHECK(normalize_reason("connect to mx.x[192.0.2.1]:25: Connection refused") == "connect to mx.x[]:25: Connection refused");
  CHECK(normalize_reason("a\x01" "b") == "a?b");
  CHECK(normalize_reason(std::string(500, 'x')).size() == 200);
  CHECK(normalize_reason("unclosed <bracket") == "unclosed <bracket");
}
