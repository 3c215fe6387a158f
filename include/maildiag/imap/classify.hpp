#pragma once
/// IMAP status responses through the shared classifier's vocabulary (codes::Classification,
/// codes::Reason): OK/NO/BAD/BYE/PREAUTH plus the response codes of RFC 3501 and RFC 5530
/// ([AUTHENTICATIONFAILED], [UNAVAILABLE], [PRIVACYREQUIRED], [INUSE], [OVERQUOTA] ...).
/// Text without a code goes through codes::classify_text, like every other reply.

#include "maildiag/codes/classify.hpp"
#include "maildiag/imap/response.hpp"

#include <string_view>

namespace maildiag::imap {

struct CodeMeaning {
  std::string_view code;          ///< "AUTHENTICATIONFAILED"
  std::string_view meaning;       ///< what the RFC says
  bool failure;                   ///< decides the outcome (else purely informational)
  codes::Outcome outcome;         ///< for failure codes
  codes::Reason reason;           ///< for failure codes
  std::string_view remediation;
};
/// The meaning of a response code (case-insensitive); nullptr when unknown.
const CodeMeaning* lookup_code(std::string_view code);

/// Classifies a status response. `verb` is the command it completes (empty for the greeting
/// and untagged responses): a NO to LOGIN/AUTHENTICATE without a code is an auth failure.
codes::Classification classify(const Response& r, std::string_view verb = {});

}  // namespace maildiag::imap
