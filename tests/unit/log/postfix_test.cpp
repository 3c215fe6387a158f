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

TEST_CASE("Postfix lines with a queue id", "[log][postfix]") {
  SECTION("smtpd client= with SASL") {
    const auto ev = read("Nov 23 05:00:06 mx1 postfix-testbed/submission/smtpd[31091]: C2237A72223: "
                         "client=unknown[127.0.0.1], sasl_method=PLAIN, sasl_username=alice@mail.test");
    CHECK(ev.kind == EventKind::received);
    CHECK(ev.queue_id == "C2237A72223");
    CHECK(ev.client == "unknown[127.0.0.1]");
    CHECK(ev.stage == "PLAIN");
    CHECK(ev.user == "alice@mail.test");
  }
  SECTION("cleanup message-id") {
    const auto ev = read("Nov 23 05:00:06 mx1 postfix/cleanup[31093]: C2237A72223: message-id=<20261123050006.031090@vm>");
    CHECK(ev.kind == EventKind::message_id);
    CHECK(ev.message_id == "<20261123050006.031090@vm>");
  }
  SECTION("qmgr from/size/nrcpt") {
    const auto ev = read("Nov 23 05:00:06 mx1 postfix/qmgr[26498]: C2237A72223: from=<alice@mail.test>, size=587, nrcpt=1 (queue active)");
    CHECK(ev.kind == EventKind::queued);
    CHECK(ev.from == "alice@mail.test");
    CHECK(ev.size == "587");
    CHECK(ev.nrcpt == "1");
  }
  SECTION("null sender") {
    const auto ev = read("Nov 23 05:00:06 mx1 postfix/qmgr[26498]: 9C8D7E6F5A: from=<>, size=2530, nrcpt=1 (queue active)");
    CHECK(ev.kind == EventKind::queued);
    CHECK(ev.from.empty());
  }
  SECTION("delivery sent with next-hop queue id") {
    const auto ev = read("Nov 23 10:05:01 mx postfix/smtp[2010]: 12BDBE6FEE9: to=<carol@example.biz>, "
                         "relay=mail.example.biz[192.0.2.10]:25, delay=300, delays=299/0.1/0.4/0.5, dsn=2.0.0, "
                         "status=sent (250 2.0.0 Ok: queued as 4F3A2B1C0D)");
    CHECK(ev.kind == EventKind::delivery);
    CHECK(ev.to == "carol@example.biz");
    CHECK(ev.relay == "mail.example.biz[192.0.2.10]:25");
    CHECK(ev.delay == "300");
    CHECK(ev.delays == "299/0.1/0.4/0.5");
    CHECK(ev.dsn == "2.0.0");
    CHECK(ev.status == DeliveryStatus::sent);
    CHECK(ev.text == "250 2.0.0 Ok: queued as 4F3A2B1C0D");
    CHECK(ev.related == "4F3A2B1C0D");
  }
  SECTION("delivery bounced: the status text keeps key=value-looking words") {
    const auto ev = read("Nov 23 10:20:01 mx postfix/smtp[2050]: 7A1C2B3D4E: to=<nobody@example.org>, orig_to=<nobody>, "
                         "relay=mx.example.org[192.0.2.20]:25, delay=0.9, delays=0.01/0/0.5/0.4, dsn=5.1.1, "
                         "status=bounced (host mx.example.org[192.0.2.20] said: 550 5.1.1 user=unknown, id=3 "
                         "(in reply to RCPT TO command))");
    CHECK(ev.status == DeliveryStatus::bounced);
    CHECK(ev.orig_to == "nobody");
    CHECK(ev.text == "host mx.example.org[192.0.2.20] said: 550 5.1.1 user=unknown, id=3 (in reply to RCPT TO command)");
  }
  SECTION("delivery deferred") {
    const auto ev = read("Nov 23 10:00:04 mx postfix/smtp[2004]: 12BDBE6FEE9: to=<carol@example.biz>, relay=none, "
                         "delay=3.2, delays=0.1/0/3.1/0, dsn=4.4.1, status=deferred (connect to "
                         "mail.example.biz[192.0.2.10]:25: Connection refused)");
    CHECK(ev.status == DeliveryStatus::deferred);
    CHECK(ev.relay == "none");
    CHECK(ev.text == "connect to mail.example.biz[192.0.2.10]:25: Connection refused");
  }
  SECTION("expired, removed, postsuper removal, hold") {
    auto ev = read("Nov 23 10:30:00 mx postfix/qmgr[900]: 3F1A22040B: from=<news@example.com>, status=expired, returned to sender");
    CHECK(ev.kind == EventKind::expired);
    CHECK(ev.from == "news@example.com");
    CHECK(ev.text == "returned to sender");
    ev = read("Nov 23 10:30:00 mx postfix/qmgr[900]: 3F1A22040B: removed");
    CHECK(ev.kind == EventKind::removed);
    CHECK(ev.stage.empty());
    ev = read("Nov 23 10:51:00 mx postfix/postsuper[3000]: 4B4B4B4B4B: removed");
    CHECK(ev.kind == EventKind::removed);
    CHECK(ev.stage == "postsuper");
    ev = read("Nov 23 10:51:00 mx postfix/postsuper[3000]: 4B4B4B4B4B: placed on hold");
    CHECK(ev.kind == EventKind::held);
  }
  SECTION("bounce notification links the new message") {
    const auto ev = read("Nov 23 10:20:01 mx postfix/bounce[2051]: 7A1C2B3D4E: sender non-delivery notification: 9C8D7E6F5A");
    CHECK(ev.kind == EventKind::ndr);
    CHECK(ev.related == "9C8D7E6F5A");
  }
  SECTION("long queue ids") {
    const auto ev = read("Nov 23 10:20:01 mx postfix/qmgr[900]: 4Qb2Xk0Yh4z9sLr: removed");
    CHECK(ev.kind == EventKind::removed);
    CHECK(ev.queue_id == "4Qb2Xk0Yh4z9sLr");
  }
  SECTION("pickup") {
    const auto ev = read("Nov 23 10:20:00 mx postfix/pickup[950]: 7A1C2B3D4E: uid=1000 from=<dave>");
    CHECK(ev.kind == EventKind::received);
    CHECK(ev.from == "dave");
    CHECK(ev.client == "local");
  }
}

