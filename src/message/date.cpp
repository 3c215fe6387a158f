#include "maildiag/message/date.hpp"

#include "maildiag/util/text.hpp"

#include <array>
#include <cstdio>

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

/// Removes (nested) comments into `out` (at least in.size() bytes); returns the length, or
/// nullopt when they are unbalanced or a line break is not folding.
std::optional<std::size_t> strip_comments(std::string_view in, char* out) {
  std::size_t n = 0;
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
      out[n++] = ' ';
    } else if (c == ')') {
      if (depth == 0) return std::nullopt;
      --depth;
    } else if (depth == 0) {
      out[n++] = c;
    }
  }
  if (depth != 0) return std::nullopt;
  return n;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// True when s contains c. Date words are a few bytes: a loop beats a memchr call.
bool has(std::string_view s, char c) {
  for (char x : s) {
    if (x == c) return true;
  }
  return false;
}

/// The first three bytes of w, lower-cased, as one number (w.size() >= 3).
unsigned key3(std::string_view w) {
  return static_cast<unsigned>(static_cast<unsigned char>(lower(w[0]))) << 16 |
         static_cast<unsigned>(static_cast<unsigned char>(lower(w[1]))) << 8 |
         static_cast<unsigned>(static_cast<unsigned char>(lower(w[2])));
}

constexpr unsigned key3(const char (&s)[4]) {
  return static_cast<unsigned>(s[0]) << 16 | static_cast<unsigned>(s[1]) << 8 | static_cast<unsigned>(s[2]);
}

/// The index of w's first three letters (any case) in `names`, or names.size().
template <std::size_t N>
std::size_t index_of3(std::string_view w, const std::array<unsigned, N>& names) {
  const unsigned k = key3(w);
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == k) return i;
  }
  return N;
}

int month_from_name(std::string_view w) {
  static constexpr std::array<unsigned, 12> kMonths = {key3("jan"), key3("feb"), key3("mar"), key3("apr"),
                                                       key3("may"), key3("jun"), key3("jul"), key3("aug"),
                                                       key3("sep"), key3("oct"), key3("nov"), key3("dec")};
  if (w.size() < 3) return 0;
  const std::size_t i = index_of3(w, kMonths);  // the three-letter prefixes are distinct
  if (i == kMonths.size()) return 0;
  // "Jul", "July", "Sept", "Sept."; anything else after three letters must be the full name.
  static constexpr std::array<std::string_view, 12> kFull = {"january", "february", "march", "april",
                                                             "may", "june", "july", "august",
                                                             "september", "october", "november", "december"};
  if (w.size() == 3 || util::iequals(w, kFull[i]) || (i == 8 && util::iequals(w, "sept"))) {
    return static_cast<int>(i) + 1;
  }
  return 0;
}

bool is_weekday(std::string_view w) {
  static constexpr std::array<unsigned, 7> kDays = {key3("mon"), key3("tue"), key3("wed"), key3("thu"),
                                                    key3("fri"), key3("sat"), key3("sun")};
  static constexpr std::array<std::string_view, 7> kFull = {"monday", "tuesday", "wednesday", "thursday",
                                                            "friday", "saturday", "sunday"};
  if (w.size() < 3) return false;
  const std::size_t i = index_of3(w, kDays);  // every accepted form starts with the short name
  if (i == kDays.size()) return false;
  if (w.size() == 3) return true;
  if (w.size() == 4) return lower(w[3]) == 's' || lower(w[3]) == 'r' || lower(w[3]) == 'u';
  return util::iequals(w, kFull[i]);
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
  for (const auto& z : kZones) {
    if (util::iequals(w, z.name)) {
      known = true;
      return z.minutes;
    }
  }
  if (w.size() == 1 && lower(w[0]) != 'j') {  // military zones: RFC 5322 says read them as -0000
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

/// Splits s on `sep` into at most N parts; returns the number of parts, or N + 1 when there are more.
template <std::size_t N>
std::size_t split_into(std::string_view s, char sep, std::array<std::string_view, N>& parts) {
  std::size_t n = 0;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    if (n == N) return N + 1;
    parts[n++] = s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (pos == std::string_view::npos) return n;
    start = pos + 1;
  }
}

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
  std::array<std::string_view, 3> parts;
  const std::size_t n = split_into(t, ':', parts);
  if (n < 2 || n > 3) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!all_digits(parts[i]) || parts[i].size() > 2) return false;
  }
  if (parts[1].size() != 2) return false;
  f.hour = to_int(parts[0]);
  f.minute = to_int(parts[1]);
  f.second = n == 3 ? to_int(parts[2]) : 0;
  if (n == 2) f.obsolete = true;
  return f.hour <= 24 && f.minute <= 60 && f.second <= 61;
}

