#pragma once
/// POP3 status lines (+OK / -ERR) and the extended response codes of RFC 2449 §8 and RFC 3206:
/// [IN-USE], [LOGIN-DELAY], [SYS/TEMP], [SYS/PERM], [AUTH]. Shared by pop3-test and the classifier.

#include "maildiag/codes/classify.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::codes {

struct Pop3Status {
  bool ok = false;                        ///< +OK
  std::optional<std::string> resp_code;   ///< "IN-USE", "SYS/TEMP", ... (without brackets)
  std::string text;                       ///< the rest of the line
};

/// Parses "+OK ..." / "-ERR [CODE] ..." (case-insensitive status word). nullopt for anything else.
std::optional<Pop3Status> parse_pop3_status(std::string_view line);

struct Pop3Meaning {
  std::string_view code;         ///< "IN-USE"
  std::string_view meaning;      ///< what the RFC says
  Outcome outcome;               ///< transient or permanent
  Reason reason;
  std::string_view remediation;
};
/// Meaning of an extended response code; hierarchical codes fall back to their parent
/// ("SYS/TEMP/FOO" -> "SYS/TEMP"); nullptr when unknown.
const Pop3Meaning* lookup_pop3_code(std::string_view code);

/// Full classification of a POP3 status line (outcome from +OK/-ERR and the response code,
/// reason from the code or the text).
Classification classify_pop3(const Pop3Status& status);

}  // namespace maildiag::codes
