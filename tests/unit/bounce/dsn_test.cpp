#include "maildiag/bounce/dsn.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::bounce;

TEST_CASE("DSN: per-message and per-recipient groups", "[bounce][dsn]") {
  const char* body =
      "Reporting-MTA: dns; mx.example.org\r\n"
      "Arrival-Date: Thu, 29 Apr 2015 23:34:45 +0000\r\n"
      "\r\n"
      "Final-Recipient: rfc822; a@example.com\r\n"
      "Original-Recipient: rfc822;A@example.com\r\n"
      "Action: failed\r\n"
      "Status: 5.1.1\r\n"
      "Remote-MTA: dns; mx.example.com\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>: Recipient address\r\n"
      "    rejected: User unknown\r\n"
      "Last-Attempt-Date: Thu, 29 Apr 2015 23:34:46 +0000\r\n"
      "\r\n"
      "Final-Recipient: rfc822; b@example.com\r\n"
      "Action: delayed\r\n"
      "Status: 4.4.1\r\n"
      "Will-Retry-Until: Fri, 30 Apr 2015 23:34:45 +0000\r\n";
  const auto ds = parse_delivery_status(body);
  CHECK(ds.message.reporting_mta.type == "dns");
  CHECK(ds.message.reporting_mta.value == "mx.example.org");
  CHECK(ds.message.arrival_date == "Thu, 29 Apr 2015 23:34:45 +0000");
  REQUIRE(ds.recipients.size() == 2);
  const auto& a = ds.recipients[0];
  CHECK(dsn_address(a.final_recipient) == "a@example.com");
  CHECK(dsn_address(a.original_recipient) == "A@example.com");
  CHECK(a.action == "failed");
  REQUIRE(a.enhanced);
  CHECK(a.enhanced->str() == "5.1.1");
  CHECK(a.remote_mta.value == "mx.example.com");
  CHECK(a.diagnostic_code.type == "smtp");
  CHECK(a.diagnostic_code.value == "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown");
  const auto& b = ds.recipients[1];
  CHECK(b.action == "delayed");
  CHECK(b.will_retry_until == "Fri, 30 Apr 2015 23:34:45 +0000");
  CHECK(ds.problems.empty());
}

TEST_CASE("DSN: bent grammar real MTAs send", "[bounce][dsn]") {
  SECTION("everything in one group, recipients split on repeated fields") {
    const auto ds = parse_delivery_status(
        "Reporting-MTA: dns; x\nFinal-Recipient: rfc822; a@x.org\nAction: failed\nStatus: 5.0.0\n"
        "Final-Recipient: rfc822; b@x.org\nAction: failed\nStatus: 5.2.2\n");
    REQUIRE(ds.recipients.size() == 2);
    CHECK(dsn_address(ds.recipients[1].final_recipient) == "b@x.org");
    CHECK(ds.recipients[1].enhanced->str() == "5.2.2");
  }
  SECTION("Original-Recipient before Final-Recipient, CR-only line ends") {
    const auto ds = parse_delivery_status("Original-Recipient: rfc822;a@x.org\rFinal-Recipient: RFC822; <a@x.org>\rAction: Failed\rStatus: 5.1.1 (bad mailbox)\r");
    REQUIRE(ds.recipients.size() == 1);
    CHECK(dsn_address(ds.recipients[0].final_recipient) == "a@x.org");
    CHECK(ds.recipients[0].action == "failed");
    CHECK(ds.recipients[0].enhanced->str() == "5.1.1");
  }
  SECTION("Status holding a reply code") {
    const auto ds = parse_delivery_status("Final-Recipient: rfc822; a@x.org\nStatus: 553 Exceeded maximum inbound message size\n");
    REQUIRE(ds.recipients.size() == 1);
    CHECK(ds.recipients[0].status_reply_code == 553);
    CHECK_FALSE(ds.recipients[0].enhanced);
  }
  SECTION("no Final-Recipient is noted") {
    const auto ds = parse_delivery_status("Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 no\n");
    REQUIRE(ds.recipients.size() == 1);
    CHECK_FALSE(ds.problems.empty());
  }
  SECTION("garbage gives nothing and does not throw") {
    const auto ds = parse_delivery_status(std::string(5000, ':') + "\n\n\x01\x02: \xff\n");
    CHECK(ds.recipients.empty());
  }
}

TEST_CASE("DSN: address encodings", "[bounce][dsn]") {
  CHECK(dsn_address(parse_typed("rfc822; a+2Bb@x.org")) == "a+b@x.org");
  CHECK(dsn_address(parse_typed("rfc822; \"a b\"@x.org")) == "\"ab\"@x.org");
  CHECK(dsn_address(parse_typed("utf-8; \\x{4E2D}\\x{6587}@x.org")) == "\xE4\xB8\xAD\xE6\x96\x87@x.org");
  CHECK(dsn_address(parse_typed("a@x.org")) == "a@x.org");
  CHECK(parse_typed("smtp; 550 x").type == "smtp");
  CHECK(parse_typed("550 5.1.1 a; b").type.empty());
}