/// "+0200", "-0330", "+02:00".
bool parse_numeric_zone(std::string_view z, Fields& f) {
  if (z.size() < 2 || (z[0] != '+' && z[0] != '-')) return false;
  std::array<char, 4> digits{};
  std::size_t n = 0;
  for (char c : z.substr(1)) {
    if (c == ':') continue;
    if (n == digits.size()) return false;
    digits[n++] = c;
  }
  const std::string_view d(digits.data(), n);
  if (n != 4 || !all_digits(d)) return false;
  const int hh = to_int(d.substr(0, 2));
  const int mm = to_int(d.substr(2, 2));
  if (hh > 23 || mm > 59) return false;
  f.zone = (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  f.zone_known = !(z[0] == '-' && hh == 0 && mm == 0);  // -0000: "no information" (RFC 5322 3.3)
  return true;
}

/// "2018-01-28" (ISO) or "01-28-2018" (US order, seen from SendGrid).
bool parse_dashed_date(std::string_view t, Fields& f) {
  std::array<std::string_view, 3> parts;
  if (split_into(t, t.find('/') != std::string_view::npos ? '/' : '-', parts) != 3) return false;
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

/// Reads the tokens, one at a time, in any of the orders mail uses.
class Reader {
 public:
  Fields f;

  /// False on anything that is not a date.
  bool step(std::string_view t) {
    const bool was_first = first_;
    first_ = false;
    const char c0 = t.empty() ? '\0' : t[0];
    if (f.zone && f.hour >= 0) {  // after the zone: "(PDT)", "id 1234", "m=+0.1" - not ours
      if (f.year < 0 && t.size() == 4 && all_digits(t)) f.year = to_int(t);  // "14:36:56 EDT 2018"
      return true;
    }
    if (is_digit(c0) && has(t, ':')) {
      return f.hour < 0 && parse_time(t, f);
    }
    if ((c0 == '+' || c0 == '-') && t.size() > 1 && is_digit(t[1])) {
      if (f.hour < 0 || f.zone) return false;
      return parse_numeric_zone(t, f);
    }
    if (is_digit(c0) && (has(t, '-') || has(t, '/'))) {
      return f.year < 0 && parse_dashed_date(t, f);
    }
    if (all_digits(t)) {
      if (f.hour < 0) {
        if (count_ == numbers_.size()) return false;  // four numbers before the time: never a date
        numbers_[count_++] = t;
      } else if (f.year < 0 && count_ <= 1 && t.size() == 4) {
        f.year = to_int(t);  // ctime order: "Sun Nov 13 14:50:12 2005"
      } else if (!f.zone) {
        return false;
      }
      return true;
    }
    std::string_view word = t;
    while (!word.empty() && word.back() == '.') word.remove_suffix(1);
    std::size_t alpha = 0;
    while (alpha < word.size() && is_alpha(word[alpha])) ++alpha;
    if (alpha == 0) return false;
    if (alpha == word.size() && was_first && is_weekday(word)) return true;
    if (alpha == word.size() && f.month == 0 && f.hour < 0) {
      if (const int m = month_from_name(word); m != 0) {
        f.month = m;
        return true;
      }
    }
    if (f.hour < 0) return false;  // words before the time must be a weekday or the month
    if (!f.zone && (util::iequals(word, "am") || util::iequals(word, "pm"))) {
      if (f.hour > 12) return false;
      if (util::iequals(word, "pm") && f.hour < 12) f.hour += 12;
      if (util::iequals(word, "am") && f.hour == 12) f.hour = 0;
      return true;
    }
    if (f.zone) return true;  // "-0800 PST", "+0000 UTC": a redundant name after the offset
    bool known = false;
    const auto z = zone_from_name(word.substr(0, alpha), known);  // "EST5EDT" reads as EST
    f.zone = z.value_or(0);
    f.zone_known = z.has_value() && known;
    f.obsolete = true;
    return true;
  }

  /// After the last token: false when the fields do not make a date.
  bool finish() {
    if (f.year < 0 || f.month == 0) {
      if (f.month != 0 && count_ == 2) {
        f.day = to_int(numbers_[0]);
        f.year = to_int(numbers_[1]);
        if (numbers_[0].size() > 2) return false;
        if (numbers_[1].size() != 4) f.obsolete = true;
        if (numbers_[1].size() < 4) f.year += (f.year < 50) ? 2000 : 1900;
      } else if (f.month == 0 && count_ == 3 && numbers_[1].size() <= 2) {  // "20 11 79"
        f.day = to_int(numbers_[0]);
        f.month = to_int(numbers_[1]);
        f.year = to_int(numbers_[2]);
        if (numbers_[2].size() < 4) f.year += (f.year < 50) ? 2000 : 1900;
        f.obsolete = true;
      } else {
        return false;
      }
    } else if (count_ == 1 && f.day == 0 && numbers_[0].size() <= 2) {
      f.day = to_int(numbers_[0]);  // ctime: the year came after the time
    } else if (count_ != 0) {
      return false;
    }
    if (f.hour < 0) {  // a date without a time ("2018-01-28", "22 Apr 2018"): midnight
      f.hour = 0;
      f.obsolete = true;
    }
    return f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= 32 && f.year >= 1900 && f.year <= 9999;
  }

  [[nodiscard]] bool any() const { return !first_; }

 private:
  std::array<std::string_view, 3> numbers_;  ///< day/month/year before the time
  std::size_t count_ = 0;
  bool first_ = true;
};

/// Feeds the words of s (split on whitespace and commas) to the reader; "2018-01-28T12:00:00Z"
/// becomes date, time and zone. False as soon as a word is not part of a date.
bool read_tokens(std::string_view s, Reader& reader) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i]) && s[i] != ',') ++i;
    if (i == start) break;
    const std::string_view t = s.substr(start, i - start);
    bool alnum = false;
    for (char c : t) alnum = alnum || is_digit(c) || is_alpha(c);
    if (!alnum) continue;  // "_", "-": noise some relays leave between fields
    if (t.size() > 11 && t[10] == 'T' && is_digit(t[0]) && !has(t.substr(0, 10), 'T')) {  // ISO 8601 with a 'T'
      if (!reader.step(t.substr(0, 10))) return false;
      const std::string_view rest = t.substr(11);
      const auto zpos = rest.find_first_of("Z+-");
      if (zpos != std::string_view::npos) {
        if (!reader.step(rest.substr(0, zpos))) return false;
        if (!reader.step(rest[zpos] == 'Z' ? std::string_view("UTC") : rest.substr(zpos))) return false;
      } else if (!reader.step(rest)) {
        return false;
      }
    } else if (!reader.step(t)) {
      return false;
    }
  }
  return true;
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

