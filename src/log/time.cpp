#include "maildiag/log/time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace maildiag::log {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Reads exactly n digits at s[pos]; advances pos.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

/// Optional ".123456" (any number of digits, micro-second precision kept).
int fraction(std::string_view s, std::size_t& pos) {
  if (pos >= s.size() || (s[pos] != '.' && s[pos] != ',')) return 0;
  std::size_t p = pos + 1;
  int micros = 0;
  int scale = 100000;
  while (p < s.size() && is_digit(s[p])) {
    if (scale > 0) {
      micros += (s[p] - '0') * scale;
      scale /= 10;
    }
    ++p;
  }
  if (p == pos + 1) return 0;  // a lone '.' is not a fraction
  pos = p;
  return micros;
}

bool valid_clock(const Timestamp& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour <= 23 && t.minute <= 59 &&
         t.second <= 60;
}

/// "Z", "+01:00", "+0100", "-05"; nullopt (and pos unchanged) when absent.
std::optional<int> zone(std::string_view s, std::size_t& pos) {
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
    return 0;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
  const int sign = s[pos] == '-' ? -1 : 1;
  std::size_t p = pos + 1;
  const auto hh = digits(s, p, 2);
  if (!hh) return std::nullopt;
  int mm = 0;
  std::size_t q = p;
  if (q < s.size() && s[q] == ':') ++q;
  if (auto m = digits(s, q, 2)) {
    mm = *m;
    p = q;
  }
  if (*hh > 18 || mm > 59) return std::nullopt;
  pos = p;
  return sign * (*hh * 60 + mm);
}

}  // namespace

std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const auto y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return {y, m, d};
}

namespace {

/// days_from_civil of the last date asked for: log lines come in date order, so nearly every
/// line asks for the same day as the one before (a quarter of `log --summary`'s time went here).
std::int64_t days_of(int year, int month, int day) {
  struct Memo {
    int year = 0, month = 0, day = 0;
    std::int64_t days = 0;
  };
  thread_local Memo memo;
  if (memo.year != year || memo.month != month || memo.day != day || memo.year == 0) {
    memo = {year, month, day, days_from_civil(year, month, day)};
  }
  return memo.days;
}

/// The local year at ctx.now, for timestamps that carry none; remembered per (now, offset).
int year_now(const TimeContext& ctx) {
  struct Memo {
    std::int64_t now = 0;
    int offset = 0;
    int year = 0;
  };
  thread_local Memo memo;
  if (memo.year == 0 || memo.now != ctx.now || memo.offset != ctx.local_offset_min) {
    const std::int64_t local_now = ctx.now + static_cast<std::int64_t>(ctx.local_offset_min) * 60;
    memo = {ctx.now, ctx.local_offset_min,
            civil_from_days(local_now >= 0 ? local_now / 86400 : (local_now - 86399) / 86400).year};
  }
  return memo.year;
}

}  // namespace

std::int64_t to_epoch(const Timestamp& t, const TimeContext& ctx) {
  const int offset = t.utc_offset_min.value_or(ctx.local_offset_min);
  auto seconds_of = [&](int year) {
    return (days_of(year, t.month, t.day) * 86400) + t.hour * 3600 + t.minute * 60 + t.second -
           static_cast<std::int64_t>(offset) * 60;
  };
  if (t.year != 0) return seconds_of(t.year);
  const int year = year_now(ctx);
  const std::int64_t guess = seconds_of(year);
  // More than a day in the future: the line is from last year (a log that crosses New Year).
  return guess > ctx.now + 86400 ? seconds_of(year - 1) : guess;
}

