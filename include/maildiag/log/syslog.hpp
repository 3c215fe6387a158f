#pragma once
/// Splits one log line into time, host, program, pid and message. Knows the line formats mail
/// servers are logged in: traditional syslog ("Nov 23 05:00:06 mx1 postfix/smtpd[123]: ..."),
/// rsyslog/journal ISO timestamps ("2026-11-23T10:00:00.123456+00:00 mx1 postfix/smtpd[123]: ..."),
/// RFC 5424 ("<22>1 2026-11-23T10:00:00Z mx1 postfix/smtpd 123 - - ..."), Postfix's own
/// maillog_file (traditional layout), Dovecot's own log_path ("Nov 23 04:57:48 imap-login: Info: ...",
/// no host) and Exim's mainlog ("2026-11-23 10:00:00 1abcDE-000123-Xy <= ...", no host, no program).
/// Pure; every view points into the caller's line.

#include "maildiag/log/time.hpp"

#include <optional>
#include <string_view>

namespace maildiag::log {

enum class LineFormat { bsd, iso, rfc5424, exim };

struct SyslogLine {
  LineFormat format = LineFormat::bsd;
  Timestamp time;
  std::string_view time_text;  ///< the timestamp as written
  std::string_view host;       ///< empty when the format has none
  std::string_view program;    ///< "postfix/smtpd", "postfix-testbed/submission/smtpd", "imap-login", "exim"
  std::string_view pid;        ///< digits, or empty
  std::string_view message;    ///< after "program[pid]: "
};

/// Parses one line (without its newline). nullopt when the line has no recognisable timestamp.
std::optional<SyslogLine> parse_syslog(std::string_view line);

}  // namespace maildiag::log
