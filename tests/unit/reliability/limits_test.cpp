// Every documented limit (docs/reliability.md, "Limits") hit once, just over its value, with the
// outcome a user sees: a named error or a "truncated"/"cut" flag and a problem sentence — never
// a crash, unbounded growth or a silent cut. Small limits stand in for the defaults where the
// code path is the same; defaults that are cheap to reach are hit as they are.

#include "maildiag/bounce/bounce.hpp"
#include "maildiag/dns/answer.hpp"
#include "maildiag/dns/wire.hpp"
#include "maildiag/imap/client.hpp"
#include "maildiag/imap/response.hpp"
#include "maildiag/log/queue.hpp"
#include "maildiag/log/story.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/message/mime.hpp"
#include "maildiag/pop3/client.hpp"
#include "maildiag/smtp/reply_reader.hpp"
#include "maildiag/util/line_reader.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

using namespace maildiag;

namespace {

template <typename Client, typename ErrorEvent>
std::optional<ErrorEvent> first_error(Client& c) {
  for (;;) {
    auto ev = c.next_event();
    if (auto* e = std::get_if<ErrorEvent>(&ev)) return *e;
    if (ev.index() == 0) return std::nullopt;  // NeedData
  }
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("limits: SMTP reply line and reply length (smtp::Limits)", "[reliability][limits][smtp]") {
  SECTION("max_line 4096: a 10 MiB line fails as soon as the bytes pass the limit") {
    smtp::ReplyReader r;
    const std::string huge = "220 " + std::string(10u << 20, 'A');
    std::size_t used = 0;
    while (used < huge.size() && !r.error()) used += r.feed(std::string_view(huge).substr(used, 64 * 1024));
    REQUIRE(r.error());
    CHECK(r.error()->kind == smtp::ErrorKind::line_too_long);
    CHECK(used < 128 * 1024);  // stopped reading within the first chunks, no newline needed
  }
  SECTION("max_lines 1000: the 1001st continuation line fails") {
    smtp::ReplyReader r;
    const std::string endless = repeat("250-endless\r\n", 1001);
    r.feed(endless);
    REQUIRE(r.error());
    CHECK(r.error()->kind == smtp::ErrorKind::too_many_lines);
  }
  SECTION("exactly at the limits is accepted") {
    smtp::ReplyReader r(smtp::Limits{16, 3});
    r.feed("250-aaaaaaaaaaaa\r\n250-b\r\n250 c\r\n");
    CHECK_FALSE(r.error());
    const auto reply = r.take();
    REQUIRE(reply);
    CHECK(reply->lines.size() == 3);
  }
}

TEST_CASE("limits: POP3 line and multi-line body (pop3::Limits)", "[reliability][limits][pop3]") {
  using pop3::ErrorKind;
  auto logged_in = [](const pop3::Limits& l) {
    pop3::Client c(l);
    c.receive("+OK ready\r\n");
    (void)c.next_event();
    REQUIRE_FALSE(c.send(pop3::Command::make("LIST")));
    return c;
  };
  SECTION("max_line: an endless line without LF") {
    pop3::Client c(pop3::Limits{100, 10, 1000});
    c.receive("+OK " + std::string(200, 'x'));
    const auto e = first_error<pop3::Client, pop3::event::ProtocolError>(c);
    REQUIRE(e);
    CHECK(e->kind == ErrorKind::line_too_long);
    CHECK(e->evidence.size() <= 256);
  }
  SECTION("max_body_lines: LIST that never ends (the hostile POP3_ENDLESS_LIST)") {
    auto c = logged_in(pop3::Limits{1024, 1000, 1u << 20});
    c.receive("+OK\r\n");
    for (int i = 1; i <= 1001; ++i) c.receive(std::to_string(i) + " 100\r\n");
    const auto e = first_error<pop3::Client, pop3::event::ProtocolError>(c);
    REQUIRE(e);
    CHECK(e->kind == ErrorKind::body_too_long);
    CHECK(e->message.find("1000 lines") != std::string::npos);
    CHECK(c.state() == pop3::State::failed);
  }
  SECTION("max_body_bytes") {
    auto c = logged_in(pop3::Limits{1024, 1000, 500});
    c.receive("+OK\r\n" + repeat(std::string(98, 'y') + "\r\n", 6));
    const auto e = first_error<pop3::Client, pop3::event::ProtocolError>(c);
    REQUIRE(e);
    CHECK(e->kind == ErrorKind::body_too_long);
  }
}

TEST_CASE("limits: IMAP line, literal, response and untagged count (imap::Limits)", "[reliability][limits][imap]") {
  using imap::ErrorKind;
  auto ready = [](const imap::Limits& l) {
    imap::Client c(l);
    c.receive("* OK ready\r\n");
    (void)c.next_event();
    REQUIRE_FALSE(c.send(imap::Command::make("NOOP")));
    return c;
  };
  struct Case {
    const char* name;
    imap::Limits limits;
    std::string bytes;
    ErrorKind kind;
  };
  const std::vector<Case> cases = {
      {"max_line", {64, 1024, 4096, 10}, "* " + std::string(100, 'x'), ErrorKind::line_too_long},
      {"max_literal", {1024, 10, 4096, 10}, "* 1 FETCH (BODY[] {11}\r\n", ErrorKind::literal_too_large},
      {"max_response", {1024, 1024, 100, 10}, "* 1 FETCH (BODY[] {200}\r\n", ErrorKind::response_too_large},
      {"max_untagged", {1024, 1024, 4096, 3}, repeat("* 1 EXISTS\r\n", 4), ErrorKind::too_many_responses},
  };
  for (const auto& k : cases) {
    SECTION(k.name) {
      auto c = ready(k.limits);
      c.receive(k.bytes);
      const auto e = first_error<imap::Client, imap::event::ProtocolError>(c);
      REQUIRE(e);
      CHECK(e->kind == k.kind);
      CHECK(c.state() == imap::State::failed);
    }
  }
  SECTION("default max_literal 16 MiB: a 4 GiB literal is refused before any byte of it is read") {
    auto c = ready(imap::Limits{});
    c.receive("* 1 FETCH (BODY[] {4294967296}\r\n");
    const auto e = first_error<imap::Client, imap::event::ProtocolError>(c);
    REQUIRE(e);
    CHECK(e->kind == ErrorKind::literal_too_large);
  }
}

TEST_CASE("limits: IMAP response parser nesting and tokens (imap::ParseLimits)", "[reliability][limits][imap]") {
  const std::string deep = "* LIST (" + std::string(100, '(') + std::string(100, ')') + ") \"/\" INBOX";
  const auto r = imap::parse_response(deep);
  REQUIRE(r);
  CHECK(r->data_truncated);  // max_depth 64
  const auto many = imap::parse_response("* SEARCH" + repeat(" 1", 200), nullptr, imap::ParseLimits{64, 100});
  REQUIRE(many);
  CHECK(many->data_truncated);
}

TEST_CASE("limits: header block bytes, fields and value size (message::HeaderLimits)", "[reliability][limits][message]") {
  SECTION("max_headers") {
    const auto b = message::parse_headers(repeat("X-A: 1\n", 50) + "\nbody", {1u << 20, 20, 1024});
    CHECK(b.headers.size() == 20);
    CHECK(b.truncated);
    CHECK_FALSE(b.problems.empty());
  }
  SECTION("max_value: a folded value is cut") {
    const auto b = message::parse_headers("Subject: a\n" + repeat(" more\n", 1000) + "\n", {1u << 20, 100, 256});
    REQUIRE(b.headers.size() == 1);
    CHECK(b.headers[0].value.size() <= 256);
    CHECK(b.truncated);
  }
  SECTION("max_bytes: default 4 MiB, a 6 MiB header block stops there") {
    const auto b = message::parse_headers(repeat("X-Filler: " + std::string(100, 'f') + "\n", 60'000));
    CHECK(b.truncated);
    CHECK(b.headers.size() < 60'000);
    CHECK(b.problems.back().find("exceeds") != std::string::npos);
  }
}

TEST_CASE("limits: MIME depth, parts and decoded size (message::MimeLimits)", "[reliability][limits][message]") {
  SECTION("max_depth 12: deeper multiparts are read as text") {
    std::string m;
    for (int i = 0; i < 20; ++i) m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
    m += "Content-Type: text/plain\n\nleaf\n";
    const auto t = message::parse_mime(m);
    CHECK(t.truncated);
    for (const auto& p : t.parts) CHECK(p.depth <= 12);
  }
  SECTION("max_parts 512") {
    std::string m = "Content-Type: multipart/mixed; boundary=b\n\n";
    m += repeat("--b\nContent-Type: text/plain\n\nx\n", 600);
    m += "--b--\n";
    const auto t = message::parse_mime(m);
    CHECK(t.truncated);
    CHECK(t.parts.size() == 512);
  }
  SECTION("decode_transfer max_bytes") {
    const std::string input = "Content-Transfer-Encoding: base64\n\n" + repeat("QUFBQUFBQUFB\n", 1000);
    const auto t = message::parse_mime(input);  // the tree's bodies are views into input
    const auto d = message::decode_transfer(t.parts.at(0), 100);
    CHECK(d.bytes.size() <= 100);
  }
}

namespace {

std::string dsn_with(int recipients) {
  std::string dsn =
      "From: MAILER-DAEMON@mail.test\nSubject: Undelivered Mail Returned to Sender\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
      "--B\nContent-Type: text/plain\n\nfailed\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mail.test\n\n";
  for (int i = 0; i < recipients; ++i) {
    dsn += "Final-Recipient: rfc822; u" + std::to_string(i) + "@example.org\nAction: failed\nStatus: 5.1.1\n\n";
  }
  return dsn + "--B--\n";
}

}  // namespace

TEST_CASE("limits: bounce message, recipients and text (bounce::Limits)", "[reliability][limits][bounce]") {
  SECTION("max_recipients 1000: the rest is not read, and the report says so") {
    const auto a = bounce::analyse(dsn_with(1001));
    CHECK(a.recipients.size() == 1000);
    REQUIRE_FALSE(a.problems.empty());
    CHECK(a.problems.front().find("1000") != std::string::npos);
  }
  SECTION("a smaller max_recipients cuts the list too") {
    bounce::Limits tiny;
    tiny.max_recipients = 5;
    CHECK(bounce::analyse(dsn_with(20), tiny).recipients.size() == 5);
  }
  SECTION("max_message: what lies beyond is not read, and the report says so") {
    bounce::Limits small_message;
    small_message.max_message = 200;
    const auto a = bounce::analyse(dsn_with(20), small_message);
    CHECK(a.recipients.empty());
    REQUIRE_FALSE(a.problems.empty());
    CHECK(a.problems.front().find("limit") != std::string::npos);
  }
}

TEST_CASE("limits: DNS names and CNAME chains (dns::wire, decode_answer)", "[reliability][limits][dns]") {
  // A response to "a.test A" whose answer is a chain of 17 CNAMEs: longer than the 16 links followed.
  std::vector<std::uint8_t> p = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 17, 0, 0, 0, 0};
  auto name = [&p](const std::string& n) {
    std::size_t start = 0;
    while (start < n.size()) {
      auto dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      p.push_back(static_cast<std::uint8_t>(dot - start));
      p.insert(p.end(), n.begin() + static_cast<std::ptrdiff_t>(start), n.begin() + static_cast<std::ptrdiff_t>(dot));
      start = dot + 1;
    }
    p.push_back(0);
  };
  name("a.test");
  p.insert(p.end(), {0, 1, 0, 1});
  for (int i = 0; i < 17; ++i) {
    name(i == 0 ? "a.test" : "c" + std::to_string(i) + ".test");
    const std::string target = "c" + std::to_string(i + 1) + ".test";
    p.insert(p.end(), {0, 5, 0, 1, 0, 0, 1, 44, 0, static_cast<std::uint8_t>(target.size() + 2)});
    name(target);
  }
  const auto a = dns::decode_answer(p, "a.test", dns::RRType::a);
  CHECK(a.status == dns::Status::malformed);
  CHECK(a.error.find("16") != std::string::npos);

  // A name of 300 octets (labels of 63) is over the 255-octet limit.
  std::vector<std::uint8_t> q = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {
    q.push_back(59);
    q.insert(q.end(), 59, 'x');
  }
  q.insert(q.end(), {0, 0, 1, 0, 1});
  std::string error;
  CHECK_FALSE(dns::wire::Message::parse(q, &error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("limits: log tracker and queue listing caps", "[reliability][limits][log]") {
  SECTION("queue: max_messages and max_errors") {
    std::string listing;
    for (int i = 0; i < 30; ++i) {
      listing += R"({"queue_name": "deferred", "queue_id": "Q)" + std::to_string(i) +
                 R"(", "arrival_time": 1700000000, "message_size": 1, "sender": "", "recipients": [{"address": "x@example.org"}]})" + "\n";
    }
    listing += repeat("{not json\n", 50);
    log::QueueLimits l;
    l.max_messages = 10;
    l.max_errors = 5;
    const auto q = log::parse_postqueue_json(listing, l);
    CHECK(q.messages.size() == 10);
    CHECK(q.truncated);
    CHECK(q.errors.size() <= 6);
  }
}

TEST_CASE("limits: util::LineReader line, count and byte bounds", "[reliability][limits][util]") {
  util::LineReader r(util::LineLimits{16, 3, 1000});
  CHECK_FALSE(r.feed(std::string(40, 'z')));
  CHECK(r.error() == util::LineReader::Error::line_too_long);
  util::LineReader lines(util::LineLimits{16, 3, 1000});
  CHECK_FALSE(lines.feed("a\nb\nc\nd\n"));
  CHECK(lines.error() == util::LineReader::Error::too_many_lines);
  util::LineReader bytes(util::LineLimits{16, 1000, 10});
  CHECK_FALSE(bytes.feed("abc\ndef\nghi\n"));
  CHECK(bytes.error() == util::LineReader::Error::too_many_bytes);
}
