#include "maildiag/dns/spf.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::dns;

TEST_CASE("spf: recognising records", "[dns][spf]") {
  CHECK(is_spf_record("v=spf1 -all"));
  CHECK(is_spf_record("V=SPF1 -all"));
  CHECK(is_spf_record("v=spf1"));
  CHECK_FALSE(is_spf_record("v=spf10 -all"));
  CHECK_FALSE(is_spf_record("v=DMARC1; p=none"));
  CHECK_FALSE(is_spf_record(" v=spf1 -all"));
}

TEST_CASE("spf: terms, qualifiers and lookups", "[dns][spf]") {
  const auto r = parse_spf("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/24 "
                           "include:_spf.example.net ~all");
  CHECK(r.valid());
  REQUIRE(r.terms.size() == 6);
  CHECK(r.terms[0].name == "ip4");
  CHECK(r.terms[0].value == "192.0.2.0/24");
  CHECK(r.terms[1].value == "2001:db8::/32");
  CHECK(r.terms[5].qualifier == '~');
  CHECK(r.all == '~');
  CHECK(r.lookup_terms() == 3);
  CHECK(r.includes() == std::vector<std::string>{"_spf.example.net"});
  CHECK(r.warnings.empty());
}

TEST_CASE("spf: redirect and modifiers", "[dns][spf]") {
  const auto r = parse_spf("v=spf1 redirect=_spf.example.com exp=explain.example.com");
  CHECK(r.valid());
  CHECK(r.redirect == std::string("_spf.example.com"));
  CHECK(r.lookup_terms() == 1);
  const auto twice = parse_spf("v=spf1 redirect=a.example redirect=b.example");
  CHECK_FALSE(twice.valid());
}

TEST_CASE("spf: syntax errors are permerrors", "[dns][spf]") {
  const char* bad[] = {
      "v=spf1 ip4:300.1.1.1 -all",   "v=spf1 ip4:192.0.2.0/33 -all", "v=spf1 ip6:192.0.2.1 -all",
      "v=spf1 include -all",         "v=spf1 foo:bar -all",          "v=spf1 a/40 -all",
      "v=spf1 all:example.com",      "v=spf1 mx//200 -all",          "v=spf1 ptr/24 -all",
      "v=spf1 -all =bad",
  };
  for (const auto* txt : bad) {
    INFO(txt);
    CHECK_FALSE(parse_spf(txt).valid());
  }
  const char* good[] = {"v=spf1 a/24//64 mx//64 -all", "v=spf1 exists:%{i}.bl.example -all",
                        "v=spf1 ip4:192.0.2.1 -all", "v=spf1 -ip6:::1/128 ?all", "v=spf1  -all  "};
  for (const auto* txt : good) {
    INFO(txt);
    CHECK(parse_spf(txt).valid());
  }
  CHECK(parse_spf("v=spf1 exists:%{i}.bl.example -all").terms[0].has_macro());
}

TEST_CASE("spf: warnings for legal but risky records", "[dns][spf]") {
  CHECK(parse_spf("v=spf1 +all").all == '+');
  CHECK(parse_spf("v=spf1 all").all == '+');
  const auto ptr = parse_spf("v=spf1 ptr -all");
  REQUIRE(ptr.warnings.size() == 1);
  CHECK(ptr.warnings[0].find("ptr") != std::string::npos);
  const auto after = parse_spf("v=spf1 -all ip4:192.0.2.1");
  CHECK(after.warnings.size() == 1);
  const auto none = parse_spf("v=spf1 ip4:192.0.2.1");
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0].find("neutral") != std::string::npos);
  CHECK(spf_qualifier_name('~') == "softfail");
}
