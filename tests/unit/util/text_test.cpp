#include "maildiag/util/text.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::util;

TEST_CASE("sanitize makes server bytes terminal-safe and bounded", "[util]") {
  CHECK(sanitize("ok\x1b[31mred") == "ok?[31mred");
  CHECK(sanitize("tab\tkept") == "tab\tkept");
  CHECK(sanitize("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(sanitize("bad\xff\xfe") == "bad??");
  CHECK(sanitize(std::string(10, 'a'), 4) == "aaaa…[+6 bytes]");
  CHECK(is_clean_text("hello 世界"));
  CHECK_FALSE(is_clean_text("a\x01"));
}

TEST_CASE("case-insensitive helpers", "[util]") {
  CHECK(icontains("Relay Access DENIED", "relay access denied"));
  CHECK(ifind("abcABC", "C", 3) == 5);
  CHECK(iequals("STARTTLS", "starttls"));
  CHECK(split_lines("a\r\nb\nc\rd").size() == 4);
  CHECK(parse_uint("123") == 123ULL);
  CHECK_FALSE(parse_uint("12x"));
  CHECK(trim("  x \r\n") == "x");
}

TEST_CASE("ifind agrees with a naive case-insensitive search", "[util]") {
  const std::string hay = "Relay access DENIED; relay Access denied. x";
  for (std::string_view needle : {"relay", "RELAY ACCESS", "denied", "x", ".", "access denied.", "zzz", "d; r"}) {
    for (std::size_t from = 0; from <= hay.size(); ++from) {
      std::size_t naive = std::string_view::npos;
      for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
        if (iequals(std::string_view(hay).substr(i, needle.size()), needle)) {
          naive = i;
          break;
        }
      }
      INFO(needle << " from " << from);
      CHECK(ifind(hay, needle, from) == naive);
    }
  }
  CHECK(ifind("abc", "abcd") == std::string_view::npos);
  CHECK(ifind("abc", "", 3) == 3);
}
