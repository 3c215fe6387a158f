// The classifier's prefiltered search (src/codes/folded.*) must answer exactly as
// util::icontains: every table phrase against texts built from table phrases in random case,
// some cut short, with UTF-8 and bytes whose six low bits collide with letters.

#include "../../../src/codes/folded.hpp"
#include "../../../src/codes/phrases.hpp"

#include "maildiag/util/text.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

namespace {

using maildiag::codes::detail::FoldedText;
using maildiag::codes::detail::make_needle;

std::string shout(std::string s, std::mt19937& rng) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z' && (rng() & 1u) != 0) c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

TEST_CASE("folded search agrees with icontains", "[codes][folded]") {
  const auto rules = maildiag::codes::detail::phrase_rules();
  std::mt19937 rng(20261206);
  int found = 0;
  for (int round = 0; round < 300; ++round) {
    // A text of three table phrases and some noise, some of it cut short.
    std::string text = "550 5.7.1 ";
    for (int k = 0; k < 3; ++k) {
      std::string p(rules[rng() % rules.size()].phrase);
      if ((rng() & 3u) == 0 && p.size() > 2) p.resize(p.size() - 1 - rng() % (p.size() / 2));
      text += shout(p, rng) + (k == 1 ? " \xe6\x94\xb6\xe4\xbb\xb6 0p@`  " : " ");
    }
    const FoldedText folded(text);
    for (const auto& r : rules) {
      const bool want = maildiag::util::icontains(text, r.phrase);
      CHECK(folded.contains(make_needle(r.phrase)) == want);
      found += want ? 1 : 0;
    }
  }
  CHECK(found > 300);  // the texts do contain phrases: the search was not vacuous
}

TEST_CASE("folded search: short needles and texts", "[codes][folded]") {
  CHECK(FoldedText("").contains(make_needle("")));
  CHECK_FALSE(FoldedText("").contains(make_needle("a")));
  CHECK(FoldedText("A").contains(make_needle("a")));
  CHECK(FoldedText("xyZ").contains(make_needle("Z")));
  CHECK(FoldedText("Mailbox FULL").contains(make_needle("mailbox full")));
  CHECK_FALSE(FoldedText("mailbox ful").contains(make_needle("mailbox full")));
  // '0' (0x30) and 'p' (0x70) share a slot: the set lets "p0" through, the search says no.
  CHECK_FALSE(FoldedText("00 pp").contains(make_needle("p0")));
  CHECK(FoldedText("\xe6\x94\xb6\xe4\xbb\xb6\xe7\xae\xb1\xe5\xb7\xb2\xe6\xbb\xa1").contains(make_needle("\xe6\x94\xb6\xe4\xbb\xb6\xe7\xae\xb1")));
}
