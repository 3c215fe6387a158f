// json_text writes what nlohmann's dump(-1, ' ', false, replace) writes, byte for byte: crafted
// values (every escape, UTF-8, invalid bytes, numbers at their limits, nesting) and random trees.

#include "maildiag/report/json_text.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

using maildiag::report::json_text::append;
using Json = nlohmann::json;

namespace {

std::string dumped(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string written(const Json& v) {
  std::string out = "prefix:";  // appends, never overwrites
  append(out, v);
  REQUIRE(out.rfind("prefix:", 0) == 0);
  return out.substr(7);
}

std::string random_string(std::mt19937& rng) {
  // Mostly ASCII, sometimes controls, quotes, backslashes, UTF-8 and stray high bytes.
  static const std::string pieces[] = {"a", "Z", " ", "\"", "\\", "\n", "\t", std::string(1, '\0'), "\x01", "\x1f",
                                       "\x7f", "/", "\xc3\xa4", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xff", "\xc3",
                                       "\xe4\xb8", "\x80", "mx.example.net", "<>", "\b\f\r", "\xed\xa0", "\xf4\x90",
                                       "\xe2\x80\x94", "\xbf"};
  std::uniform_int_distribution<std::size_t> len(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1);
  std::uniform_int_distribution<int> ascii_only(0, 3);
  const bool plain = ascii_only(rng) != 0;
  std::string s;
  for (std::size_t i = len(rng); i > 0; --i) {
    const auto& p = pieces[pick(rng)];
    if (plain && static_cast<unsigned char>(p[0]) >= 0x80) continue;
    s += p;
  }
  return s;
}

Json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 6 : 8);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return std::uniform_int_distribution<std::int64_t>(std::numeric_limits<std::int64_t>::min(),
                                                                std::numeric_limits<std::int64_t>::max())(rng);
    case 3: return std::uniform_int_distribution<std::uint64_t>()(rng);
    case 4: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 5:
    case 6: return random_string(rng);
    case 7: {
      Json a = Json::array();
      for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i) o[random_string(rng)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

}  // namespace

TEST_CASE("json_text: crafted values are written as nlohmann dumps them", "[report][json]") {
  const Json cases[] = {
      nullptr, true, false, 0, -1, 42u,
      std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::uint64_t>::max(),
      0.0, -0.0, 3.1, 1e-7, 1e21, 123456789.125, std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(),
      "", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t", std::string("nul \0 byte", 10), "\x01\x1f\x7f",
      "b\xc3\xa4" "d", "\xff", "trunc \xe4\xb8", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
      "\xed\x9f\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xe0\x9f\x80", "\xe0\xa0\x80",
      "\xc1\xbf", "\xc2\x80", "\xf0\x8f\xbf\xbf", "\xf0\x90\x80\x80", "\xf5\x80\x80\x80", "line sep \xe2\x80\xa8",
      "lab \xe2\x80\x94 pass", "\xe4\xb8\xad\xe6\x96\x87 \xff tail",
      Json::array(), Json::object(), Json::array({1, "x", nullptr, Json::array({Json::object()})}),
      Json{{"b", 1}, {"a", {{"z", "\xc3\xa9"}, {"\xc3\xa9t\xc3\xa9", false}}}, {"", "empty key"}, {"\n", 2}},
  };
  for (const auto& v : cases) {
    INFO(dumped(v));
    CHECK(written(v) == dumped(v));
  }
  std::string key;
  maildiag::report::json_text::append_key(key, "k\"ey");
  CHECK(key == "\"k\\\"ey\":");
}

TEST_CASE("json_text: random trees are written as nlohmann dumps them", "[report][json]") {
  std::mt19937 rng(20261206);
  for (int i = 0; i < 3000; ++i) {
    const Json v = random_value(rng, 0);
    INFO(dumped(v));
    REQUIRE(written(v) == dumped(v));
  }
}

TEST_CASE("json_text: floating-point numbers are written as nlohmann dumps them", "[report][json]") {
  std::mt19937_64 rng(6122026);
  std::uniform_real_distribution<double> mantissa(-10.0, 10.0);
  std::uniform_int_distribution<int> exponent(-8, 18);
  std::uniform_int_distribution<int> tenths(0, 10'000'000);
  std::uniform_int_distribution<std::uint64_t> bits;
  std::size_t mismatches = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    double v = 0;
    switch (i % 3) {
      case 0: v = mantissa(rng) * std::pow(10.0, exponent(rng)); break;
      case 1: v = std::round(tenths(rng)) / 10; break;  // the elapsed_ms form
      default: {
        const auto b = bits(rng);
        std::memcpy(&v, &b, sizeof v);  // any bit pattern, NaN and infinities included
      }
    }
    if (written(Json(v)) != dumped(Json(v))) {
      ++mismatches;
      UNSCOPED_INFO(dumped(Json(v)) << " written as " << written(Json(v)));
    }
    if (mismatches > 5) break;
  }
  CHECK(mismatches == 0);
}
