#include "maildiag/codes/enhanced.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace maildiag::codes;

TEST_CASE("parse_enhanced accepts x.y.z with 1-3 digit parts", "[codes][enhanced]") {
  CHECK(parse_enhanced("5.1.1")->str() == "5.1.1");
  CHECK(parse_enhanced("4.7.26")->detail == 26);
  CHECK(parse_enhanced("2.0.0")->cls == 2);
  CHECK(parse_enhanced("5.123.999")->subject == 123);
  CHECK_FALSE(parse_enhanced("3.1.1"));
  CHECK_FALSE(parse_enhanced("5.1"));
  CHECK_FALSE(parse_enhanced("5.1.1.1"));
  CHECK_FALSE(parse_enhanced("5.1234.1"));
  CHECK_FALSE(parse_enhanced(""));
}

TEST_CASE("find_enhanced finds codes in free text but not in IP addresses", "[codes][enhanced]") {
  CHECK(find_enhanced("Remote host said: 550 5.1.1 unknown")->str() == "5.1.1");
  CHECK(find_enhanced("#5.2.2 mailbox full")->str() == "5.2.2");
  CHECK(find_enhanced("(4.7.0)")->str() == "4.7.0");
  CHECK_FALSE(find_enhanced("connect to 5.1.1.1 failed"));
  CHECK_FALSE(find_enhanced("version 15.1.2"));
  CHECK_FALSE(find_enhanced("no code here"));
}

TEST_CASE("every registry entry is reachable and titled", "[codes][enhanced]") {
  std::set<std::pair<int, int>> seen;
  for (const auto& e : enhanced_registry()) {
    INFO(e.subject << "." << e.detail);
    CHECK_FALSE(e.title.empty());
    CHECK(seen.insert({e.subject, e.detail}).second);
    CHECK(lookup_enhanced(e.subject, e.detail) == &e);
    CHECK_FALSE(subject_title(e.subject).empty());
  }
  CHECK(enhanced_registry().size() == 81);
  CHECK(lookup_enhanced(1, 1)->title == "Bad destination mailbox address");
  CHECK(lookup_enhanced(7, 26)->title == "Multiple authentication checks failed");
  CHECK(lookup_enhanced(1, 10)->reference == "RFC 7505");
  CHECK(lookup_enhanced(7, 99) == nullptr);
  CHECK(class_title(4) == "Persistent Transient Failure");
}
