#include "maildiag/codes/classify.hpp"
#include "maildiag/codes/pop3.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::codes;

namespace {
Classification of(std::string_view s) {
  auto r = parse_reply(s);
  REQUIRE(r);
  return classify(*r);
}
}  // namespace

TEST_CASE("real-world replies get the right reason", "[codes][classify]") {
  struct Case {
    const char* reply;
    Reason reason;
    Outcome outcome;
  };
  const Case cases[] = {
      {"550 5.1.1 <bob@mail.test>: Recipient address rejected: User unknown in virtual mailbox table", Reason::user_unknown, Outcome::permanent},
      {"554 5.7.1 <x@example.org>: Relay access denied", Reason::relay_denied, Outcome::permanent},
      {"450 4.7.1 <grey@mail.test>: Recipient address rejected: Greylisted, please try again later", Reason::greylisted, Outcome::transient},
      {"452 4.2.2 Mailbox full", Reason::mailbox_full, Outcome::transient},
      {"552 5.3.4 Message size exceeds fixed limit", Reason::message_too_big, Outcome::permanent},
      {"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", Reason::blocked, Outcome::permanent},
      {"530 5.7.0 Must issue a STARTTLS command first", Reason::tls_required, Outcome::permanent},
      {"535 5.7.8 Error: authentication failed: authentication failure", Reason::auth_failed, Outcome::permanent},
      {"550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.", Reason::sender_auth_failed, Outcome::permanent},
      {"550-5.7.1 [192.0.2.1] Our system has detected an unusual rate of\n550 5.7.1 unsolicited mail originating from your IP address.", Reason::rate_limited, Outcome::permanent},
      {"421 4.7.0 Too many connections from your IP", Reason::too_many_connections, Outcome::transient},
      {"550 5.7.1 Message rejected as spam by Content Filtering.", Reason::spam_detected, Outcome::permanent},
      {"250 2.1.5 Ok", Reason::delivered, Outcome::success},
      {"354 End data with <CR><LF>.<CR><LF>", Reason::delivered, Outcome::intermediate},
      {"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", Reason::user_unknown, Outcome::permanent},
      {"556 5.1.10 domain does not accept mail", Reason::not_accepting, Outcome::permanent},
      {"451 4.3.0 Error: queue file write error", Reason::system_error, Outcome::transient},
      // a bare content refusal: a content filter under X.7.x, the format under X.6.x or no status
      {"550 5.7.1 Message content rejected, UBE, id=00000-22-225", Reason::spam_detected, Outcome::permanent},
      {"500 5.6.1 Message content rejected", Reason::content_rejected, Outcome::permanent},
      {"554 Content rejected", Reason::content_rejected, Outcome::permanent},
      {"550 5.7.1 Attachment content rejected: .exe files are not allowed", Reason::content_rejected, Outcome::permanent},
  };
  for (const auto& c : cases) {
    INFO(c.reply);
    const auto k = of(c.reply);
    CHECK(to_string(k.reason) == to_string(c.reason));
    CHECK(to_string(k.outcome) == to_string(c.outcome));
    CHECK_FALSE(k.remediation.empty());
  }
}

TEST_CASE("codes alone decide when the text says nothing", "[codes][classify]") {
  CHECK(of("550 5.1.1").reason == Reason::user_unknown);
  CHECK(of("5.2.2").reason == Reason::mailbox_full);
  CHECK(of("5.2.2").outcome == Outcome::permanent);
  CHECK(of("552").reason == Reason::message_too_big);
  CHECK(of("530").reason == Reason::auth_required);
  CHECK(of("550").reason == Reason::other);
  CHECK(of("554 5.7.1").reason == Reason::policy_violation);
  CHECK(of("4.4.7").reason == Reason::expired);
  // "Temporary failure" names no cause: it says no more than the 4xx code did.
  CHECK(of("450 4.0.0 Temporary failure").reason == Reason::other);
  CHECK(of("450 4.0.0 Temporary failure").outcome == Outcome::transient);
}

