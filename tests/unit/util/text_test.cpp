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

TEST_CASE("utf8_sequence reads RFC 3629 UTF-8; append_utf8 writes it back", "[util]") {
  char32_t cp = 0;
  CHECK(utf8_sequence("A", 0, &cp) == 1);
  CHECK(cp == U'A');
  for (const char32_t c : {U'\x7F', U'\x80', U'\x7FF', U'\x800', U'\xFFFF', U'\x10000', U'\x10FFFF', U'\xE9', U'\x4E2D'}) {
    std::string s = "x";
    append_utf8(s, c);
    REQUIRE(s.size() == 1 + (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4));
    char32_t back = 0;
    CHECK(utf8_sequence(s, 1, &back) == s.size() - 1);
    CHECK(back == c);
  }
  CHECK(utf8_sequence("\xC0\x80", 0) == 0);          // overlong NUL
  CHECK(utf8_sequence("\xE0\x80\x80", 0) == 0);      // overlong
  CHECK(utf8_sequence("\xED\xA0\x80", 0) == 0);      // surrogate U+D800
  CHECK(utf8_sequence("\xF4\x90\x80\x80", 0) == 0);  // past U+10FFFF
  CHECK(utf8_sequence("\xE4\xB8", 0) == 0);          // cut short
  CHECK(utf8_sequence("\xE4\x41\xAD", 0) == 0);      // not a continuation byte
  CHECK(utf8_sequence("\x80", 0) == 0);              // a lone continuation byte
}

TEST_CASE("to_upper and split_command_line, as typed commands are read", "[util]") {
  CHECK(to_upper("stls ab-Z\xC3\xA9") == "STLS AB-Z\xC3\xA9");  // ASCII letters only
  CHECK_FALSE(split_command_line("").has_value());
  CHECK_FALSE(split_command_line("  \t\r\n").has_value());
  auto w = split_command_line("  list   3  \r\n");
  REQUIRE(w);
  CHECK(w->verb == "LIST");
  CHECK(w->rest == "3");
  w = split_command_line("capa");
  REQUIRE(w);
  CHECK(w->verb == "CAPA");
  CHECK(w->rest.empty());
  w = split_command_line("login alice \"pass word\"\n");
  REQUIRE(w);
  CHECK(w->verb == "LOGIN");
  CHECK(w->rest == "alice \"pass word\"");
}

TEST_CASE("sanitize_view gives sanitize's text, copying only when it differs", "[util]") {
  std::string storage;
  const std::string clean = "mx1.example.net \xC3\xA9";
  auto v = sanitize_view(clean, 100, storage);
  CHECK(v == clean);
  CHECK(v.data() == clean.data());  // no copy
  for (const std::string& s : {std::string("bad\x1b[31m"), std::string("caf\xff"), std::string(20, 'a')}) {
    v = sanitize_view(s, 10, storage);
    CHECK(v == sanitize(s, 10));
    CHECK(v.data() == storage.data());
  }
  CHECK(is_ascii("plain text\t\r\n"));
  CHECK_FALSE(is_ascii("caf\xC3\xA9"));
  CHECK(is_ascii(""));
}
