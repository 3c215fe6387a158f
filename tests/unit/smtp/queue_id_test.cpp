// Queue-ID extraction from the final reply to DATA, in the formats real servers use.

#include "maildiag/smtp/queue_id.hpp"

#include <catch2/catch.hpp>

using namespace maildiag;

TEST_CASE("queue IDs of real servers", "[smtp]") {
  struct Case {
    std::string_view reply;
    std::string_view id;
    std::string_view software;
  };
  const Case cases[] = {
      {"250 2.0.0 Ok: queued as 12BDBE6FEE9", "12BDBE6FEE9", "postfix"},
      {"250 2.0.0 Ok: queued as 4TqX7f2Hm9z3kLp", "4TqX7f2Hm9z3kLp", "postfix"},
      {"250 OK id=1abcDE-000123-Xy", "1abcDE-000123-Xy", "exim"},
      {"250 OK id=1rJ2Ab-00000Q-Ab", "1rJ2Ab-00000Q-Ab", "exim"},
      {"250 2.0.0 x9KJ1a2b003456 Message accepted for delivery", "x9KJ1a2b003456", "sendmail"},
      {"250 2.0.0 3f8a2b1c Message accepted for delivery", "3f8a2b1c", "sendmail"},
      {"250 2.6.0 <a1b2c3d4-0000-4e5f-9a8b-112233445566@EX01.corp.example> [InternalId=1234567890, "
       "Hostname=EX01.corp.example] 2345 bytes in 0.123, 18.7 KB/sec Queued mail for delivery",
       "a1b2c3d4-0000-4e5f-9a8b-112233445566@EX01.corp.example", "exchange"},
      {"250 2.0.0 OK  1700000000 a1si12345abc.12 - gsmtp", "a1si12345abc.12", "gmail"},
      {"250 ok 1700000000 qp 12345", "qp 12345", "qmail"},
      {"250 Message Queued (F0B9A1C2-7D3E-4B5A-8C6D-1E2F3A4B5C6D.1)", "F0B9A1C2-7D3E-4B5A-8C6D-1E2F3A4B5C6D.1", "haraka"},
  };
  for (const auto& c : cases) {
    INFO(c.reply);
    auto r = codes::parse_reply(c.reply);
    REQUIRE(r);
    const auto q = smtp::extract_queue_id(*r);
    REQUIRE(q);
    CHECK(q->id == c.id);
    CHECK(q->software == c.software);
  }
}

TEST_CASE("queue IDs: enhanced code not offered, failures, hostile text", "[smtp]") {
  // Without ENHANCEDSTATUSCODES the engine keeps "2.0.0" in the text: it is not an ID.
  auto r = codes::parse_reply("250 2.0.0 Message accepted for delivery");
  REQUIRE(r);
  r->enhanced.reset();
  CHECK_FALSE(smtp::extract_queue_id(*r));
  CHECK_FALSE(smtp::extract_queue_id(*codes::parse_reply("250 2.0.0 Ok")));
  CHECK_FALSE(smtp::extract_queue_id(*codes::parse_reply("554 5.7.1 queued as NOTHING")));
  CHECK_FALSE(smtp::extract_queue_id(*codes::parse_reply("250 queued as " + std::string(300, 'A'))));
  CHECK(smtp::extract_queue_id("queued as ABC\x1b[31m")->id == "ABC");
  CHECK_FALSE(smtp::extract_queue_id("InternalId=5 nothing else"));
}