TEST_CASE("Postfix rejects", "[log][postfix]") {
  struct Case {
    const char* line;
    const char* stage;
    const char* client;
    const char* text;
    const char* from;
    const char* to;
  };
  const Case cases[] = {
      {"Nov 23 05:00:06 mx1 postfix/smtpd[31072]: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 "
       "<nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table; from=<probe@client.test> "
       "to=<nobody@mail.test> proto=ESMTP helo=<client.test>",
       "RCPT", "unknown[127.0.0.1]",
       "550 5.1.1 <nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table",
       "probe@client.test", "nobody@mail.test"},
      {"Nov 23 05:00:06 mx1 postfix/smtpd[31072]: NOQUEUE: reject: MAIL from unknown[127.0.0.1]: 552 5.3.4 Message "
       "size exceeds fixed limit; from=<probe@client.test> proto=ESMTP helo=<client.test>",
       "MAIL", "unknown[127.0.0.1]", "552 5.3.4 Message size exceeds fixed limit", "probe@client.test", ""},
      {"Nov 23 10:10:00 mx postfix/postscreen[77]: NOQUEUE: reject: RCPT from [203.0.113.99]:40123: 550 5.7.1 Service "
       "unavailable; client [203.0.113.99] blocked using zen.spamhaus.org; from=<a@bad.example>, to=<b@example.com>, "
       "proto=ESMTP, helo=<bad.example>",
       "RCPT", "[203.0.113.99]:40123",
       "550 5.7.1 Service unavailable; client [203.0.113.99] blocked using zen.spamhaus.org", "a@bad.example",
       "b@example.com"},
      {"Nov 23 10:10:00 mx postfix/cleanup[88]: 5D5D5D5D5D: reject: header Subject: You won from "
       "unknown[203.0.113.5]; from=<a@bad.example> to=<b@example.com> proto=ESMTP helo=<x>: 5.7.1 message content "
       "rejected",
       "header", "unknown[203.0.113.5]", "5.7.1 message content rejected", "a@bad.example", "b@example.com"},
      {"Nov 23 10:10:00 mx postfix/cleanup[88]: 5D5D5D5D5D: milter-reject: END-OF-MESSAGE from "
       "unknown[203.0.113.5]: 5.7.1 Spam message rejected; from=<a@bad.example> to=<b@example.com> proto=ESMTP "
       "helo=<x>",
       "END-OF-MESSAGE", "unknown[203.0.113.5]", "5.7.1 Spam message rejected", "a@bad.example", "b@example.com"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto ev = read(c.line);
    CHECK(ev.kind == EventKind::reject);
    CHECK(ev.stage == c.stage);
    CHECK(ev.client == c.client);
    CHECK(ev.text == c.text);
    CHECK(ev.from == c.from);
    CHECK(ev.to == c.to);
  }
}

TEST_CASE("Postfix session, TLS and authentication lines", "[log][postfix]") {
  auto ev = read("Nov 23 05:00:06 mx1 postfix/smtpd[31072]: connect from unknown[127.0.0.1]");
  CHECK(ev.kind == EventKind::connect);
  CHECK(ev.client == "unknown[127.0.0.1]");
  ev = read("Nov 23 05:00:06 mx1 postfix/smtpd[31072]: disconnect from unknown[127.0.0.1] ehlo=1 quit=1 commands=2");
  CHECK(ev.kind == EventKind::disconnect);
  CHECK(ev.detail == "ehlo=1 quit=1 commands=2");
  ev = read("Nov 23 05:00:06 mx1 postfix/smtpd[31072]: Anonymous TLS connection established from unknown[127.0.0.1]: "
            "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
  CHECK(ev.kind == EventKind::tls);
  CHECK(ev.stage == "Anonymous");
  CHECK(ev.client == "unknown[127.0.0.1]");
  CHECK(ev.detail == "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
  ev = read("Nov 23 10:00:02 mx postfix/smtp[2003]: Verified TLS connection established to mx.example.net[203.0.113.25]:25: TLSv1.3");
  CHECK(ev.kind == EventKind::tls);
  CHECK(ev.relay == "mx.example.net[203.0.113.25]:25");
  ev = read("Nov 23 05:00:07 mx1 postfix/submission/smtpd[31091]: warning: unknown[127.0.0.1]: SASL PLAIN "
            "authentication failed: (reason unavailable), sasl_username=alice@mail.test");
  CHECK(ev.kind == EventKind::auth_failed);
  CHECK(ev.client == "unknown[127.0.0.1]");
  CHECK(ev.stage == "PLAIN");
  CHECK(ev.user == "alice@mail.test");
  CHECK(ev.text == "(reason unavailable)");
  ev = read("Nov 23 05:00:16 mx1 postfix/smtpd[31075]: SSL_accept error from unknown[127.0.0.1]: -1");
  CHECK(ev.kind == EventKind::tls_failed);
  CHECK(ev.client == "unknown[127.0.0.1]");
  ev = read("Nov 23 05:00:16 mx1 postfix/smtpd[31075]: warning: TLS library problem: error:0A000415:SSL "
            "routines::sslv3 alert certificate expired:../ssl/record/rec_layer_s3.c:1602:SSL alert number 45:");
  CHECK(ev.kind == EventKind::tls_failed);
  CHECK(ev.stage == "library");
  ev = read("Nov 23 05:00:06 mx1 postfix/smtpd[31072]: warning: E35EEA72242: queue file size limit exceeded");
  CHECK(ev.kind == EventKind::note);
  CHECK(ev.queue_id == "E35EEA72242");
}

TEST_CASE("lines Postfix readers do not know are left alone", "[log][postfix]") {
  for (const char* line : {"Nov 23 05:00:06 mx1 postfix/smtpd[1]: lost connection after EHLO from unknown[127.0.0.1]",
                           "Nov 23 05:00:06 mx1 postfix/master[1]: daemon started -- version 3.7.11",
                           "Nov 23 05:00:06 mx1 kernel: [123.4] eth0: link up",
                           "Nov 23 05:00:06 mx1 postfix/unknowndaemon[1]: ABCDEF1234: removed",
                           "Nov 23 05:00:06 mx1 postfix/smtpd[1]: warning: hostname x does not resolve to address 1.2.3.4",
                           "Nov 23 05:00:06 mx1 postfix/qmgr[1]: ABCDEF1234:"}) {
    INFO(line);
    const auto l = parse_syslog(line);
    REQUIRE(l);
    Event ev;
    CHECK_FALSE(parse_event(*l, ev));
    CHECK(ev.kind == EventKind::none);
  }
  // Truncated lines keep whatever fields were complete.
  const auto ev = read("Nov 23 10:53:01 mx postfix/qmgr[900]: 1D1D1D1D1D: from=<trunc@example.com>, size=");
  CHECK(ev.kind == EventKind::queued);
  CHECK(ev.from == "trunc@example.com");
  CHECK(ev.size.empty());
}

TEST_CASE("helpers", "[log][postfix]") {
  CHECK(domain_of("alice@Example.COM") == "Example.COM");
  CHECK(domain_of("dave").empty());
  CHECK(client_address("unknown[127.0.0.1]") == "127.0.0.1");
  CHECK(client_address("[203.0.113.99]:40123") == "203.0.113.99");
  CHECK(client_address("mx [2001:db8::1]") == "2001:db8::1");
  CHECK(client_address("10.0.0.1") == "10.0.0.1");
}
