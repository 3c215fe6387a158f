#include "maildiag/message/header_stream.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using maildiag::message::HeaderStream;

namespace {

struct Got {
  std::vector<std::string> headers;
  std::vector<bool> cut;
};

Got run(const std::string& input, std::size_t chunk, std::size_t max = 4u << 20) {
  Got g;
  HeaderStream s(
      [&](const HeaderStream::Message& m) {
        g.headers.emplace_back(m.headers);
        g.cut.push_back(m.cut);
      },
      max);
  for (std::size_t i = 0; i < input.size(); i += chunk) s.feed(std::string_view(input).substr(i, chunk));
  s.finish();
  return g;
}

const std::string kMbox =
    "From a@example.org Mon Jan  1 00:00:00 2024\n"
    "Subject: one\n"
    "To: x@example.net\n"
    "\n"
    "body line\n"
    ">From quoted, not a separator\n"
    "From b@example.org Mon Jan  1 00:00:01 2024\n"
    "Subject: two\n"
    "\n"
    "From c@example.org Mon Jan  1 00:00:02 2024\n"
    "Subject: three (no body, no blank line)\n"
    "From d@example.org Mon Jan  1 00:00:03 2024\n"
    "Subject: four\r\n"
    "\r\n"
    "crlf body\r\n";

}  // namespace

TEST_CASE("header stream: an mbox split at every chunk size gives the same messages", "[message][stream]") {
  const auto whole = run(kMbox, kMbox.size());
  REQUIRE(whole.headers.size() == 4);
  CHECK(whole.headers[0] == "From a@example.org Mon Jan  1 00:00:00 2024\nSubject: one\nTo: x@example.net\n");
  CHECK(whole.headers[1] == "From b@example.org Mon Jan  1 00:00:01 2024\nSubject: two\n");
  CHECK(whole.headers[2] == "From c@example.org Mon Jan  1 00:00:02 2024\nSubject: three (no body, no blank line)\n");
  CHECK(whole.headers[3] == "From d@example.org Mon Jan  1 00:00:03 2024\nSubject: four\r\n");
  for (std::size_t chunk = 1; chunk <= kMbox.size(); ++chunk) {
    INFO("chunk " << chunk);
    const auto g = run(kMbox, chunk);
    CHECK(g.headers == whole.headers);
  }
}

TEST_CASE("header stream: a single message keeps 'From ' body lines in the body", "[message][stream]") {
  const std::string msg = "Subject: hi\nTo: x@y\n\nFrom the desk of...\nFrom me\n";
  for (std::size_t chunk = 1; chunk <= msg.size(); ++chunk) {
    const auto g = run(msg, chunk);
    REQUIRE(g.headers.size() == 1);
    CHECK(g.headers[0] == "Subject: hi\nTo: x@y\n");
  }
  CHECK(run("Sub", 1).headers == std::vector<std::string>{"Sub"});
  CHECK(run("", 1).headers.empty());
}

TEST_CASE("header stream: memory is bounded by the header limit", "[message][stream]") {
  std::string big = "From x Mon Jan  1 00:00:00 2024\nX-Big: ";
  big.append(100000, 'a');
  big += "\n\nbody\nFrom y Mon Jan  1 00:00:00 2024\nSubject: next\n\n";
  for (std::size_t chunk : {1u, 7u, 4096u, 1000000u}) {
    const auto g = run(big, chunk, 1024);
    REQUIRE(g.headers.size() == 2);
    CHECK(g.headers[0].size() == 1024);
    CHECK(g.cut[0]);
    CHECK(g.headers[1] == "From y Mon Jan  1 00:00:00 2024\nSubject: next\n");
    CHECK_FALSE(g.cut[1]);
  }
}

TEST_CASE("header stream: an unescaped 'From ' body line in an mbox is not a separator", "[message][stream]") {
  const std::string box =
      "From a@example.org Mon Jan  1 00:00:00 2024\n"
      "Subject: one\n"
      "\n"
      "body\n"
      "From here on, we meet on Fridays\n"
      "more body\n"
      "From b@example.org Mon Jan  1 00:00:01 2024\n"
      "Subject: two\n"
      "\n"
      "body\n"
      "From here to the end\n";
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 4096u}) {
    INFO("chunk " << chunk);
    const auto g = run(box, chunk);
    REQUIRE(g.headers.size() == 2);
    CHECK(g.headers[0].find("Subject: one") != std::string::npos);
    CHECK(g.headers[1].find("Subject: two") != std::string::npos);
  }
}