TEST_CASE("blocklists are named", "[codes][classify]") {
  auto k = of("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1");
  REQUIRE(k.blocklist);
  CHECK(*k.blocklist == "zen.spamhaus.org");
  CHECK(k.remediation.find("zen.spamhaus.org") != std::string::npos);
  CHECK(find_blocklist("blocked using rbl.example.net.") == std::string("rbl.example.net"));
  CHECK_FALSE(find_blocklist("550 user unknown"));
}

TEST_CASE("inconsistent and unregistered codes are noted", "[codes][classify]") {
  auto k = of("550 4.1.1 user unknown");
  CHECK(k.outcome == Outcome::permanent);
  REQUIRE_FALSE(k.notes.empty());
  CHECK(k.notes[0].find("Inconsistent reply") == 0);
  auto u = of("550 5.1.99 strange");
  CHECK(u.enhanced_meaning == "Addressing Status (unregistered detail)");
  auto n = of("559 odd");
  CHECK(n.outcome == Outcome::permanent);
  CHECK_FALSE(n.notes.empty());
}

TEST_CASE("provider code tables: NetEase and QQ", "[codes][classify]") {
  auto k = of("554 DT:SPM 126 smtp2,DMmowAAnNDQz4zxdCk6LIw--.52838S2 1564271411,please see http://mail.163.com/help/help_spam_16.htm");
  CHECK(k.reason == Reason::spam_detected);
  REQUIRE(k.provider);
  CHECK(*k.provider == "NetEase/Coremail");
  CHECK(k.provider_meaning.find("DT:SPM") == 0);
  CHECK(of("550 MI:SPF 163 mx49,Y8CowABHDZS0MLtb+QOjRQ--.39199S3 1538994358").reason == Reason::sender_auth_failed);
  CHECK(of("451 MI:SFQ 163 smtp1").reason == Reason::rate_limited);
  CHECK(of("550 Ip frequency limited [ip=192.0.2.1]").reason == Reason::rate_limited);
  CHECK(of("550 Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728").reason == Reason::user_unknown);
}

TEST_CASE("POP3 status lines and RFC 2449/3206 codes", "[codes][pop3]") {
  auto s = parse_pop3_status("-ERR [IN-USE] Mailbox is locked by another session");
  REQUIRE(s);
  CHECK_FALSE(s->ok);
  CHECK(*s->resp_code == "IN-USE");
  auto c = classify_pop3(*s);
  CHECK(c.outcome == Outcome::transient);
  CHECK(c.remediation.find("Another client") == 0);

  auto a = classify_pop3(*parse_pop3_status("-ERR [AUTH] Authentication failed."));
  CHECK(a.reason == Reason::auth_failed);
  CHECK(a.outcome == Outcome::permanent);
  auto p = classify_pop3(*parse_pop3_status("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."));
  CHECK(p.reason == Reason::tls_required);
  CHECK(lookup_pop3_code("SYS/TEMP/EXTRA")->code == "SYS/TEMP");
  CHECK(lookup_pop3_code("LOGIN-DELAY")->reason == Reason::rate_limited);
  CHECK(lookup_pop3_code("NOPE") == nullptr);
  CHECK(parse_pop3_status("+OK Dovecot (Debian) ready.")->ok);
  CHECK_FALSE(parse_pop3_status("+OKAY"));
  CHECK_FALSE(parse_pop3_status("* OK imap"));
}

TEST_CASE("every reason has a name, description and remediation", "[codes][reason]") {
  for (const auto& r : all_reasons()) {
    INFO(r.name);
    CHECK(reason_from_string(r.name) == r.reason);
    CHECK(info(r.reason).name == r.name);
    CHECK_FALSE(r.description.empty());
    CHECK_FALSE(r.remediation.empty());
  }
}
