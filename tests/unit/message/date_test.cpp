#include "maildiag/message/date.hpp"

#include "jsonl.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace maildiag::message;
using nlohmann::json;

namespace {

std::int64_t epoch_of(const json& e) {
  const auto days = days_from_civil(e["year"].get<int>(), e["month"].get<unsigned>(), e["day"].get<unsigned>());
  const int offset = (e["tz_before_gmt"].get<bool>() ? -1 : 1) * (e["tz_hour"].get<int>() * 60 + e["tz_minute"].get<int>());
  return days * 86400 + e["hour"].get<int>() * 3600 + e["minute"].get<int>() * 60 + e["second"].get<int>() -
         offset * 60;
}

/// Inputs where maildiag deliberately answers differently, with the reason.
const std::set<std::string>& divergences() {
  // stalwart reads "4 8 15 16 23 42, ..." (six bare numbers, no time, no month name) as
  // 2015-08-04 16:23:42 +0004. Nothing in it is a date a mailer wrote; maildiag rejects it.
  static const std::set<std::string> d = {" 4 8 15 16 23 42, 4 8 15 16 23 42, 4 8 15 16 23 42, "};
  return d;
}

}  // namespace

TEST_CASE("date corpus: public suites agree with maildiag", "[message][date][corpus]") {
  const auto cases = maildiag::test::header_cases("date_cases.jsonl");
  if (cases.empty()) return;
  std::size_t agree = 0;
  std::size_t diverge = 0;
  for (const auto& c : cases) {
    std::string input = c["input"].get<std::string>();
    // stalwart's case 28 is a whole Received value: its date follows the last ';'.
    if (const auto semi = input.rfind(';'); semi != std::string::npos) input = input.substr(semi + 1);
    const auto got = parse_date(input);
    const json& e = c["expected"];
    INFO(c["suite"].get<std::string>() << " input: " << input << " got: " << (got ? format_local(*got) : "none"));
    bool ok = false;
    if (e.is_null()) {
      ok = !got;
    } else if (!got) {
      ok = false;
    } else if (e.contains("epoch_utc")) {
      ok = got->epoch == e["epoch_utc"].get<std::int64_t>();
    } else if (e.contains("parses")) {
      ok = true;
    } else if (e.contains("utc")) {
      // MHA keeps milliseconds ("...:56.789Z"); maildiag keeps whole seconds: compare those.
      std::string want = e["utc"].get<std::string>();
      if (const auto dot = want.find('.'); dot != std::string::npos) want = want.substr(0, dot) + "Z";
      ok = format_utc(got->epoch) == want;
    } else {
      const int offset = (e["tz_before_gmt"].get<bool>() ? -1 : 1) * (e["tz_hour"].get<int>() * 60 + e["tz_minute"].get<int>());
      ok = got->epoch == epoch_of(e) && got->offset_minutes == offset;
      if (c.contains("derived_epoch_utc")) ok = ok && got->epoch == c["derived_epoch_utc"].get<std::int64_t>();
    }
    if (ok) {
      ++agree;
      continue;
    }
    const bool known = divergences().count(c["input"].get<std::string>()) != 0;
    CHECK(known);
    if (known) ++diverge;
  }
  WARN("date corpus: " << agree << "/" << cases.size() << " agree, " << diverge << " documented divergences");
  CHECK(agree + diverge == cases.size());
}

TEST_CASE("dates: RFC 5322 and the obsolete forms seen in the wild", "[message][date]") {
  struct Case {
    const char* text;
    const char* local;  // expected format_local, or "" for rejected
    bool zone_known;
  };
  const Case cases[] = {
      {"Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01 10:52:37 +0200", true},
      {"1 Jul 2003 10:52 +0200", "2003-07-01 10:52:00 +0200", true},                 // no weekday, no seconds
      {"Sun, 27 Oct 2002 23:57:07 EST", "2002-10-27 23:57:07 -0500", true},
      {"Mon, 10 Oct 2022 10:31:15 -0700 (PDT)", "2022-10-10 10:31:15 -0700", true},
      {"Thu, 10 Jul 1997 14:53:31 UT", "1997-07-10 14:53:31 +0000", true},
      {"Thu, 10 Jul 1997 14:53:31 Z", "1997-07-10 14:53:31 +0000", true},
      {"Thu, 10 Jul 1997 14:53:31 Q", "1997-07-10 14:53:31 +0000", false},           // military: -0000
      {"Thu, 10 Jul 1997 14:53:31", "1997-07-10 14:53:31 +0000", false},             // no zone at all
      {"21 Nov 97 09:55:06 GMT", "1997-11-21 09:55:06 +0000", true},                 // 2-digit year
      {"1 Jan 05 00:00:00 +0000", "2005-01-01 00:00:00 +0000", true},
      {"Wed,  3 Feb 2021   01:02:03   +0100", "2021-02-03 01:02:03 +0100", true},    // weird spacing
      {"Sun Nov 13 14:50:12 2005", "2005-11-13 14:50:12 +0000", false},              // ctime order
      {"Fri Feb 07 10:18:12 2003 -0800", "2003-02-07 10:18:12 -0800", true},
      {"2018-04-22 02:54:17.028704749 +0000 UTC", "2018-04-22 02:54:17 +0000", true},
      {"Tue, 01 Jul 2003 10:52:37 -0000", "2003-07-01 10:52:37 +0000", false},       // -0000: no information
      {"Thursday, 10 July 1997 14:53:31 +0000", "1997-07-10 14:53:31 +0000", true},
      {"Sat, 21 Apr 2018 03:01:32 +0000", "2018-04-21 03:01:32 +0000", true},
      {"", "", false},
      {"yesterday", "", false},
      {"32:00 1 Jan 2020", "", false},
      {"Tue, 1 Jul 2003 10:52:37 +0200 (unclosed", "", false},
      {"1 Jul 99999 10:52:37 +0200", "", false},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto d = parse_date(c.text);
    if (std::string_view(c.local).empty()) {
      CHECK_FALSE(d);
      continue;
    }
    REQUIRE(d);
    CHECK(format_local(*d) == c.local);
    CHECK(d->zone_known == c.zone_known);
  }
}

TEST_CASE("dates: epoch arithmetic and normalisation", "[message][date]") {
  CHECK(parse_date("Thu, 1 Jan 1970 00:00:00 +0000")->epoch == 0);
  CHECK(parse_date("Wed, 31 Dec 1969 23:00:00 -0100")->epoch == 0);
  CHECK(parse_date("Sun, 30 Feb 2006 21:43:57 -0800")->epoch == parse_date("Thu, 2 Mar 2006 21:43:57 -0800")->epoch);
  CHECK(format_utc(1057049557) == "2003-07-01T08:52:37Z");
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  std::string huge(100000, '(');
  CHECK_FALSE(parse_date(huge));
}
