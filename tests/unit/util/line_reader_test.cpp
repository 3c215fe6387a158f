#include "maildiag/util/line_reader.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using maildiag::util::LineLimits;
using maildiag::util::LineReader;

namespace {

std::vector<std::string> drain(LineReader& r) {
  std::vector<std::string> out;
  while (auto l = r.next()) out.push_back(l->text);
  return out;
}

}  // namespace

TEST_CASE("lines split at every byte boundary frame the same", "[util][line_reader]") {
  const std::string input = "220-mx.test ESMTP\r\n220 ready\nlast partial";
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    INFO("cut at " << cut);
    LineReader r;
    CHECK(r.feed(std::string_view(input).substr(0, cut)));
    CHECK(r.feed(std::string_view(input).substr(cut)));
    auto l1 = r.next();
    REQUIRE(l1);
    CHECK(l1->text == "220-mx.test ESMTP");
    CHECK(l1->ending == LineReader::Ending::crlf);
    auto l2 = r.next();
    REQUIRE(l2);
    CHECK(l2->text == "220 ready");
    CHECK(l2->ending == LineReader::Ending::lf);
    CHECK_FALSE(r.next());
    CHECK(r.partial() == "last partial");
    CHECK(r.buffered() == 12);
  }
}

TEST_CASE("byte-at-a-time feeding", "[util][line_reader]") {
  LineReader r;
  for (char c : std::string("a\r\nbb\r\n")) r.feed(std::string_view(&c, 1));
  CHECK(drain(r) == std::vector<std::string>{"a", "bb"});
  CHECK(r.buffered() == 0);
  CHECK(r.lines_seen() == 2);
}

TEST_CASE("a lone CR stays in the line; NUL is flagged", "[util][line_reader]") {
  LineReader r;
  r.feed(std::string("a\rb\r\nx\0y\n", 9));
  auto l = r.next();
  CHECK(l->text == "a\rb");
  CHECK_FALSE(l->has_nul);
  l = r.next();
  CHECK(l->text == std::string("x\0y", 3));
  CHECK(l->has_nul);
}

TEST_CASE("line length limit, exact boundary", "[util][line_reader]") {
  LineLimits lim;
  lim.max_line = 5;
  SECTION("5 bytes + CRLF is fine") {
    LineReader r(lim);
    CHECK(r.feed("12345\r\n"));
    CHECK(drain(r) == std::vector<std::string>{"12345"});
  }
  SECTION("5 bytes + LF is fine") {
    LineReader r(lim);
    CHECK(r.feed("12345\n"));
    CHECK(r.error() == LineReader::Error::none);
  }
  SECTION("6 bytes fails, split or whole") {
    for (std::size_t cut = 0; cut <= 8; ++cut) {
      LineReader r(lim);
      const std::string in = "123456\r\n";
      const bool a = r.feed(std::string_view(in).substr(0, cut));
      const bool b = r.feed(std::string_view(in).substr(cut));
      CHECK_FALSE((a && b));
      CHECK(r.error() == LineReader::Error::line_too_long);
      CHECK(r.partial() == "12345");
      CHECK_FALSE(r.next());
    }
  }
  SECTION("an endless line is cut without growing") {
    LineReader r(lim);
    std::string chunk(1000, 'x');
    CHECK_FALSE(r.feed(chunk));
    CHECK_FALSE(r.feed(chunk));
    CHECK(r.partial().size() == 5);
    CHECK(r.buffered() == 5);
  }
  SECTION("lines before the long one are still returned") {
    LineReader r(lim);
    CHECK_FALSE(r.feed("ok\r\n1234567890"));
    CHECK(drain(r) == std::vector<std::string>{"ok"});
    CHECK(r.error() == LineReader::Error::line_too_long);
  }
}

TEST_CASE("line count and byte limits", "[util][line_reader]") {
  LineLimits lim;
  lim.max_lines = 2;
  LineReader r(lim);
  CHECK_FALSE(r.feed("a\nb\nc\n"));
  CHECK(r.error() == LineReader::Error::too_many_lines);
  CHECK(drain(r) == std::vector<std::string>{"a", "b"});

  LineLimits b;
  b.max_bytes = 4;
  LineReader rb(b);
  CHECK(rb.feed("ab\n"));
  CHECK_FALSE(rb.feed("cd\n"));
  CHECK(rb.error() == LineReader::Error::too_many_bytes);
  CHECK(drain(rb) == std::vector<std::string>{"ab"});
  CHECK(rb.bytes_seen() == 4);
  CHECK_FALSE(rb.feed("more"));
}

TEST_CASE("reset_counts starts a new budget", "[util][line_reader]") {
  LineLimits lim;
  lim.max_lines = 1;
  LineReader r(lim);
  CHECK(r.feed("a\n"));
  r.reset_counts();
  CHECK(r.feed("b\n"));
  CHECK(drain(r) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("take_buffered returns leftover bytes (the STARTTLS check)", "[util][line_reader]") {
  LineReader r;
  r.feed("220 go ahead\r\n250 injected\r\npartial");
  auto l = r.next();
  CHECK(l->text == "220 go ahead");
  CHECK(r.buffered() == 21);
  CHECK(r.take_buffered() == "250 injected\r\npartial");
  CHECK(r.buffered() == 0);
  CHECK(to_string(LineReader::Error::line_too_long) == "line too long");
}
