// Exim, Sendmail and Dovecot readers on recorded-style lines.

#include "maildiag/log/event.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace maildiag::log;

namespace {

Event read(std::string_view line) {  // a view: Event holds views into the line, which must outlive it
  const auto l = parse_syslog(line);
  REQUIRE(l);
  Event ev;
  parse_event(*l, ev);
  return ev;
}

}  // namespace

TEST_CASE("Exim mainlog", "[log][exim]") {
  SECTION("arrival") {
    const auto ev = read("2026-11-23 10:00:00 1abcDE-000123-Xy <= alice@example.com H=client.example.org (helo.example.org) "
                         "[198.51.100.7]:50312 I=[192.0.2.1]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no "
                         "A=dovecot_plain:alice S=2048 id=20261123.abc@example.com T=\"Hello\" from <alice@example.com> for bob@example.net");
    CHECK(ev.source == Source::exim);
    CHECK(ev.kind == EventKind::received);
    CHECK(ev.queue_id == "1abcDE-000123-Xy");
    CHECK(ev.from == "alice@example.com");
    CHECK(ev.client == "client.example.org (helo.example.org) [198.51.100.7]:50312");
    CHECK(ev.stage == "dovecot_plain");
    CHECK(ev.user == "alice");
    CHECK(ev.size == "2048");
    CHECK(ev.message_id == "20261123.abc@example.com");
    CHECK(ev.detail == "TLS1.3:TLS_AES_256_GCM_SHA384:256");
  }
  SECTION("delivered") {
    const auto ev = read("2026-11-23 10:00:02 1abcDE-000123-Xy => bob@example.net R=dnslookup T=remote_smtp "
                         "H=mx.example.net [203.0.113.25] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes "
                         "C=\"250 2.0.0 OK 1700733603 a1si123 - gsmtp\"");
    CHECK(ev.kind == EventKind::delivery);
    CHECK(ev.status == DeliveryStatus::sent);
    CHECK(ev.to == "bob@example.net");
    CHECK(ev.relay == "mx.example.net [203.0.113.25]");
    CHECK(ev.text == "250 2.0.0 OK 1700733603 a1si123 - gsmtp");
  }
  SECTION("bounced with original address") {
    const auto ev = read("2026-11-23 10:01:00 1abcDF-000456-Zz ** nobody@example.org <Nobody@Example.org> R=dnslookup "
                         "T=remote_smtp H=mx.example.org [192.0.2.20]: SMTP error from remote mail server after RCPT "
                         "TO:<nobody@example.org>: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown");
    CHECK(ev.status == DeliveryStatus::bounced);
    CHECK(ev.to == "nobody@example.org");
    CHECK(ev.orig_to == "Nobody@Example.org");
    CHECK(ev.relay == "mx.example.org [192.0.2.20]");
    CHECK(ev.text == "SMTP error from remote mail server after RCPT TO:<nobody@example.org>: 550 5.1.1 "
                     "<nobody@example.org>: Recipient address rejected: User unknown");
  }
  SECTION("bounced without fields") {
    const auto ev = read("2026-11-23 10:01:00 1abcDF-000456-Zz ** x@nowhere.invalid: Unrouteable address");
    CHECK(ev.status == DeliveryStatus::bounced);
    CHECK(ev.to == "x@nowhere.invalid");
    CHECK(ev.text == "Unrouteable address");
  }
  SECTION("deferred") {
    const auto ev = read("2026-11-23 10:02:00 1abcDG-000789-Aa == carol@example.biz R=dnslookup T=remote_smtp defer (111): Connection refused");
    CHECK(ev.status == DeliveryStatus::deferred);
    CHECK(ev.to == "carol@example.biz");
    CHECK(ev.text == "Connection refused");
  }
  SECTION("completed, frozen, new 4.97 ids") {
    auto ev = read("2026-11-23 10:02:00 1abcDG-000789-Aa Completed");
    CHECK(ev.kind == EventKind::removed);
    ev = read("2026-11-23 10:02:00 1rZzj4-00000000Ytr-2Cqu Frozen");
    CHECK(ev.kind == EventKind::held);
    CHECK(ev.queue_id == "1rZzj4-00000000Ytr-2Cqu");
  }
  SECTION("bounce message names its parent") {
    const auto ev = read("2026-11-23 10:01:00 1abcDH-000999-Bb <= <> R=1abcDF-000456-Zz U=Debian-exim P=local S=3120");
    CHECK(ev.kind == EventKind::received);
    CHECK(ev.from.empty());
    CHECK(ev.related == "1abcDF-000456-Zz");
  }
  SECTION("ACL reject, authenticator and TLS failures") {
    auto ev = read("2026-11-23 10:03:00 H=(bad.example) [203.0.113.99]:40123 F=<spam@bad.example> rejected RCPT "
                   "<alice@example.com>: relay not permitted");
    CHECK(ev.kind == EventKind::reject);
    CHECK(ev.stage == "RCPT");
    CHECK(ev.client == "(bad.example) [203.0.113.99]:40123");
    CHECK(ev.from == "spam@bad.example");
    CHECK(ev.to == "alice@example.com");
    CHECK(ev.text == "relay not permitted");
    ev = read("2026-11-23 10:03:00 H=(bad.example) [203.0.113.99]:40123 F=<> temporarily rejected RCPT <a@example.com>: greylisted");
    CHECK(ev.kind == EventKind::reject);
    CHECK(ev.text == "greylisted");
    ev = read("2026-11-23 10:04:00 dovecot_login authenticator failed for (User) [203.0.113.50]:50000 "
              "I=[192.0.2.1]:587: 535 Incorrect authentication data (set_id=admin)");
    CHECK(ev.kind == EventKind::auth_failed);
    CHECK(ev.stage == "dovecot_login");
    CHECK(ev.client == "(User) [203.0.113.50]:50000");
    CHECK(ev.user == "admin");
    ev = read("2026-11-23 10:05:00 TLS error on connection from (old) [198.51.100.80]:1234 I=[192.0.2.1]:25 (SSL_accept): "
              "error:0A000102:SSL routines::unsupported protocol");
    CHECK(ev.kind == EventKind::tls_failed);
    CHECK(ev.client == "(old) [198.51.100.80]:1234");
  }
  SECTION("exim through syslog") {
    const auto ev = read("Nov 23 10:02:00 mx exim[4711]: 2026-11-23 10:02:00 1abcDG-000789-Aa Completed");
    CHECK(ev.kind == EventKind::removed);
    CHECK(ev.queue_id == "1abcDG-000789-Aa");
  }
}

