// IDN normalisation, addresses, DNS server specs and DNSBL answers.
#include "maildiag/dns/address.hpp"
#include "maildiag/dns/dnsbl.hpp"
#include "maildiag/dns/idn.hpp"
#include "maildiag/dns/mail.hpp"
#include "maildiag/dns/resolver.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <array>
#include <cstdint>

using namespace maildiag::dns;

TEST_CASE("idn: Unicode domains become A-labels, shown both ways", "[dns][idn]") {
  auto d = normalize_domain("Bücher.Example.");
  REQUIRE(d);
  CHECK(d->ascii == "xn--bcher-kva.example");
  CHECK(d->unicode == "bücher.example");
  CHECK(d->is_idn());
  CHECK(d->display() == "bücher.example (xn--bcher-kva.example)");
  // non-transitional: ß stays ß (not "ss")
  auto s = normalize_domain("faß.de");
  REQUIRE(s);
  CHECK(s->ascii == "xn--fa-hia.de");
  // A-label input is shown in Unicode too
  auto a = normalize_domain("XN--BCHER-KVA.example");
  REQUIRE(a);
  CHECK(a->unicode == "bücher.example");
  auto plain = normalize_domain("  Example.COM ");
  REQUIRE(plain);
  CHECK(plain->ascii == "example.com");
  CHECK_FALSE(plain->is_idn());
  CHECK(to_unicode("mx.xn--bcher-kva.example") == "mx.bücher.example");
  CHECK(to_unicode("xn--zz-garbage!") == "xn--zz-garbage!");
}

TEST_CASE("idn: invalid names are refused with a reason", "[dns][idn]") {
  const char* bad[] = {"", ".", "a..b", "-a.example", "a-.example", "exa mple.com", "a/b.com",
                       "\xff\xfe.example", "xn--a.example\xe2\x80\x8b"};
  for (const auto* in : bad) {
    std::string error;
    INFO(in);
    CHECK_FALSE(normalize_domain(in, &error));
    CHECK(error.find("invalid domain") == 0);
  }
  CHECK_FALSE(normalize_domain(std::string(64, 'a') + ".example"));
  CHECK(normalize_domain(std::string(63, 'a') + ".example"));
  CHECK(normalize_domain("_dmarc.example.com"));
}

