#include "maildiag/codes/reply.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::codes;

TEST_CASE("parse_reply reads single and multi-line replies", "[codes][reply]") {
  auto r = parse_reply("250-mx.example.net\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
  REQUIRE(r);
  CHECK(r->code == 250);
  CHECK(r->lines.size() == 3);
  CHECK(r->lines[1] == "PIPELINING");
  CHECK_FALSE(r->enhanced);

  auto e = parse_reply("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown");
  REQUIRE(e);
  CHECK(e->code == 550);
  REQUIRE(e->enhanced);
  CHECK(e->enhanced->str() == "5.1.1");
  CHECK(e->text() == "<bob@example.org>: Recipient address rejected: User unknown");
}

TEST_CASE("parse_reply strips repeated enhanced codes of continuation lines in text()", "[codes][reply]") {
  auto r = parse_reply("550-5.7.1 [192.0.2.1] Our system has detected\n550 5.7.1 an unusual rate.");
  REQUIRE(r);
  CHECK(r->text() == "[192.0.2.1] Our system has detected an unusual rate.");
  CHECK(r->wire() == "550-5.7.1 [192.0.2.1] Our system has detected\n550 5.7.1 an unusual rate.");
}

TEST_CASE("parse_reply accepts bare codes", "[codes][reply]") {
  auto a = parse_reply("550");
  REQUIRE(a);
  CHECK(a->code == 550);
  auto b = parse_reply("550 5.1.1");
  REQUIRE(b);
  CHECK(b->enhanced->str() == "5.1.1");
  auto c = parse_reply("5.2.2");
  REQUIRE(c);
  CHECK(c->code == 0);
  CHECK(c->enhanced->str() == "5.2.2");
}

TEST_CASE("parse_reply rejects malformed input with a precise message", "[codes][reply]") {
  ReplyParseError err;
  CHECK_FALSE(parse_reply("", &err));
  CHECK(err.message.find("empty input") == 0);
  CHECK_FALSE(parse_reply("banana", &err));
  CHECK(err.message == "no three-digit reply code at the start: \"banana\"");
  CHECK_FALSE(parse_reply("999 what", &err));
  CHECK(err.message == "\"999\" is not a valid SMTP reply code (2xx-5xx)");
  CHECK_FALSE(parse_reply("12a", &err));
  CHECK_FALSE(parse_reply("250-a\n550 b", &err));
  CHECK(err.message == "lines carry different reply codes (250 and 550)");
  CHECK_FALSE(parse_reply("170 x", &err));
  CHECK_FALSE(parse_reply("5.1", &err));
}

TEST_CASE("every standard basic code has its own meaning", "[codes][reply]") {
  for (int code : {211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452, 454, 455,
                   500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556}) {
    INFO(code);
    CHECK(is_standard_code(code));
    CHECK(is_valid_code(code));
    CHECK(code_meaning(code).find("completion") == std::string_view::npos);
  }
  CHECK(code_meaning(521).find("RFC 7504") != std::string_view::npos);
  CHECK(code_meaning(535).find("RFC 4954") != std::string_view::npos);
  CHECK_FALSE(is_standard_code(559));
  CHECK(code_meaning(559).find("Permanent") == 0);
  CHECK_FALSE(is_valid_code(260));
  CHECK_FALSE(is_valid_code(600));
}
