#include "maildiag/pop3/parse.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::pop3;

TEST_CASE("parse_capa reads RFC 2449 capabilities", "[pop3][parse]") {
  const auto c = parse_capa({"TOP", "UIDL", "user", "STLS", "SASL PLAIN login", "RESP-CODES", "AUTH-RESP-CODE",
                             "PIPELINING", "LOGIN-DELAY 900", "EXPIRE NEVER", "IMPLEMENTATION Dovecot (Debian)",
                             "X-FOO bar", ""});
  CHECK(c.top);
  CHECK(c.uidl);
  CHECK(c.user);
  CHECK(c.stls);
  CHECK(c.sasl);
  CHECK(c.sasl_mechanisms == std::vector<std::string>{"PLAIN", "LOGIN"});
  CHECK(c.has_mechanism("plain"));
  CHECK_FALSE(c.has_mechanism("CRAM-MD5"));
  CHECK(c.resp_codes);
  CHECK(c.auth_resp_code);
  CHECK(c.pipelining);
  CHECK(c.login_delay == "900");
  CHECK(c.expire == "NEVER");
  CHECK(c.implementation == "Dovecot (Debian)");
  CHECK(c.lines.size() == 12);
  CHECK_FALSE(c.utf8);
}

TEST_CASE("parse_capa: Dovecot before STLS from a non-local address has SASL without mechanisms", "[pop3][parse]") {
  const auto c = parse_capa({"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "SASL"});
  CHECK(c.sasl);
  CHECK(c.sasl_mechanisms.empty());
  CHECK_FALSE(c.user);
  CHECK(c.stls);
}

TEST_CASE("apop_timestamp finds msg-id stamps only", "[pop3][parse]") {
  CHECK(apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>") ==
        std::optional<std::string>("<1896.697170952@dbc.mtview.ca.us>"));
  CHECK_FALSE(apop_timestamp("Dovecot (Debian) ready."));
  CHECK_FALSE(apop_timestamp("ready <no-at-sign>"));
  CHECK_FALSE(apop_timestamp("ready <unterminated@x"));
  CHECK_FALSE(apop_timestamp("ready <a b@c>"));
  CHECK_FALSE(apop_timestamp("ready <" + std::string(600, 'a') + "@b>"));
}

TEST_CASE("parse_stat and parse_scan_line", "[pop3][parse]") {
  const auto s = parse_stat("2 320");
  REQUIRE(s);
  CHECK(s->messages == 2);
  CHECK(s->octets == 320);
  CHECK(parse_stat("0 0 extra words")->messages == 0);
  CHECK_FALSE(parse_stat("two 320"));
  CHECK_FALSE(parse_stat("2"));
  CHECK_FALSE(parse_stat(""));
  const auto l = parse_scan_line("1 whqtswO00WBw418f9t5JxYwZ");
  REQUIRE(l);
  CHECK(l->number == 1);
  CHECK(l->value == "whqtswO00WBw418f9t5JxYwZ");
  CHECK_FALSE(parse_scan_line("0 100"));
  CHECK_FALSE(parse_scan_line("x 100"));
  CHECK_FALSE(parse_scan_line("1"));
}