int month_from_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (name.size() != 3) return 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (name == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::optional<Timestamp> parse_bsd_time(std::string_view s, std::size_t* consumed) {
  // "Nov 23 05:00:06" = 15 bytes minimum; the day may be space padded ("Nov  3").
  if (s.size() < 15 || s[3] != ' ') return std::nullopt;
  // Lines of one message often share their second: the last valid 15-byte stamp is remembered.
  struct Memo {
    std::array<char, 15> text{};
    Timestamp t;
    bool valid = false;
  };
  thread_local Memo memo;
  if (memo.valid && std::equal(memo.text.begin(), memo.text.end(), s.begin())) {
    Timestamp t = memo.t;
    std::size_t pos = 15;
    t.micros = fraction(s, pos);
    if (consumed != nullptr) *consumed = pos;
    return t;
  }
  Timestamp t;
  t.month = month_from_name(s.substr(0, 3));
  if (t.month == 0) return std::nullopt;
  std::size_t pos = 4;
  if (s[pos] == ' ') {
    ++pos;
    const auto d = digits(s, pos, 1);
    if (!d) return std::nullopt;
    t.day = *d;
  } else {
    const auto d = digits(s, pos, 2);
    if (!d) return std::nullopt;
    t.day = *d;
  }
  if (pos >= s.size() || s[pos] != ' ') return std::nullopt;
  ++pos;
  const auto h = digits(s, pos, 2);
  if (!h || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  const auto m = digits(s, pos, 2);
  if (!m || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  const auto sec = digits(s, pos, 2);
  if (!sec) return std::nullopt;
  t.hour = *h;
  t.minute = *m;
  t.second = *sec;
  if (!valid_clock(t)) return std::nullopt;
  if (pos == 15) {  // the fixed form, without the fraction: remember it
    std::copy_n(s.begin(), 15, memo.text.begin());
    memo.t = t;
    memo.valid = true;
  }
  t.micros = fraction(s, pos);
  if (consumed != nullptr) *consumed = pos;
  return t;
}

std::optional<Timestamp> parse_iso_time(std::string_view s, std::size_t* consumed, bool allow_short) {
  std::size_t pos = 0;
  Timestamp t;
  const auto y = digits(s, pos, 4);
  if (!y || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  const auto mo = digits(s, pos, 2);
  if (!mo || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  const auto d = digits(s, pos, 2);
  if (!d) return std::nullopt;
  t.year = *y;
  t.month = *mo;
  t.day = *d;
  const bool has_time = pos + 1 < s.size() && (s[pos] == 'T' || s[pos] == ' ') && is_digit(s[pos + 1]);
  if (!has_time) {
    if (!allow_short || !valid_clock(t) || (pos < s.size() && s[pos] != ' ')) return std::nullopt;
    if (consumed != nullptr) *consumed = pos;
    return t;
  }
  ++pos;
  const auto h = digits(s, pos, 2);
  if (!h || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  const auto m = digits(s, pos, 2);
  if (!m) return std::nullopt;
  t.hour = *h;
  t.minute = *m;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    const auto sec = digits(s, pos, 2);
    if (!sec) return std::nullopt;
    t.second = *sec;
    t.micros = fraction(s, pos);
  } else if (!allow_short) {
    return std::nullopt;
  }
  t.utc_offset_min = zone(s, pos);
  if (!valid_clock(t)) return std::nullopt;
  if (consumed != nullptr) *consumed = pos;
  return t;
}

std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.empty() || s.size() > 32) return std::nullopt;
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::int64_t n = 0;
    const std::size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) {
      n = n * 10 + (s[pos] - '0');
      if (n > 100'000'000'000LL) return std::nullopt;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    std::int64_t unit = 1;
    if (pos < s.size()) {
      switch (s[pos]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default: return std::nullopt;
      }
      ++pos;
    } else if (start != 0) {
      return std::nullopt;  // "1h30" is ambiguous
    }
    total += n * unit;
  }
  return total;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[48];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm %llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else if (seconds < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh %lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>((seconds % 3600) / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(seconds / 86400),
                  static_cast<long long>((seconds % 86400) / 3600));
  }
  return buf;
}

std::string format_time(std::int64_t epoch, int offset_min, bool with_zone) {
  const std::int64_t local = epoch + static_cast<std::int64_t>(offset_min) * 60;
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const std::int64_t secs = local - days * 86400;
  const auto d = civil_from_days(days);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02lld:%02lld:%02lld", d.year, d.month, d.day,
                static_cast<long long>(secs / 3600), static_cast<long long>((secs % 3600) / 60),
                static_cast<long long>(secs % 60));
  std::string out = buf;
  if (with_zone) {
    const int a = offset_min < 0 ? -offset_min : offset_min;
    std::snprintf(buf, sizeof buf, " %c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
    out += buf;
  }
  return out;
}

}  // namespace maildiag::log
