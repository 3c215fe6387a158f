#include "maildiag/message/date.hpp"

#include "maildiag/util/text.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace maildiag::message {

namespace {

constexpr std::size_t kMaxDateText = 1024;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

/// Digits to a number. More than 9 digits saturate at 999 999 999, which every range check
/// below refuses (F5, found by fuzzing: "Thu, 10000000000 Jul 1998" overflowed an int).
int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) {
    if (v > 99'999'999) return 999'999'999;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// Removes (nested) comments; nullopt when they are unbalanced or a line break is not folding.
std::optional<std::string> strip_comments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  int depth = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if ((c == '\n' || c == '\r') && i + 1 < in.size()) {
      const char next = in[i + 1];
      if (!is_space(next)) return std::nullopt;  // a bare line break is not folding whitespace
    }
    if (c == '\\' && depth > 0) {
      ++i;
      continue;
    }
    if (c == '(') {
      ++depth;
      out.push_back(' ');
    } else if (c == ')') {
      if (depth == 0) return std::nullopt;
      --depth;
    } else if (depth == 0) {
      out.push_back(c);
    }
  }
  if (depth != 0) return std::nullopt;
  return out;
}

int month_from_name(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (w.size() < 3) return 0;
  const std::string lower = util::to_lower(w);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (lower.compare(0, 3, kMonths[i]) == 0) {
      // "Jul", "July", "Sept", "Sept."; anything else after three letters must be the full name.
      static constexpr std::array<std::string_view, 12> kFull = {"january", "february", "march", "april",
                                                                 "may", "june", "july", "august",
                                                                 "september", "october", "november", "december"};
      if (lower.size() == 3 || lower == kFull[i] || (i == 8 && lower == "sept")) return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

bool is_weekday(std::string_view w) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static constexpr std::array<std::string_view, 7> kFull = {"monday", "tuesday", "wednesday", "thursday",
                                                            "friday", "saturday", "sunday"};
  const std::string lower = util::to_lower(w);
  for (std::size_t i = 0; i < kDays.size(); ++i) {
    if (lower == kDays[i] || lower == kFull[i] || (lower.size() == 4 && lower.compare(0, 3, kDays[i]) == 0 &&
                                                   (lower[3] == 's' || lower[3] == 'r' || lower[3] == 'u'))) {
      return true;
    }
  }
  return false;
}

struct ZoneName {
  std::string_view name;
  int minutes;
};

/// RFC 5322 obs-zone names plus the ones mailers in the wild still write.
std::optional<int> zone_from_name(std::string_view w, bool& known) {
  static constexpr std::array<ZoneName, 33> kZones = {{
      {"ut", 0},       {"utc", 0},      {"gmt", 0},     {"z", 0},       {"est", -300},  {"edt", -240},
      {"cst", -360},   {"cdt", -300},   {"mst", -420},  {"mdt", -360},  {"pst", -480},  {"pdt", -420},
      {"akst", -540},  {"akdt", -480},  {"hst", -600},  {"cet", 60},    {"cest", 120},  {"met", 60},
      {"mest", 120},   {"eet", 120},    {"eest", 180},  {"wet", 0},     {"west", 60},   {"bst", 60},
      {"msk", 180},    {"jst", 540},    {"kst", 540},   {"hkt", 480},   {"sgt", 480},   {"aest", 600},
      {"aedt", 660},   {"nzst", 720},   {"nzdt", 780},
  }};
  const std::string lower = util::to_lower(w);
  for (const auto& z : kZones) {
    if (lower == z.name) {
      known = true;
      return z.minutes;
    }
  }
  if (lower.size() == 1 && lower[0] != 'j') {  // military zones: RFC 5322 says read them as -0000
    known = false;
    return 0;
  }
  return std::nullopt;
}

struct Fields {
  int year = -1, month = 0, day = 0, hour = -1, minute = 0, second = 0, millis = 0;
  std::optional<int> zone;
  bool zone_known = false;
  bool obsolete = false;
};

/// "10:52", "10:52:37", "12:34:56.789".
bool parse_time(std::string_view t, Fields& f) {
  const auto dot = t.find('.');
  if (dot != std::string_view::npos) {
    const auto frac = t.substr(dot + 1);
    if (!all_digits(frac)) return false;
    int scale = 100;
    for (std::size_t i = 0; i < frac.size() && i < 3; ++i, scale /= 10) f.millis += (frac[i] - '0') * scale;
    t = t.substr(0, dot);
  }
  const auto parts = util::split(t, ':');
  if (parts.size() < 2 || parts.size() > 3) return false;
  for (auto p : parts) {
    if (!all_digits(p) || p.size() > 2) return false;
  }
  if (parts[1].size() != 2) return false;
  f.hour = to_int(parts[0]);
  f.minute = to_int(parts[1]);
  f.second = parts.size() == 3 ? to_int(parts[2]) : 0;
  if (parts.size() == 2) f.obsolete = true;
  return f.hour <= 24 && f.minute <= 60 && f.second <= 61;
}

/// "+0200", "-0330", "+02:00".
bool parse_numeric_zone(std::string_view z, Fields& f) {
  if (z.size() < 2 || (z[0] != '+' && z[0] != '-')) return false;
  std::string digits;
  for (char c : z.substr(1)) {
    if (c != ':') digits.push_back(c);
  }
  if (digits.size() != 4 || !all_digits(digits)) return false;
  const int hh = to_int(std::string_view(digits).substr(0, 2));
  const int mm = to_int(std::string_view(digits).substr(2, 2));
  if (hh > 23 || mm > 59) return false;
  f.zone = (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  f.zone_known = !(z[0] == '-' && hh == 0 && mm == 0);  // -0000: "no information" (RFC 5322 3.3)
  return true;
}

/// "2018-01-28" (ISO) or "01-28-2018" (US order, seen from SendGrid).
bool parse_dashed_date(std::string_view t, Fields& f) {
  const auto parts = util::split(t, t.find('/') != std::string_view::npos ? '/' : '-');
  if (parts.size() != 3) return false;
  for (auto p : parts) {
    if (!all_digits(p)) return false;
  }
  if (parts[0].size() == 4 && parts[1].size() <= 2 && parts[2].size() <= 2) {
    f.year = to_int(parts[0]);
    f.month = to_int(parts[1]);
    f.day = to_int(parts[2]);
  } else if (parts[2].size() == 4 && parts[0].size() <= 2 && parts[1].size() <= 2) {
    f.month = to_int(parts[0]);
    f.day = to_int(parts[1]);
    f.year = to_int(parts[2]);
  } else {
    return false;
  }
  f.obsolete = true;
  return f.month >= 1 && f.month <= 12;
}

/// Splits on whitespace and commas; "2018-01-28T12:00:00Z" becomes date, time and zone.
std::vector<std::string> tokens_of(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  for (char c : s) {
    if (is_space(c) || c == ',') {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  std::vector<std::string> split;
  for (auto& t : out) {
    bool alnum = false;
    for (char c : t) alnum = alnum || is_digit(c) || is_alpha(c);
    if (!alnum) continue;  // "_", "-": noise some relays leave between fields
    const auto tpos = t.find('T');
    if (t.size() > 11 && tpos == 10 && is_digit(t[0])) {  // ISO 8601 with a 'T'
      split.push_back(t.substr(0, 10));
      std::string rest = t.substr(11);
      const auto zpos = rest.find_first_of("Z+-");
      if (zpos != std::string::npos) {
        split.push_back(rest.substr(0, zpos));
        split.push_back(rest[zpos] == 'Z' ? std::string("UTC") : rest.substr(zpos));
      } else {
        split.push_back(rest);
      }
    } else {
      split.push_back(std::move(t));
    }
  }
  return split;
}

/// Reads the tokens in any of the orders mail uses. Returns false on anything that is not a date.
bool assign(const std::vector<std::string>& tokens, Fields& f) {
  std::vector<std::string_view> numbers;  // day/month/year before the time
  bool first = true;
  for (const auto& tok : tokens) {
    const std::string_view t(tok);
    const bool was_first = first;
    first = false;
    if (f.zone && f.hour >= 0) {  // after the zone: "(PDT)", "id 1234", "m=+0.1" - not ours
      if (f.year < 0 && t.size() == 4 && all_digits(t)) f.year = to_int(t);  // "14:36:56 EDT 2018"
      continue;
    }
    if (t.find(':') != std::string_view::npos && is_digit(t[0])) {
      if (f.hour >= 0 || !parse_time(t, f)) return false;
      continue;
    }
    if ((t[0] == '+' || t[0] == '-') && t.size() > 1 && is_digit(t[1])) {
      if (f.hour < 0 || f.zone) return false;
      if (!parse_numeric_zone(t, f)) return false;
      continue;
    }
    if (is_digit(t[0]) && (t.find('-') != std::string_view::npos || t.find('/') != std::string_view::npos)) {
      if (f.year >= 0 || !parse_dashed_date(t, f)) return false;
      continue;
    }
    if (all_digits(t)) {
      if (f.hour < 0) {
        numbers.push_back(t);
      } else if (f.year < 0 && numbers.size() <= 1 && t.size() == 4) {
        f.year = to_int(t);  // ctime order: "Sun Nov 13 14:50:12 2005"
      } else if (!f.zone) {
        return false;
      }
      continue;
    }
    std::string_view word = t;
    while (!word.empty() && word.back() == '.') word.remove_suffix(1);
    std::size_t alpha = 0;
    while (alpha < word.size() && is_alpha(word[alpha])) ++alpha;
    if (alpha == 0) return false;
    if (alpha == word.size() && was_first && is_weekday(word)) continue;
    if (alpha == word.size() && f.month == 0 && f.hour < 0 && month_from_name(word) != 0) {
      f.month = month_from_name(word);
      continue;
    }
    if (f.hour < 0) return false;  // words before the time must be a weekday or the month
    if (!f.zone && (util::iequals(word, "am") || util::iequals(word, "pm"))) {
      if (f.hour > 12) return false;
      if (util::iequals(word, "pm") && f.hour < 12) f.hour += 12;
      if (util::iequals(word, "am") && f.hour == 12) f.hour = 0;
      continue;
    }
    if (f.zone) continue;          // "-0800 PST", "+0000 UTC": a redundant name after the offset
    bool known = false;
    const auto z = zone_from_name(word.substr(0, alpha), known);  // "EST5EDT" reads as EST
    f.zone = z.value_or(0);
    f.zone_known = z.has_value() && known;
    f.obsolete = true;
  }
  if (f.year < 0 || f.month == 0) {
    if (f.month != 0 && numbers.size() == 2) {
      f.day = to_int(numbers[0]);
      f.year = to_int(numbers[1]);
      if (numbers[0].size() > 2) return false;
      if (numbers[1].size() != 4) f.obsolete = true;
      if (numbers[1].size() < 4) f.year += (f.year < 50) ? 2000 : 1900;
    } else if (f.month == 0 && numbers.size() == 3 && numbers[1].size() <= 2) {  // "20 11 79"
      f.day = to_int(numbers[0]);
      f.month = to_int(numbers[1]);
      f.year = to_int(numbers[2]);
      if (numbers[2].size() < 4) f.year += (f.year < 50) ? 2000 : 1900;
      f.obsolete = true;
    } else {
      return false;
    }
  } else if (numbers.size() == 1 && f.day == 0 && numbers[0].size() <= 2) {
    f.day = to_int(numbers[0]);  // ctime: the year came after the time
  } else if (!numbers.empty()) {
    return false;
  }
  if (f.hour < 0) {  // a date without a time ("2018-01-28", "22 Apr 2018"): midnight
    f.hour = 0;
    f.obsolete = true;
  }
  return f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= 32 && f.year >= 1900 && f.year <= 9999;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<MailDate> parse_date(std::string_view text) {
  if (text.size() > kMaxDateText) text = text.substr(0, kMaxDateText);
  const auto stripped = strip_comments(text);
  if (!stripped) return std::nullopt;
  const auto tokens = tokens_of(*stripped);
  if (tokens.empty()) return std::nullopt;
  Fields f;
  if (!assign(tokens, f)) return std::nullopt;
  MailDate out;
  const std::int64_t days = days_from_civil(f.year, static_cast<unsigned>(f.month), 1) + (f.day - 1);
  const int offset = f.zone.value_or(0);
  out.epoch = days * 86400 + f.hour * 3600 + f.minute * 60 + f.second - static_cast<std::int64_t>(offset) * 60;
  out.offset_minutes = offset;
  out.millis = f.millis;
  out.zone_known = f.zone.has_value() && f.zone_known;
  out.obsolete = f.obsolete || !f.zone.has_value();
  return out;
}

std::string format_local(const MailDate& d) {
  const std::int64_t local = d.epoch + static_cast<std::int64_t>(d.offset_minutes) * 60;
  std::int64_t days = local / 86400;
  std::int64_t secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned day = 0;
  civil_from_days(days, y, m, day);
  const int off = d.offset_minutes < 0 ? -d.offset_minutes : d.offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld %c%02d%02d", static_cast<long long>(y), m,
                day, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), d.offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::string format_utc(std::int64_t epoch) {
  MailDate d;
  d.epoch = epoch;
  std::string s = format_local(d);  // "YYYY-MM-DD HH:MM:SS +0000"
  s[10] = 'T';
  s.resize(19);
  return s + "Z";
}

}  // namespace maildiag::message
