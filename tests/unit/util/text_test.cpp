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

TEST_CASE("C1 controls and bidirectional controls never reach the terminal (F2)", "[util]") {
  // U+009B (a one-byte CSI on some terminals), U+0085 (NEL)
  CHECK(sanitize("a\xc2\x9b" "31mb") == "a?31mb");
  CHECK(terminal_safe("x\xc2\x85y") == "x?y");
  // U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+200F RLM, U+061C ALM
  CHECK(terminal_safe("invoice\xe2\x80\xaegpj.exe") == "invoice?gpj.exe");
  CHECK(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9") == "?x?");
  CHECK(terminal_safe("\xe2\x80\x8f\xd8\x9c") == "??");
  CHECK_FALSE(is_clean_text("\xe2\x80\xae"));
  CHECK_FALSE(is_clean_text("\xc2\x9b"));
  // neighbours that are fine stay: U+00A0, U+2028 is not a bidi control, U+2010 hyphen, CJK
  CHECK(terminal_safe("\xc2\xa0\xe2\x80\x90 \xe4\xb8\x96") == "\xc2\xa0\xe2\x80\x90 \xe4\xb8\x96");
  // terminal_safe does not cut; a truncated sequence at the end is one '?' per byte
  CHECK(terminal_safe(std::string(5000, 'a')).size() == 5000);
  CHECK(terminal_safe("ok\xe2\x80") == "ok??");
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
