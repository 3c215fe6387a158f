#include "maildiag/smtp/test_message.hpp"

#include "maildiag/smtp/command.hpp"
#include "maildiag/util/text.hpp"
#include "maildiag/version.hpp"

#include <array>
#include <cstdio>

namespace maildiag::smtp {

namespace {

/// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm).
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  for (const auto& h : headers) {
    const auto colon = h.find(':');
    if (colon != std::string::npos && util::iequals(util::trim(std::string_view(h).substr(0, colon)), name))
      return true;
  }
  return false;
}

}  // namespace

std::string rfc5322_date(std::int64_t t) {
  static constexpr std::array<const char*, 7> kDays{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  const auto wd = static_cast<std::size_t>(((days % 7) + 7) % 7);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd], d, kMonths[m - 1], y,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

bool valid_header_line(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (b <= 32 || b >= 127) return false;
  }
  return line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string compose_test_message(const TestMessageSpec& s) {
  std::string m;
  auto header = [&](std::string_view name, const std::string& value) {
    if (!has_header(s.headers, name)) m += std::string(name) + ": " + value + "\n";
  };
  header("Date", rfc5322_date(s.unix_seconds));
  header("From", "<" + s.from + ">");
  std::string to;
  for (const auto& r : s.to) to += (to.empty() ? "<" : ", <") + r + ">";
  header("To", to.empty() ? std::string("undisclosed-recipients:;") : to);
  header("Subject", "maildiag test " + s.token);
  header("Message-ID", "<" + s.token + "@" + (s.id_domain.empty() ? std::string("maildiag.invalid") : s.id_domain) + ">");
  header("MIME-Version", "1.0");
  const bool utf8 = needs_smtputf8(s.body) || needs_smtputf8(to) || needs_smtputf8(s.from);
  header("Content-Type", utf8 ? "text/plain; charset=utf-8" : "text/plain; charset=us-ascii");
  header("Content-Transfer-Encoding", utf8 ? "8bit" : "7bit");
  header("X-Mailer", std::string("maildiag ") + kVersion);
  for (const auto& h : s.headers) m += h + "\n";
  m += "\n";
  if (s.body.empty()) {
    m += "This is a test message sent by maildiag smtp-test.\n"
         "Token: " + s.token + "\n"
         "Search the mail log or the mailbox for this token to follow the message.\n";
  } else {
    m += s.body;
    if (m.back() != '\n') m += '\n';
  }
  return m;
}

}  // namespace maildiag::smtp
