#pragma once
/// The verdict on one recipient, read from the classifier's explanation of the RCPT reply:
/// the categories an admin acts on (exists, does not exist, relay refused, greylisted...).
/// The mapping is data-light and pure so the summary table, the JSON and the exit code agree.

#include "maildiag/codes/classify.hpp"

#include <string_view>

namespace maildiag::smtp {

enum class RcptVerdict {
  accepted,           ///< 250/251
  user_unknown,       ///< no such mailbox (5.1.1, moved, disabled)
  relay_denied,       ///< the server will not relay to this domain for us
  greylisted,         ///< deliberate temporary deferral
  blocked,            ///< our IP/domain is blocked or listed, or lacks reverse DNS
  mailbox_full,       ///< over quota
  policy,             ///< refused by a local policy, sender checks, SPF/DMARC
  auth_required,      ///< the server wants AUTH (or TLS) first
  temporary_failure,  ///< any other 4xx
  rejected,           ///< any other 5xx
  not_tried,          ///< no RCPT reply (the session ended earlier)
};

std::string_view to_string(RcptVerdict v);   ///< kebab-case: "user-unknown"
std::string_view describe(RcptVerdict v);    ///< a few words for the table: "user unknown"
RcptVerdict rcpt_verdict(const codes::Classification& c);

}  // namespace maildiag::smtp