TEST_CASE("Sendmail", "[log][sendmail]") {
  auto ev = read("Nov 23 10:00:00 mx sm-mta[1234]: 2ANA00ab012345: from=<alice@example.com>, size=2048, class=0, "
                 "nrcpts=2, msgid=<abc@example.com>, bodytype=8BITMIME, proto=ESMTPSA, daemon=MTA, auth=PLAIN, "
                 "relay=client.example.org [198.51.100.7]");
  CHECK(ev.source == Source::sendmail);
  CHECK(ev.kind == EventKind::received);
  CHECK(ev.queue_id == "2ANA00ab012345");
  CHECK(ev.from == "alice@example.com");
  CHECK(ev.nrcpt == "2");
  CHECK(ev.message_id == "<abc@example.com>");
  CHECK(ev.client == "client.example.org [198.51.100.7]");
  ev = read("Nov 23 10:00:02 mx sm-mta[1235]: 2ANA00ab012345: to=<bob@example.net>, ctladdr=<alice@example.com> "
            "(1000/1000), delay=00:00:02, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.net. "
            "[203.0.113.25], dsn=2.0.0, stat=Sent (Ok: queued as 4F3A2B1C0D)");
  CHECK(ev.kind == EventKind::delivery);
  CHECK(ev.status == DeliveryStatus::sent);
  CHECK(ev.relay == "mx.example.net. [203.0.113.25]");
  CHECK(ev.text == "Ok: queued as 4F3A2B1C0D");
  CHECK(ev.related == "4F3A2B1C0D");
  ev = read("Nov 23 10:00:03 mx sm-mta[1235]: 2ANA00ab012345: to=<carol@example.biz>, delay=00:00:03, "
            "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mail.example.biz., dsn=4.0.0, stat=Deferred: "
            "Connection refused by mail.example.biz.");
  CHECK(ev.status == DeliveryStatus::deferred);
  CHECK(ev.text == "Connection refused by mail.example.biz.");
  ev = read("Nov 23 10:00:03 mx sm-mta[1235]: 2ANA00ab012346: to=<x@example.org>, delay=00:00:01, mailer=esmtp, "
            "pri=30000, relay=mx.example.org. [192.0.2.20], dsn=5.1.1, stat=User unknown");
  CHECK(ev.status == DeliveryStatus::bounced);
  CHECK(ev.text == "User unknown");
  ev = read("Nov 23 10:00:03 mx sm-mta[1235]: 2ANA00ab012346: 2ANA00ac012347: DSN: User unknown");
  CHECK(ev.kind == EventKind::ndr);
  CHECK(ev.related == "2ANA00ac012347");
  ev = read("Nov 23 10:00:04 mx sm-mta[1236]: 2ANA00ad012348: ruleset=check_rcpt, arg1=<x@example.org>, "
            "relay=bad.example [203.0.113.99], reject=550 5.7.1 <x@example.org>... Relaying denied");
  CHECK(ev.kind == EventKind::reject);
  CHECK(ev.stage == "RCPT");
  CHECK(ev.to == "x@example.org");
  CHECK(ev.client == "bad.example [203.0.113.99]");
  CHECK(ev.text == "550 5.7.1 <x@example.org>... Relaying denied");
  ev = read("Nov 23 10:00:05 mx sm-mta[1237]: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): "
            "authentication failure: checkpass failed, user=admin, relay=[203.0.113.50]");
  CHECK(ev.kind == EventKind::auth_failed);
  CHECK(ev.stage == "LOGIN");
  CHECK(ev.user == "admin");
  CHECK(ev.client == "[203.0.113.50]");
  ev = read("Nov 23 10:00:06 mx sm-mta[1238]: STARTTLS=server, error: accept failed=-1, reason=unsupported protocol, "
            "SSL_error=1, errno=0, retry=-1, relay=old.example [198.51.100.80]");
  CHECK(ev.kind == EventKind::tls_failed);
  CHECK(ev.client == "old.example [198.51.100.80]");
  ev = read("Nov 23 10:00:06 mx sm-mta[1238]: STARTTLS=client, relay=mx.example.net., version=TLSv1.3, verify=OK, "
            "cipher=TLS_AES_256_GCM_SHA384, bits=256/256");
  CHECK(ev.kind == EventKind::tls);
  CHECK(ev.stage == "OK");
  CHECK(ev.relay == "mx.example.net.");
}

