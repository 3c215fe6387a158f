// Pure helpers of the SMTP area: capabilities, command builders, DATA encoding, RCPT verdicts,
// SASL and the test message.

#include "maildiag/codes/classify.hpp"
#include "maildiag/message/charset.hpp"
#include "maildiag/smtp/capabilities.hpp"
#include "maildiag/smtp/command.hpp"
#include "maildiag/smtp/data.hpp"
#include "maildiag/smtp/rcpt_verdict.hpp"
#include "maildiag/smtp/sasl.hpp"
#include "maildiag/smtp/test_message.hpp"

#include <catch2/catch.hpp>

using namespace maildiag;

namespace {
codes::Reply reply(std::string_view text) {
  auto r = codes::parse_reply(text);
  REQUIRE(r);
  return *r;
}
}  // namespace

TEST_CASE("capabilities are parsed as keywords", "[smtp]") {
  const auto c = smtp::parse_capabilities(reply(
      "250-mail.test Hello client [127.0.0.1]\n250-PIPELINING\n250-SIZE 1048576\n250-ETRN\n250-STARTTLS\n"
      "250-AUTH PLAIN LOGIN\n250-AUTH=LOGIN CRAM-MD5\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n"
      "250-SMTPUTF8\n250-CHUNKING\n250-REQUIRETLS\n250 X-NOT-STARTTLS"));
  CHECK(c.server_name == "mail.test");
  CHECK(c.greeting_text == "Hello client [127.0.0.1]");
  CHECK(c.pipelining);
  CHECK(c.size);
  CHECK(c.size_limit == 1048576u);
  CHECK(c.starttls);
  CHECK(c.enhanced_status_codes);
  CHECK(c.eightbitmime);
  CHECK(c.dsn);
  CHECK(c.smtputf8);
  CHECK(c.chunking);
  CHECK(c.requiretls);
  CHECK(c.auth == std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"});
  CHECK(c.offers_auth("login"));
  CHECK(c.other == std::vector<std::string>{"ETRN", "X-NOT-STARTTLS"});
  CHECK(c.keywords.size() == 13);
}

TEST_CASE("capabilities: substrings are not keywords, odd values are noted", "[smtp]") {
  const auto c = smtp::parse_capabilities(reply("250-mx STARTTLS-like greeting\n250-XSTARTTLS\n250 SIZE big"));
  CHECK_FALSE(c.starttls);
  CHECK(c.size);
  CHECK_FALSE(c.size_limit);
  REQUIRE(c.notes.size() == 1);
  CHECK_THAT(c.notes[0], Catch::Contains("not a number"));
  CHECK(smtp::parse_capabilities(reply("502 no")).empty());
}

TEST_CASE("capability diff before and after STARTTLS", "[smtp]") {
  const auto before = smtp::parse_capabilities(reply("250-mx\n250-PIPELINING\n250-STARTTLS\n250 SIZE 100"));
  const auto after = smtp::parse_capabilities(reply("250-mx\n250-PIPELINING\n250-auth plain login\n250 SIZE 100"));
  const auto d = smtp::diff(before, after);
  CHECK(d.added == std::vector<std::string>{"AUTH PLAIN LOGIN"});
  CHECK(d.removed == std::vector<std::string>{"STARTTLS"});
  CHECK(smtp::diff(after, after).empty());
}

TEST_CASE("command builders", "[smtp]") {
  smtp::CommandError err;
  CHECK(smtp::ehlo("client.test")->wire == "EHLO client.test\r\n");
  CHECK_FALSE(smtp::ehlo("a b", &err));
  CHECK(smtp::mail_from("")->wire == "MAIL FROM:<>\r\n");

  smtp::MailParams mp;
  mp.size = 1234;
  mp.body = "8BITMIME";
  mp.smtputf8 = true;
  mp.ret = "hdrs";
  mp.envid = "id+1=x";
  CHECK(smtp::mail_from("a@b.test", mp)->wire ==
        "MAIL FROM:<a@b.test> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1+3Dx\r\n");

  smtp::RcptParams rp;
  rp.notify = {"success", "failure"};
  rp.orcpt = "bob@example.org";
  CHECK(smtp::rcpt_to("bob@example.org", rp)->wire ==
        "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org\r\n");
  rp.notify = {"never", "delay"};
  CHECK_FALSE(smtp::rcpt_to("bob@example.org", rp, &err));
  CHECK_THAT(err.message, Catch::Contains("NEVER"));

  SECTION("line breaks and brackets are refused (no command injection)") {
    CHECK_FALSE(smtp::rcpt_to("a@b\r\nRCPT TO:<c@d>", {}, &err));
    CHECK_THAT(err.message, Catch::Contains("line break"));
    CHECK_FALSE(smtp::mail_from("<a@b>", {}, &err));
    CHECK_FALSE(smtp::mail_from("a b@c", {}, &err));
    CHECK(smtp::mail_from("\"a b\"@c.test"));
    CHECK_FALSE(smtp::raw("NOOP\nRSET", &err));
    CHECK_FALSE(smtp::auth_response("abc\r\n", &err));
  }
  SECTION("AUTH is redacted in display") {
    const auto a = smtp::auth("plain", std::string_view("AGFsaWNlAHNlY3JldA=="));
    CHECK(a->wire == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    CHECK(a->display == "AUTH PLAIN <redacted>");
    CHECK(smtp::auth("PLAIN", std::string_view(""))->wire == "AUTH PLAIN =\r\n");
    CHECK(smtp::auth_response("c2VjcmV0")->display == "<redacted>");
    CHECK(smtp::raw("auth plain AGFsaWNl")->display == "auth plain <redacted>");
    CHECK(smtp::raw("AUTH LOGIN")->display == "AUTH LOGIN");
    CHECK(smtp::raw("rcpt to:<a@b>")->verb == smtp::Verb::rcpt);
  }
  CHECK(smtp::needs_smtputf8("j\xc3\xb6rg@example.test"));
  CHECK_FALSE(smtp::needs_smtputf8("joerg@example.test"));
}

TEST_CASE("reply shapes: expected codes and RFC 2920 groups", "[smtp]") {
  CHECK(smtp::expects(smtp::Verb::data, 354));
  CHECK_FALSE(smtp::expects(smtp::Verb::data, 250));
  CHECK(smtp::expects(smtp::Verb::auth, 334));
  CHECK(smtp::expects(smtp::Verb::rcpt, 251));
  CHECK(smtp::expects(smtp::Verb::other, 214));
  CHECK_FALSE(smtp::expects(smtp::Verb::other, 500));
  CHECK(smtp::shape(smtp::Verb::rcpt).may_be_followed);
  CHECK_FALSE(smtp::shape(smtp::Verb::ehlo).may_be_followed);
  CHECK_FALSE(smtp::shape(smtp::Verb::data).may_be_followed);
}

TEST_CASE("DATA encoding: CRLF, dot-stuffing, terminator", "[smtp]") {
  struct Case {
    std::string_view in;
    std::string_view wire;
    std::size_t stuffed;
    std::size_t fixed;
  };
  const Case cases[] = {
      {"", ".\r\n", 0, 0},
      {"a", "a\r\n.\r\n", 0, 0},
      {"a\r\n", "a\r\n.\r\n", 0, 0},
      {"a\nb\n", "a\r\nb\r\n.\r\n", 0, 2},
      {".\n", "..\r\n.\r\n", 1, 1},
      {"x\r\n.\r\ny", "x\r\n..\r\ny\r\n.\r\n", 1, 0},
      {"lone\rcr", "lone\r\ncr\r\n.\r\n", 0, 1},
      {"..two\r\n", "...two\r\n.\r\n", 1, 0},
      {"a\n\nb", "a\r\n\r\nb\r\n.\r\n", 0, 2},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    const auto m = smtp::encode_message(c.in);
    CHECK(m.wire == c.wire);
    CHECK(m.stuffed == c.stuffed);
    CHECK(m.fixed_line_ends == c.fixed);
  }
  CHECK(smtp::encode_message("\xc3\xa9").eight_bit);
  CHECK(smtp::message("a\nb").display == "<message: 2 lines, 6 bytes>");
}

TEST_CASE("RCPT verdicts from the classifier (Postfix's real replies)", "[smtp]") {
  struct Case {
    std::string_view reply;
    smtp::RcptVerdict verdict;
  };
  const Case cases[] = {
      {"250 2.1.5 Ok", smtp::RcptVerdict::accepted},
      {"251 User not local; will forward", smtp::RcptVerdict::accepted},
      {"550 5.1.1 <bob@mail.test>: Recipient address rejected: User unknown in virtual mailbox table",
       smtp::RcptVerdict::user_unknown},
      {"554 5.7.1 <x@example.net>: Relay access denied", smtp::RcptVerdict::relay_denied},
      {"450 4.7.1 <grey@mail.test>: Recipient address rejected: Greylisted, please try again later",
       smtp::RcptVerdict::greylisted},
      {"552 5.2.2 <a@b>: Mailbox full", smtp::RcptVerdict::mailbox_full},
      {"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
       smtp::RcptVerdict::blocked},
      {"530 5.7.0 Must issue a STARTTLS command first", smtp::RcptVerdict::auth_required},
      {"451 4.3.0 <a@b>: Temporary lookup failure", smtp::RcptVerdict::temporary_failure},
  };
  for (const auto& c : cases) {
    INFO(c.reply);
    CHECK(smtp::to_string(smtp::rcpt_verdict(codes::classify(reply(c.reply)))) == smtp::to_string(c.verdict));
  }
}

TEST_CASE("SASL mechanisms", "[smtp]") {
  smtp::SaslCredentials cr{"alice", "s3cret", "", "mail.test", 587};
  SECTION("PLAIN") {
    smtp::SaslSession s(smtp::Mechanism::plain, cr);
    CHECK(message::decode_base64(*s.initial_response()) == std::string("\0alice\0s3cret", 13));
  }
  SECTION("LOGIN answers Username then Password") {
    smtp::SaslSession s(smtp::Mechanism::login, cr);
    CHECK_FALSE(s.initial_response());
    CHECK(message::decode_base64(s.respond("VXNlcm5hbWU6")) == std::string("alice"));
    CHECK(s.last_challenge() == "Username:");
    CHECK(message::decode_base64(s.respond("UGFzc3dvcmQ6")) == std::string("s3cret"));
  }
  SECTION("CRAM-MD5 uses the supplied HMAC (RFC 2195 example)") {
    std::string seen_key;
    std::string seen_msg;
    smtp::SaslSession s(smtp::Mechanism::cram_md5, {"tim", "tanstaaftanstaaf", "", "", 0},
                        [&](std::string_view k, std::string_view m) {
                          seen_key = k;
                          seen_msg = m;
                          return std::string("b913a602c7eda7a495b4e6e7334d3890");
                        });
    const auto r = s.respond("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    CHECK(seen_key == "tanstaaftanstaaf");
    CHECK(seen_msg == "<1896.697170952@postoffice.reston.mci.net>");
    CHECK(r == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  }
  SECTION("XOAUTH2 and OAUTHBEARER") {
    cr.secret = "tok";
    smtp::SaslSession x(smtp::Mechanism::xoauth2, cr);
    CHECK(message::decode_base64(*x.initial_response()) == std::string("user=alice\x01" "auth=Bearer tok\x01\x01"));
    CHECK(x.respond("eyJzdGF0dXMiOiI0MDEifQ==").empty());
    CHECK(x.last_challenge() == "{\"status\":\"401\"}");
    smtp::SaslSession o(smtp::Mechanism::oauthbearer, cr);
    CHECK(message::decode_base64(*o.initial_response()) ==
          std::string("n,a=alice,\x01host=mail.test\x01port=587\x01" "auth=Bearer tok\x01\x01"));
    CHECK(o.respond("e30=") == "AQ==");
  }
  SECTION("mechanism choice") {
    const std::vector<std::string> offered{"LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2"};
    CHECK(smtp::choose_mechanism(offered, false, true) == smtp::Mechanism::plain);
    CHECK(smtp::choose_mechanism(offered, false, false) == smtp::Mechanism::cram_md5);
    CHECK(smtp::choose_mechanism(offered, true, true) == smtp::Mechanism::xoauth2);
    CHECK(smtp::choose_mechanism(offered, false, true, smtp::Mechanism::login) == smtp::Mechanism::login);
    CHECK_FALSE(smtp::choose_mechanism(offered, false, true, smtp::Mechanism::oauthbearer));
    CHECK_FALSE(smtp::choose_mechanism({"GSSAPI"}, false, true));
  }
}

TEST_CASE("test message", "[smtp]") {
  CHECK(smtp::rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(smtp::rfc5322_date(1709251200) == "Fri, 01 Mar 2024 00:00:00 +0000");
  CHECK(smtp::rfc5322_date(951782400 + 86399) == "Tue, 29 Feb 2000 23:59:59 +0000");
  smtp::TestMessageSpec s;
  s.from = "me@client.test";
  s.to = {"alice@mail.test", "bob@mail.test"};
  s.token = "md-abc123";
  s.id_domain = "client.test";
  s.unix_seconds = 0;
  s.headers = {"X-Test: yes", "Subject: custom"};
  const auto m = smtp::compose_test_message(s);
  CHECK_THAT(m, Catch::Contains("Message-ID: <md-abc123@client.test>\n"));
  CHECK_THAT(m, Catch::Contains("To: <alice@mail.test>, <bob@mail.test>\n"));
  CHECK_THAT(m, Catch::Contains("Subject: custom\n"));
  CHECK_THAT(m, !Catch::Contains("maildiag test md-abc123"));
  CHECK_THAT(m, Catch::Contains("X-Test: yes\nSubject: custom\n\n"));
  CHECK_THAT(m, Catch::Contains("Token: md-abc123"));
  CHECK(smtp::valid_header_line("X-A: b"));
  CHECK_FALSE(smtp::valid_header_line("X A: b"));
  CHECK_FALSE(smtp::valid_header_line("no colon"));
  CHECK_FALSE(smtp::valid_header_line("X-A: b\r\nBcc: x"));
}
