#pragma once
/// RFC 5322 dates and the obsolete or broken forms real Date: and Received: headers carry
/// (2-digit years, named and military zones, missing seconds or weekday, comments anywhere,
/// ctime order, ISO 8601 from some relays). Pure: the clock is never read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maildiag::message {

struct MailDate {
  std::int64_t epoch = 0;      ///< seconds since 1970-01-01 UTC
  int offset_minutes = 0;      ///< the zone as written, minutes east of UTC
  bool zone_known = true;      ///< false: no zone, or a name RFC 5322 says to read as -0000 (military, unknown)
  bool obsolete = false;       ///< parsed only thanks to obsolete/lenient syntax (2-digit year, named zone...)
  int millis = 0;              ///< fraction of the second, when written ("10:07:30.967")

  [[nodiscard]] std::int64_t epoch_ms() const { return epoch * 1000 + millis; }
};

/// Parses a date; nullopt when it is not one. Out-of-range fields (second 60, day 31 of a
/// 30-day month) are normalised forward, as mail clients do.
std::optional<MailDate> parse_date(std::string_view text);

/// "2024-03-05 14:02:11 +0100": the instant in its original zone, for people.
std::string format_local(const MailDate& d);
/// "2024-03-05T13:02:11Z": the instant in UTC, for JSON.
std::string format_utc(std::int64_t epoch);

/// Civil date <-> days since 1970-01-01 (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

}  // namespace maildiag::message
