#include "maildiag/app/diagnose_verdict.hpp"
#include "diagnose_facts.hpp"

#include <catch2/catch.hpp>

using namespace maildiag;
using test::classified_reply;
using test::healthy_facts;

TEST_CASE("diagnose: each scenario has its one root cause", "[app][diagnose]") {
  auto f = healthy_facts();
  f.rcpt = classified_reply("250 2.1.5 Ok");
  f.rcpt_text = "250 2.1.5 Ok";
  CHECK(app::decide(f).cause_id == "deliverable");
  CHECK(app::decide(f).severity == report::Severity::ok);

  f.rcpt = classified_reply("550 5.1.1 <bob@mail.test>: Recipient address rejected: User unknown in virtual mailbox table");
  f.rcpt_text = "550 5.1.1";
  auto unknown = app::decide(f);
  CHECK(unknown.cause_id == "user-unknown");
  CHECK(unknown.severity == report::Severity::critical);
  CHECK(unknown.sentence == "Mail to alice@mail.test will bounce: the server says the mailbox does not exist (550 5.1.1).");
  CHECK(unknown.step == "rcpt");

  f.rcpt = classified_reply("450 4.7.1 <grey@mail.test>: Recipient address rejected: Greylisted, please try again later");
  CHECK(app::decide(f).cause_id == "greylisted");
  CHECK(app::decide(f).severity == report::Severity::warning);

  f.rcpt = classified_reply("554 5.7.1 <x@example.net>: Relay access denied");
  CHECK(app::decide(f).cause_id == "relay-denied");
}

TEST_CASE("diagnose: earlier steps decide before later ones", "[app][diagnose]") {
  auto f = healthy_facts();
  f.rcpt = classified_reply("550 5.1.1 user unknown");
  f.dns = app::DnsFact::null_mx;
  CHECK(app::decide(f).cause_id == "null-mx");
  f.dns = app::DnsFact::no_route;
  f.dns_detail = "mx.noaddr.test has no A/AAAA record";
  auto nr = app::decide(f);
  CHECK(nr.cause_id == "mx-without-address");
  CHECK(nr.sentence.find("mx.noaddr.test has no A/AAAA record") != std::string::npos);
  f.dns = app::DnsFact::ok;
  f.reach = app::ReachFact::outbound_blocked;
  CHECK(app::decide(f).sentence.rfind("Your network blocks outbound port 25", 0) == 0);
  f.reach = app::ReachFact::remote_filtered;
  CHECK(app::decide(f).cause_id == "remote-unreachable");
  f.dns = app::DnsFact::dns_failure;
  CHECK(app::decide(f).severity == report::Severity::unknown);
}

TEST_CASE("diagnose: TLS matters only when the recipient is fine", "[app][diagnose]") {
  auto f = healthy_facts();
  f.tls = app::TlsFact::cert_expired;
  f.tls_detail = "expired 3 days ago";
  f.rcpt = classified_reply("250 2.1.5 Ok");
  CHECK(app::decide(f).cause_id == "tls-cert-expired");
  f.rcpt = classified_reply("550 5.1.1 user unknown");
  CHECK(app::decide(f).cause_id == "user-unknown");
}

TEST_CASE("diagnose: a rejecting banner names the blocklist", "[app][diagnose]") {
  auto f = healthy_facts();
  f.banner = classified_reply("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org");
  f.banner_text = "554 5.7.1 ...";
  auto v = app::decide(f);
  CHECK(v.cause_id == "banner-rejected");
  CHECK(v.sentence.find("zen.spamhaus.org") != std::string::npos);
}

TEST_CASE("diagnose: an interrupted walk gives no verdict, whatever the facts so far", "[app][diagnose]") {
  auto f = healthy_facts();
  f.rcpt = classified_reply("550 5.1.1 user unknown");
  f.interrupted_step = "smtp";
  const auto v = app::decide(f);
  CHECK(v.cause_id == "interrupted");
  CHECK(v.severity == report::Severity::unknown);
  CHECK(v.step == "smtp");
  CHECK(v.sentence.find("interrupted during the smtp step") != std::string::npos);
  CHECK(v.next.find("maildiag diagnose alice@mail.test") != std::string::npos);
}

TEST_CASE("diagnose: a domain without MX is not said to have MX hosts", "[app][diagnose]") {
  auto f = healthy_facts();
  f.dns = app::DnsFact::implicit_mx;
  f.reach = app::ReachFact::remote_filtered;
  auto v = app::decide(f);
  CHECK(v.cause_id == "remote-unreachable");
  CHECK(v.sentence.rfind("mail.test's mail host (no MX: its own address) does not answer", 0) == 0);
  f.dns = app::DnsFact::ok;
  CHECK(app::decide(f).sentence.rfind("mail.test's MX hosts do not answer", 0) == 0);
}

TEST_CASE("diagnose: a certificate verdict carries the evidence, the next step is short", "[app][diagnose]") {
  auto f = healthy_facts();
  f.tls = app::TlsFact::cert_expired;
  f.tls_detail = "certificate expired on 2026-10-24T09:03:18Z (31 days ago)";
  f.rcpt = classified_reply("250 2.1.5 Ok");
  const auto v = app::decide(f);
  CHECK(v.sentence.find("(certificate expired on 2026-10-24T09:03:18Z (31 days ago))") != std::string::npos);
  CHECK(v.next == "Renew the certificate on mx1.mail.test and reload the mail server.");
}