/// The form nearly every MTA writes, "[Wed, ]8 Mar 2017 11:48:30 -0500[ (GMT)]" (spaces or tabs
/// between the fields), read without stripping comments or splitting words. Returns false
/// whenever the text is anything else (or out of range): parse_date then reads it the general
/// way, which gives the same answer for every text this accepts.
class CanonicalDate {
 public:
  explicit CanonicalDate(std::string_view s) : p_(s.data()), e_(s.data() + s.size()) {}

  bool read(MailDate& out) {
    skip_blanks();
    if (e_ - p_ >= 4 && is_alpha(p_[0]) && is_alpha(p_[1]) && is_alpha(p_[2]) && !is_alpha(p_[3])) {
      if (!is_weekday(std::string_view(p_, 3))) return false;
      p_ += 3;
      const char* const after = p_;
      while (p_ != e_ && (*p_ == ',' || *p_ == ' ' || *p_ == '\t')) ++p_;
      if (p_ == after) return false;
    }
    int day = 0;
    int year = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!number(1, 2, day) || !blanks()) return false;
    if (e_ - p_ < 3 || !is_alpha(p_[0]) || !is_alpha(p_[1]) || !is_alpha(p_[2])) return false;
    const int month = month_from_name(std::string_view(p_, 3));
    p_ += 3;
    if (month == 0 || !blanks() || !number(4, 4, year) || !blanks()) return false;
    if (!number(2, 2, hour) || !colon() || !number(2, 2, minute) || !colon() || !number(2, 2, second)) return false;
    if (!blanks() || p_ == e_ || (*p_ != '+' && *p_ != '-')) return false;
    const bool negative = *p_++ == '-';
    int zone = 0;
    if (!number(4, 4, zone) || !trailing_comment()) return false;
    const int hh = zone / 100;
    const int mm = zone % 100;
    if (hour > 24 || minute > 60 || second > 61 || hh > 23 || mm > 59) return false;
    if (day < 1 || day > 32 || year < 1900) return false;
    const int offset = (negative ? -1 : 1) * (hh * 60 + mm);
    const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), 1) + (day - 1);
    out.epoch = days * 86400 + hour * 3600 + minute * 60 + second - static_cast<std::int64_t>(offset) * 60;
    out.offset_minutes = offset;
    out.zone_known = !(negative && hh == 0 && mm == 0);  // -0000: "no information"
    out.obsolete = false;
    out.millis = 0;
    return true;
  }

 private:
  void skip_blanks() {
    while (p_ != e_ && (*p_ == ' ' || *p_ == '\t')) ++p_;
  }
  /// At least one space or tab.
  bool blanks() {
    const char* const before = p_;
    skip_blanks();
    return p_ != before;
  }
  bool colon() { return p_ != e_ && *p_++ == ':'; }
  /// min..max digits, not followed by another digit.
  bool number(int min, int max, int& v) {
    int n = 0;
    while (p_ != e_ && is_digit(*p_) && n < max) {
      v = v * 10 + (*p_++ - '0');
      ++n;
    }
    return n >= min && (p_ == e_ || !is_digit(*p_));
  }
  /// Nothing after the zone but blanks and at most one flat comment: "(GMT)", "(CET)".
  bool trailing_comment() {
    if (p_ != e_ && *p_ != ' ' && *p_ != '\t' && *p_ != '(') return false;
    skip_blanks();
    if (p_ != e_ && *p_ == '(') {
      ++p_;
      while (p_ != e_ && *p_ != ')') {
        if (*p_ == '(' || *p_ == '\\' || *p_ == '\r' || *p_ == '\n') return false;
        ++p_;
      }
      if (p_ == e_) return false;
      ++p_;
      skip_blanks();
    }
    return p_ == e_;
  }

  const char* p_;
  const char* e_;
};

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
  if (MailDate quick; CanonicalDate(text).read(quick)) return quick;
  std::array<char, kMaxDateText> buf;  // comments removed: never longer than the text
  const auto stripped = strip_comments(text, buf.data());
  if (!stripped) return std::nullopt;
  Reader reader;
  if (!read_tokens(std::string_view(buf.data(), *stripped), reader) || !reader.any() || !reader.finish()) {
    return std::nullopt;
  }
  const Fields& f = reader.f;
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
