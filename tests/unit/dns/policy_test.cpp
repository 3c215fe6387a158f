#include "maildiag/dns/policy.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::dns;

TEST_CASE("dmarc: a complete record", "[dns][dmarc]") {
  const auto r = parse_dmarc("v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:a@example.com,mailto:b@example.com; adkim=s; aspf=s");
  CHECK(r.valid());
  CHECK(r.policy == "reject");
  CHECK(r.subdomain_policy == "quarantine");
  CHECK(r.pct == 50);
  CHECK(r.rua.size() == 2);
  CHECK(r.adkim == 's');
  CHECK(r.aspf == 's');
  REQUIRE(r.warnings.size() == 1);  // pct < 100
  CHECK(r.warnings[0].find("pct=50") != std::string::npos);
}

TEST_CASE("dmarc: invalid records", "[dns][dmarc]") {
  CHECK_FALSE(is_dmarc_record("v=spf1 -all"));
  CHECK_FALSE(parse_dmarc("p=reject; v=DMARC1").valid());
  CHECK_FALSE(parse_dmarc("v=DMARC1; p=block").valid());
  CHECK_FALSE(parse_dmarc("v=DMARC1; rua=mailto:x@example.com").valid());  // no p
  CHECK_FALSE(parse_dmarc("v=DMARC1; p=none; pct=150").valid());
  CHECK_FALSE(parse_dmarc("v=DMARC1; p=none; adkim=x").valid());
  CHECK_FALSE(parse_dmarc("v=DMARC1; p=none; rua=dmarc@example.com").valid());
  CHECK_FALSE(parse_dmarc("v=DMARC1; p=none; garbage").valid());
}

TEST_CASE("dmarc: weak settings are warnings", "[dns][dmarc]") {
  const auto r = parse_dmarc("v=DMARC1; p=none");
  CHECK(r.valid());
  CHECK(r.policy == "none");
  CHECK(r.warnings.size() == 2);  // p=none and no rua
  const auto late = parse_dmarc("v=DMARC1; rua=mailto:d@example.com; p=quarantine");
  CHECK(late.valid());
  CHECK(late.warnings.size() == 1);
}

TEST_CASE("mta-sts and tls-rpt TXT records", "[dns][policy]") {
  CHECK(parse_mta_sts("v=STSv1; id=20240101T000000Z").valid());
  CHECK(parse_mta_sts("v=STSv1; id=20240101T000000Z").id == "20240101T000000Z");
  CHECK_FALSE(parse_mta_sts("v=STSv1;").valid());
  CHECK_FALSE(parse_mta_sts("v=STSv1; id=has-dash").valid());
  CHECK_FALSE(parse_mta_sts("v=STSv1; id=0123456789012345678901234567890123").valid());
  CHECK_FALSE(is_mta_sts_record("v=spf1"));

  const auto t = parse_tls_rpt("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://r.example.com/v1");
  CHECK(t.valid());
  CHECK(t.rua.size() == 2);
  CHECK_FALSE(parse_tls_rpt("v=TLSRPTv1;").valid());
  CHECK_FALSE(parse_tls_rpt("v=TLSRPTv1; rua=ftp://x").valid());
  CHECK_FALSE(is_tls_rpt_record("v=TLSRPTv2; rua=mailto:x@y"));
}

TEST_CASE("tag lists", "[dns][policy]") {
  std::string error;
  const auto tags = parse_tag_list(" V = DMARC1 ;p=none; ; ", &error);
  CHECK(error.empty());
  REQUIRE(tags.size() == 2);
  CHECK(tags[0].first == "v");
  CHECK(tags[0].second == "DMARC1");
  parse_tag_list("v=1; oops", &error);
  CHECK(error.find("oops") != std::string::npos);
}