TEST_CASE("Dovecot", "[log][dovecot]") {
  SECTION("own log_path format") {
    auto ev = read("Nov 23 05:00:16 pop3-login: Info: Login: user=<alice@mail.test>, method=PLAIN, rip=127.0.0.1, "
                   "lip=127.0.0.1, mpid=31180, TLS, session=<fx88eOpgxM5/AAAB>");
    CHECK(ev.kind == EventKind::login);
    CHECK(ev.stage == "pop3");
    CHECK(ev.user == "alice@mail.test");
    CHECK(ev.client == "127.0.0.1");
    ev = read("Nov 23 05:00:16 pop3-login: Info: Disconnected: Aborted login by logging out (auth failed, 1 attempts "
              "in 0 secs): user=<alice@mail.test>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, TLS, session=<4Hg8eOpgKsp/AAAB>");
    CHECK(ev.kind == EventKind::auth_failed);
    CHECK(ev.user == "alice@mail.test");
    CHECK(ev.text == "Disconnected: Aborted login by logging out (auth failed, 1 attempts in 0 secs)");
    ev = read("Nov 23 05:00:16 pop3-login: Info: Login failed: Plaintext authentication disabled: user=<>, "
              "rip=127.0.0.2, lip=127.0.0.1, session=<2UtEeOpgMeR/AAAC>");
    CHECK(ev.kind == EventKind::auth_failed);
    CHECK(ev.text == "Plaintext authentication disabled");
    CHECK(ev.client == "127.0.0.2");
    ev = read("Nov 23 05:00:07 auth: Info: passwd-file(alice@mail.test,127.0.0.1): Password mismatch");
    CHECK(ev.kind == EventKind::auth_failed);
    CHECK(ev.stage == "backend");
    CHECK(ev.user == "alice@mail.test");
    CHECK(ev.client == "127.0.0.1");
    ev = read("Nov 23 05:00:16 imap-login: Info: Disconnected: Aborted login by logging out (no auth attempts in 0 "
              "secs): user=<>, rip=127.0.0.2, lip=127.0.0.1, session=<eWxFeOpgMY9/AAAC>");
    CHECK(ev.kind == EventKind::none);
  }
  SECTION("syslog format and LMTP delivery") {
    auto ev = read("Nov 23 10:40:01 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
                   "user=<bob>, method=PLAIN, rip=203.0.113.50, lip=192.0.2.1, TLS, session=<abc>");
    CHECK(ev.kind == EventKind::auth_failed);
    CHECK(ev.stage == "imap");
    CHECK(ev.client == "203.0.113.50");
    ev = read("Nov 23 10:40:01 mx dovecot: lmtp(alice)<2074><nXvWBZ3hX2UhCAAAfE6rKQ>: msgid=<abc@partner.example>: "
              "saved mail to INBOX");
    CHECK(ev.kind == EventKind::delivery);
    CHECK(ev.status == DeliveryStatus::sent);
    CHECK(ev.to == "alice");
    CHECK(ev.message_id == "<abc@partner.example>");
    ev = read("Nov 23 10:40:02 mx dovecot: lmtp(bob)<2075><x>: Error: msgid=<q@x>: save failed to INBOX: Quota "
              "exceeded (mailbox for user is full)");
    CHECK(ev.kind == EventKind::delivery);
    CHECK(ev.status == DeliveryStatus::other);
  }
}
