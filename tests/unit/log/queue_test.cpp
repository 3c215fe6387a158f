#include "maildiag/log/queue.hpp"

#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace maildiag::log;
using maildiag::codes::Reason;

namespace {

std::string fixture(const std::string& name) {
  return maildiag::test::read_file(std::string(MAILDIAG_SOURCE_DIR) + "/tests/unit/log/fixtures/" + name);
}

TimeContext at(int y, int mo, int d, int h, int mi) {
  TimeContext ctx;
  ctx.now = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
  return ctx;
}

}  // namespace

TEST_CASE("postqueue -j", "[log][queue]") {
  const auto q = parse_queue_listing(fixture("postqueue.jsonl"), at(2026, 11, 23, 12, 0));
  CHECK(q.format == "postqueue-json");
  REQUIRE(q.messages.size() == 4);
  CHECK(q.errors.size() == 2);
  const auto& m = q.messages[1];
  CHECK(m.id == "4B4B4B4B4B");
  CHECK(m.queue_name == "deferred");
  CHECK(m.size == 700);
  REQUIRE(m.recipients.size() == 2);
  CHECK(m.recipients[0].reason == "connect to mx.slow.example[192.0.2.44]:25: Connection timed out");
  CHECK(q.messages[3].queue_name == "hold");
  CHECK(q.messages[3].sender.empty());

  const std::int64_t now = 1795427520 + 3600;
  CHECK(q.messages[0].age_at(now) == 3600);
  const auto domains = group_by_domain(q.messages, now);
  REQUIRE(domains.size() == 4);
  CHECK(domains[0].domain == "slow.example");
  CHECK(domains[0].recipients == 2);
  CHECK(domains[0].messages == 1);
  CHECK(domains[0].oldest_age == now - 1795341000);
  CHECK(domains[0].reason_class == Reason::network_error);
  CHECK(domains[0].distinct_reasons == 1);
  auto de = std::find_if(domains.begin(), domains.end(), [](const QueueDomain& d) { return d.domain == "example.de"; });
  REQUIRE(de != domains.end());
  CHECK(de->reason_class == Reason::mailbox_full);
}

TEST_CASE("postqueue -j with hostile input", "[log][queue]") {
  QueueLimits lim;
  lim.max_messages = 3;
  std::string many;
  for (int i = 0; i < 10; ++i) many += R"({"queue_name":"deferred","queue_id":"AB)" + std::to_string(1000 + i) + R"(","recipients":[]})" "\n";
  const auto q = parse_postqueue_json(many, lim);
  CHECK(q.messages.size() == 3);
  CHECK(q.truncated);
  const auto bad = parse_postqueue_json("{\"queue_id\":\"ABCDEF\",\"sender\":\"a\xff\xfe@x\",\"recipients\":[{\"address\":\"b\x1b[31m@y\"}]}");
  REQUIRE(bad.messages.size() == 1);
  CHECK(bad.messages[0].sender == "a??@x");
  CHECK(bad.messages[0].recipients[0].address == "b?[31m@y");
  std::string errors;
  for (int i = 0; i < 100; ++i) errors += "{broken\n";
  CHECK(parse_postqueue_json(errors).errors.size() == 20);
}

TEST_CASE("Postfix mailq text", "[log][queue]") {
  const auto q = parse_mailq(fixture("postfix_mailq.txt"), at(2026, 11, 23, 12, 0));
  CHECK(q.format == "postfix-mailq");
  CHECK(q.errors.empty());
  REQUIRE(q.messages.size() == 4);
  const auto& slow = q.messages[1];
  CHECK(slow.id == "4B4B4B4B4B");
  CHECK(slow.sender == "bulk@example.com");
  REQUIRE(slow.recipients.size() == 2);
  CHECK(slow.recipients[0].reason == "connect to mx.slow.example[192.0.2.44]:25: Connection timed out");
  CHECK(slow.recipients[1].reason == "connect to mx2.slow.example[192.0.2.45]:25: Connection refused");
  REQUIRE(slow.arrival);
  CHECK(*slow.arrival == days_from_civil(2026, 11, 22) * 86400 + 10 * 3600 + 50 * 60);
  CHECK(q.messages[2].queue_name == "active");
  CHECK(q.messages[2].recipients[0].reason.empty());
  CHECK(q.messages[3].queue_name == "hold");
  CHECK(q.messages[3].sender.empty());
  CHECK(q.messages[0].recipients[0].reason.find("452 4.2.2 Mailbox full") != std::string::npos);
  const auto domains = group_by_domain(q.messages, at(2026, 11, 23, 12, 0).now);
  CHECK(domains[0].distinct_reasons == 2);
}

TEST_CASE("Sendmail mailq and exim -bp", "[log][queue]") {
  const auto s = parse_mailq(fixture("sendmail_mailq.txt"), at(2026, 11, 23, 12, 0));
  CHECK(s.format == "sendmail-mailq");
  REQUIRE(s.messages.size() == 2);
  CHECK(s.messages[0].id == "2ANA00ab012345");
  CHECK(s.messages[0].sender == "alice@example.com");
  REQUIRE(s.messages[0].recipients.size() == 1);
  CHECK(s.messages[0].recipients[0].address == "carol@example.biz");
  CHECK(s.messages[0].recipients[0].reason == "Deferred: Connection refused by mail.example.biz.");
  CHECK(s.messages[1].queue_name == "active");
  CHECK(s.messages[1].recipients[0].reason.empty());

  const auto e = parse_queue_listing(fixture("exim_bp.txt"), at(2026, 11, 23, 12, 0));
  CHECK(e.format == "exim-bp");
  REQUIRE(e.messages.size() == 2);
  CHECK(e.messages[0].age == 25 * 60);
  CHECK(e.messages[0].size == 2969);
  REQUIRE(e.messages[0].recipients.size() == 2);
  CHECK(e.messages[0].recipients[1].delivered);
  CHECK(e.messages[1].queue_name == "frozen");
  CHECK(e.messages[1].sender.empty());
  const auto domains = group_by_domain(e.messages, 0);
  CHECK(std::none_of(domains.begin(), domains.end(), [](const QueueDomain& d) { return d.domain == "example.net"; }));
}

TEST_CASE("empty and unknown listings", "[log][queue]") {
  const auto ctx = at(2026, 11, 23, 12, 0);
  CHECK(parse_mailq("Mail queue is empty\n", ctx).format == "empty");
  CHECK(parse_mailq("/var/spool/mqueue is empty\n\t\tTotal requests: 0\n", ctx).format == "empty");
  CHECK(parse_mailq("", ctx).format == "empty");
  const auto u = parse_mailq("hello world\nthis is not a queue\n", ctx);
  CHECK(u.format == "unknown");
  CHECK(u.errors.size() == 1);
  // Every prefix of a listing parses without crashing.
  const std::string text = fixture("postfix_mailq.txt");
  for (std::size_t n = 0; n < text.size(); n += 7) (void)parse_queue_listing(text.substr(0, n), ctx);
  CHECK(parse_size("2.9K") == 2969);
  CHECK(parse_size("1.1M") == 1153433);
  CHECK(parse_size("512") == 512);
  CHECK_FALSE(parse_size("K"));
  CHECK_FALSE(parse_size("1.2345K"));
}