TEST_CASE("header stream: separator lines need a sender, a clock time and a year", "[message][stream]") {
  using maildiag::message::is_mbox_separator;
  CHECK(is_mbox_separator("From alice@example.org Tue Mar  5 14:02:11 2024"));
  CHECK(is_mbox_separator("From MAILER-DAEMON Tue Mar 5 14:02 2024"));
  CHECK(is_mbox_separator("From bob@example.org  Sat Jan  3 01:05:34 1996\r"));
  CHECK_FALSE(is_mbox_separator("From here on"));
  CHECK_FALSE(is_mbox_separator("From 2024 onwards we meet"));
  CHECK_FALSE(is_mbox_separator("From: alice@example.org"));
  CHECK_FALSE(is_mbox_separator("From "));
}

TEST_CASE("header stream: clock times of every written length; tokens that only look like one", "[message][stream]") {
  using maildiag::message::is_mbox_separator;
  CHECK(is_mbox_separator("From a@b Tue Mar 5 1:02 2024"));       // H:MM
  CHECK(is_mbox_separator("From a@b Tue Mar 5 1:02:03 2024"));    // H:MM:SS
  CHECK(is_mbox_separator("From a@b\tTue Mar 5 14:02:03\t2024"));  // tabs between the words
  CHECK(is_mbox_separator("From a@b 2024 Tue Mar 5 14:02"));       // the year first
  CHECK_FALSE(is_mbox_separator("From a@b Tue Mar 5 1:023 2024"));     // "M:SSS"
  CHECK_FALSE(is_mbox_separator("From a@b Tue Mar 5 123:02 2024"));    // a colon fourth
  CHECK_FALSE(is_mbox_separator("From a@b Tue Mar 5 :1402 2024"));     // a colon first
  CHECK_FALSE(is_mbox_separator("From a@b Tue Mar 5 14:02:0x 2024"));  // not digits
  CHECK_FALSE(is_mbox_separator("From a@b Tue Mar 5 14:02 202"));      // no four-digit year
  CHECK_FALSE(is_mbox_separator("From 14:02 2024"));                   // two words only
}

TEST_CASE("header stream: the end of a section is found wherever it falls in the bytes", "[message][stream]") {
  // The end is searched 16 bytes at a time with a byte-wise tail: the blank line (LF, CRLF) or the
  // next "From " line is moved across those boundaries and the chunk ends, and a "From:" field
  // (an LF before an 'F' that is no end) too.
  for (const std::string eol : {"\n", "\r\n"}) {
    for (std::size_t pad = 0; pad < 40; ++pad) {
      const std::string first = "From a@example.org Mon Jan  1 00:00:00 2024" + eol + "X-Pad: " +
                                std::string(pad, 'p') + eol + "From: b@example.org" + eol;
      const std::string second = "From c@example.org Mon Jan  1 00:00:01 2024" + eol + "Subject: s" + eol;
      const std::string with_body = first + eol + "body" + eol + second;  // a blank line ends it
      const std::string no_body = first + second;                         // the next "From " ends it
      for (std::size_t chunk : {with_body.size(), std::size_t{1}, std::size_t{7}, std::size_t{16}, std::size_t{17}}) {
        INFO("eol " << eol.size() << " pad " << pad << " chunk " << chunk);
        const auto a = run(with_body, chunk);
        REQUIRE(a.headers.size() == 2);
        CHECK(a.headers[0] == first);
        CHECK(a.headers[1] == second);
        const auto b = run(no_body, chunk);
        REQUIRE(b.headers.size() == 2);
        CHECK(b.headers[0] == first);
        CHECK(b.headers[1] == second);
      }
    }
  }
}

TEST_CASE("header stream: a section that ends with the stream, with or without its last line break", "[message][stream]") {
  for (std::size_t pad = 0; pad < 40; ++pad) {
    const std::string lines = "Subject: " + std::string(pad, 's') + "\nTo: x@example.net";
    for (const std::string& input : {lines, lines + "\n", lines + "\n\n"}) {
      const auto g = run(input, input.size());
      REQUIRE(g.headers.size() == 1);
      CHECK(g.headers[0] == (input.back() == '\n' ? lines + "\n" : lines));
    }
  }
}
