#include "maildiag/log/syslog.hpp"
#include "maildiag/log/time.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace maildiag::log;

TEST_CASE("syslog line formats are split into time, host, program, pid, message", "[log][syslog]") {
  struct Case {
    const char* line;
    LineFormat format;
    const char* time_text;
    const char* host;
    const char* program;
    const char* pid;
    const char* message;
  };
  const Case cases[] = {
      {"Nov 23 05:00:06 mx1 postfix-testbed/submission/smtpd[31091]: connect from unknown[127.0.0.1]",
       LineFormat::bsd, "Nov 23 05:00:06", "mx1", "postfix-testbed/submission/smtpd", "31091",
       "connect from unknown[127.0.0.1]"},
      {"Nov  3 05:00:06 mx postfix/qmgr[900]: 12BDBE6FEE9: removed", LineFormat::bsd, "Nov  3 05:00:06", "mx",
       "postfix/qmgr", "900", "12BDBE6FEE9: removed"},
      {"2026-11-23T10:00:00.123456+01:00 mx postfix/smtpd[123]: connect from a[1.2.3.4]", LineFormat::iso,
       "2026-11-23T10:00:00.123456+01:00", "mx", "postfix/smtpd", "123", "connect from a[1.2.3.4]"},
      {"<22>1 2026-11-23T10:00:00.003Z mx postfix/smtpd 1234 - - connect from a[1.2.3.4]", LineFormat::rfc5424,
       "2026-11-23T10:00:00.003Z", "mx", "postfix/smtpd", "1234", "connect from a[1.2.3.4]"},
      {"<22>1 2026-11-23T10:00:00Z mx postfix/smtpd 1234 ID47 [ex@32473 a=\"x\\]y\"] msg here", LineFormat::rfc5424,
       "2026-11-23T10:00:00Z", "mx", "postfix/smtpd", "1234", "msg here"},
      {"Nov 23 04:57:48 imap-login: Info: Login: user=<alice>", LineFormat::bsd, "Nov 23 04:57:48", "",
       "imap-login", "", "Info: Login: user=<alice>"},
      {"Nov 23 05:00:16 pop3(alice@mail.test)<31180><fx88eOpgxM5/AAAB>: Info: Disconnected: Logged out",
       LineFormat::bsd, "Nov 23 05:00:16", "", "pop3(alice@mail.test)<31180><fx88eOpgxM5/AAAB>", "",
       "Info: Disconnected: Logged out"},
      {"2026-11-23 10:00:00 1abcDE-000123-Xy <= alice@example.com", LineFormat::exim, "2026-11-23 10:00:00", "",
       "exim", "", "1abcDE-000123-Xy <= alice@example.com"},
      {"2026-11-23 10:00:00.123 +0100 [4711] 1abcDE-000123-Xy Completed", LineFormat::exim,
       "2026-11-23 10:00:00.123 +0100", "", "exim", "4711", "1abcDE-000123-Xy Completed"},
      {"Nov 23 05:00:06 mx1 last message repeated 3 times", LineFormat::bsd, "Nov 23 05:00:06", "mx1", "", "",
       "last message repeated 3 times"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto l = parse_syslog(c.line);
    REQUIRE(l);
    CHECK(l->format == c.format);
    CHECK(l->time_text == c.time_text);
    CHECK(l->host == c.host);
    CHECK(l->program == c.program);
    CHECK(l->pid == c.pid);
    CHECK(l->message == c.message);
  }
}

TEST_CASE("malformed and truncated lines are refused or read without overrun", "[log][syslog]") {
  for (const char* bad : {"", "this line is not a syslog line at all", "Nov 23 10:53:0", "Foo 23 10:53:01 x y: z",
                          "Nov 33 10:53:01 x y: z", "2026-13-01T00:00:00Z h p: m", "<22>", "<22>1 garbage",
                          "2026-11-23", "Nov 23 25:00:00 h p: m"}) {
    INFO(bad);
    CHECK_FALSE(parse_syslog(bad));
  }
  // Every prefix of a good line parses or is refused, never crashes.
  const std::string good = "Nov 23 05:00:06 mx1 postfix/smtpd[31091]: 12BDBE6FEE9: client=unknown[127.0.0.1]";
  for (std::size_t n = 0; n <= good.size(); ++n) {
    const auto l = parse_syslog(std::string_view(good).substr(0, n));
    if (n < 15) CHECK_FALSE(l);
    else CHECK(l);
  }
}

TEST_CASE("timestamps become epoch seconds with the caller's year and zone", "[log][time]") {
  TimeContext ctx;
  ctx.now = days_from_civil(2026, 11, 23) * 86400 + 12 * 3600;  // 2026-11-23 12:00 UTC
  ctx.local_offset_min = 60;
  const auto bsd = parse_bsd_time("Nov 23 10:00:00");
  REQUIRE(bsd);
  CHECK(to_epoch(*bsd, ctx) == days_from_civil(2026, 11, 23) * 86400 + 9 * 3600);  // local 10:00 = 09:00 UTC
  // A December line read in early January belongs to the year before.
  TimeContext jan;
  jan.now = days_from_civil(2027, 1, 2) * 86400;
  const auto dec = parse_bsd_time("Dec 31 23:00:00");
  REQUIRE(dec);
  CHECK(to_epoch(*dec, jan) == days_from_civil(2026, 12, 31) * 86400 + 23 * 3600);
  const auto iso = parse_iso_time("2026-11-23T10:00:00.5-05:00");
  REQUIRE(iso);
  CHECK(iso->micros == 500000);
  CHECK(to_epoch(*iso, ctx) == days_from_civil(2026, 11, 23) * 86400 + 15 * 3600);
  const auto civil = civil_from_days(days_from_civil(2024, 2, 29));
  CHECK((civil.year == 2024 && civil.month == 2 && civil.day == 29));
  CHECK(format_time(days_from_civil(2026, 11, 23) * 86400 + 3661, 0) == "2026-11-23 01:01:01");
  CHECK(format_time(0, -90, true) == "1969-12-31 22:30:00 -01:30");
}

TEST_CASE("durations", "[log][time]") {
  CHECK(parse_duration("90") == 90);
  CHECK(parse_duration("90s") == 90);
  CHECK(parse_duration("15m") == 900);
  CHECK(parse_duration("1h30m") == 5400);
  CHECK(parse_duration("1d") == 86400);
  CHECK(parse_duration("2w") == 14 * 86400);
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("1h30"));
  CHECK_FALSE(parse_duration("h"));
  CHECK_FALSE(parse_duration("1y"));
  CHECK_FALSE(parse_duration("99999999999999999999"));
  CHECK(format_duration(45) == "45s");
  CHECK(format_duration(310) == "5m 10s");
  CHECK(format_duration(3 * 3600 + 120) == "3h 2m");
  CHECK(format_duration(2 * 86400 + 4 * 3600) == "2d 4h");
  const auto short_form = parse_iso_time("2026-11-23 10:00", nullptr, true);
  REQUIRE(short_form);
  CHECK(short_form->minute == 0);
  CHECK(parse_iso_time("2026-11-23", nullptr, true));
  CHECK_FALSE(parse_iso_time("2026-11-23 10:00"));
}