TEST_CASE("addresses: scopes and reverse names", "[dns][address]") {
  struct Case {
    const char* text;
    AddressScope scope;
  };
  const Case cases[] = {
      {"8.8.8.8", AddressScope::global},         {"127.0.0.11", AddressScope::loopback},
      {"10.1.2.3", AddressScope::private_use},   {"172.16.0.1", AddressScope::private_use},
      {"172.32.0.1", AddressScope::global},      {"192.168.1.1", AddressScope::private_use},
      {"100.64.0.1", AddressScope::private_use}, {"169.254.1.1", AddressScope::link_local},
      {"192.0.2.1", AddressScope::documentation}, {"0.0.0.0", AddressScope::unspecified},
      {"224.0.0.1", AddressScope::reserved},     {"::1", AddressScope::loopback},
      {"::", AddressScope::unspecified},         {"fd00::1", AddressScope::private_use},
      {"fe80::1", AddressScope::link_local},     {"2001:db8::5", AddressScope::documentation},
      {"2a00:1450::1", AddressScope::global},    {"::ffff:10.0.0.1", AddressScope::private_use},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto a = Address::parse(c.text);
    REQUIRE(a);
    CHECK(a->scope() == c.scope);
  }
  CHECK(Address::parse("192.0.2.1")->reverse_name() == "1.2.0.192.in-addr.arpa");
  CHECK(Address::parse("2001:db8::1")->reverse_name() ==
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  CHECK(Address::parse("127.0.0.12")->dnsbl_name("dnsbl.test") == "12.0.0.127.dnsbl.test");
  CHECK_FALSE(Address::parse("1.2.3"));
  CHECK_FALSE(Address::parse("[::1]"));
  CHECK(Address::parse("2001:DB8::1")->to_string() == "2001:db8::1");
}

TEST_CASE("addresses: IPv4 text is inet_ntop's for every octet value", "[dns][address]") {
  for (int o = 0; o < 256; ++o) {
    const auto b = static_cast<std::uint8_t>(o);
    for (const std::array<std::uint8_t, 4> bytes : {std::array<std::uint8_t, 4>{b, 0, 0, 0}, {0, b, 9, 255}, {10, 99, b, 100},
                                                     {255, 255, 255, b}}) {
      char expected[INET_ADDRSTRLEN] = {};
      REQUIRE(::inet_ntop(AF_INET, bytes.data(), expected, sizeof expected) != nullptr);
      REQUIRE(maildiag::dns::Address::v4(bytes).to_string() == expected);
    }
  }
  CHECK(maildiag::dns::Address::parse("2001:db8::1")->to_string() == "2001:db8::1");
}

TEST_CASE("dns servers: HOST[:PORT] and IPv6 in brackets", "[dns][server]") {
  CHECK(parse_server("127.0.0.1")->to_string() == "127.0.0.1:53");
  CHECK(parse_server("127.0.0.1:5353")->port == 5353);
  CHECK(parse_server("::1")->to_string() == "[::1]:53");
  CHECK(parse_server("[::1]:5353")->to_string() == "[::1]:5353");
  CHECK(parse_server("[2001:db8::1]")->port == 53);
  std::string error;
  CHECK_FALSE(parse_server("dns.google", &error));
  CHECK(error.find("not an IP address") != std::string::npos);
  CHECK_FALSE(parse_server("127.0.0.1:0"));
  CHECK_FALSE(parse_server("127.0.0.1:70000"));
  CHECK_FALSE(parse_server("[::1"));
  CHECK_FALSE(parse_server("[::1]5353"));
  auto list = parse_server_list("127.0.0.1:1053,[::1]:1053");
  REQUIRE(list);
  CHECK(list->size() == 2);
  CHECK_FALSE(parse_server_list(","));
  CHECK(is_queryable_name("_25._tcp.mx1.mail.test"));
  CHECK(is_queryable_name("example.com."));
  CHECK_FALSE(is_queryable_name("a\\032b.example"));
  CHECK_FALSE(is_queryable_name("a..b"));
  CHECK_FALSE(is_queryable_name("."));
}

namespace {
Answer a_answer(std::initializer_list<const char*> addrs) {
  Answer a;
  a.status = addrs.size() == 0 ? Status::nxdomain : Status::ok;
  for (const auto* s : addrs) a.records.push_back(Record{"x", RRType::a, 60, *Address::parse(s)});
  return a;
}
}  // namespace

TEST_CASE("dnsbl: verdicts from answers", "[dns][dnsbl]") {
  CHECK(interpret_dnsbl("dnsbl.test", a_answer({})).verdict == DnsblVerdict::not_listed);
  const auto listed = interpret_dnsbl("zen.spamhaus.org", a_answer({"127.0.0.4", "127.0.0.10"}));
  CHECK(listed.verdict == DnsblVerdict::listed);
  CHECK(listed.meaning.find("XBL") != std::string::npos);
  CHECK(listed.meaning.find("PBL") != std::string::npos);
  const auto refused = interpret_dnsbl("zen.spamhaus.org", a_answer({"127.255.255.254"}));
  CHECK(refused.verdict == DnsblVerdict::query_refused);
  CHECK(refused.meaning.find("public") != std::string::npos);
  CHECK(interpret_dnsbl("bl.example", a_answer({"127.255.255.255"})).verdict == DnsblVerdict::query_refused);
  CHECK(interpret_dnsbl("bl.example", a_answer({"192.0.2.1"})).verdict == DnsblVerdict::bogus_answer);
  Answer timeout;
  timeout.status = Status::timeout;
  CHECK(interpret_dnsbl("bl.example", timeout).verdict == DnsblVerdict::failed);

  auto list = parse_dnsbl_list("default,dnsbl.test,zen.spamhaus.org");
  REQUIRE(list);
  CHECK(list->size() == default_dnsbl_zones().size() + 1);
  CHECK(list->back() == "dnsbl.test");
  CHECK_FALSE(parse_dnsbl_list(" , "));
  CHECK_FALSE(parse_dnsbl_list("bad zone"));
}

TEST_CASE("mail: combining A and AAAA answers", "[dns][mail]") {
  Answer ok = a_answer({"192.0.2.1"});
  Answer nodata;
  nodata.status = Status::nodata;
  Answer nx;
  nx.status = Status::nxdomain;
  Answer to;
  to.status = Status::timeout;
  CHECK(combine_addresses("h", ok, nodata).status == Status::ok);
  CHECK(combine_addresses("h", ok, to).status == Status::ok);
  CHECK(combine_addresses("h", nodata, nodata).status == Status::nodata);
  CHECK(combine_addresses("h", nx, nx).status == Status::nxdomain);
  CHECK(combine_addresses("h", nx, to).status == Status::timeout);
  CHECK(combine_addresses("h", std::nullopt, nodata).status == Status::nodata);
  CHECK(combine_addresses("h", ok, std::nullopt).addresses.size() == 1);
}
