#pragma once
/// Timestamps of mail logs and queue listings, and durations. Pure: "now" and the local zone
/// are passed in by the caller (app/), never read here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maildiag::log {

/// A wall-clock time as written in a log line. Traditional syslog has no year and no zone.
struct Timestamp {
  int year = 0;     ///< 0 when the line has none (traditional syslog, mailq)
  int month = 0;    ///< 1..12; 0 = invalid
  int day = 0;      ///< 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int micros = 0;
  std::optional<int> utc_offset_min;  ///< from the line (ISO / RFC 5424); nullopt = local time
  [[nodiscard]] bool valid() const { return month != 0; }
};

/// What the caller knows about the present: the year of lines without one and the zone of
/// lines without an offset. A line dated after `now` belongs to the year before (logs that
/// cross New Year). The local offset is one value for the whole run (DST changes ignored).
struct TimeContext {
  std::int64_t now = 0;        ///< seconds since the epoch (UTC)
  int local_offset_min = 0;    ///< the local zone's offset from UTC, minutes
};

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(int year, int month, int day);
struct CivilDate {
  int year;
  int month;
  int day;
};
CivilDate civil_from_days(std::int64_t days);

/// Seconds since the epoch (UTC) of a log timestamp; the year and zone are filled from ctx.
std::int64_t to_epoch(const Timestamp& t, const TimeContext& ctx);

/// "Nov 23 05:00:06" or "Nov  3 05:00:06", with optional fractional seconds (".123456").
/// `consumed` gets the bytes used. Month names are English (syslog and Postfix write them so).
std::optional<Timestamp> parse_bsd_time(std::string_view s, std::size_t* consumed = nullptr);
/// "2026-11-23T10:00:00.123456+00:00", "...Z", "...+0100", and with a space instead of 'T'
/// ("2026-11-23 10:00:00", Exim). Seconds may be omitted only when allow_short is set.
std::optional<Timestamp> parse_iso_time(std::string_view s, std::size_t* consumed = nullptr,
                                        bool allow_short = false);
/// Month from its English three-letter abbreviation ("Jan" -> 1), 0 when unknown.
int month_from_name(std::string_view name);

/// "90", "90s", "15m", "2h", "1d", "1w", "1h30m". Seconds; nullopt for anything else.
std::optional<std::int64_t> parse_duration(std::string_view s);
/// Human duration: "45s", "5m 10s", "3h 2m", "2d 4h".
std::string format_duration(std::int64_t seconds);
/// "2026-11-23 10:00:00" in the given offset (minutes east of UTC), plus " +01:00"-style zone
/// when with_zone is set.
std::string format_time(std::int64_t epoch, int offset_min, bool with_zone = false);

}  // namespace maildiag::log
