#pragma once
/// The test message `smtp-test --data` sends: a unique Subject token and Message-ID (so the
/// message can be found again in a log or mailbox), Date, From, To, extra headers, a short body.
/// Pure: the time and the token are given by the caller (core code reads no clock).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::smtp {

struct TestMessageSpec {
  std::string from;
  std::vector<std::string> to;
  std::string token;                 ///< unique, e.g. "md-1a2b3c4d5e6f"
  std::string id_domain;             ///< right side of the Message-ID (our HELO name)
  std::int64_t unix_seconds = 0;     ///< the Date header
  std::vector<std::string> headers;  ///< extra "Name: value" lines (--header)
  std::string body;                  ///< empty: a short default text naming the token
};

/// RFC 5322 date in UTC: "Tue, 04 Mar 2025 10:11:12 +0000".
std::string rfc5322_date(std::int64_t unix_seconds);
/// The whole message with LF line ends (the DATA encoder makes them CRLF).
std::string compose_test_message(const TestMessageSpec& spec);
/// A header line is "Name: value" with a printable-ASCII name and no line break; false otherwise.
bool valid_header_line(std::string_view line);

}  // namespace maildiag::smtp
