#pragma once
/// The reason taxonomy: one set of names for why mail failed (or was deferred), shared by
/// explain, smtp-test, bounce, diagnose and log. Documented in docs/reasons.md.

#include <optional>
#include <vector>
#include <string_view>

namespace maildiag::codes {

enum class Reason {
  delivered,          ///< accepted / delivered (2xx)
  user_unknown,       ///< the mailbox does not exist (5.1.1)
  mailbox_full,       ///< over quota (5.2.2 / 4.2.2)
  mailbox_disabled,   ///< exists but suspended / inactive (5.2.1)
  has_moved,          ///< mailbox moved, no forwarding (5.1.6)
  message_too_big,    ///< size limit (552, 5.3.4, 5.2.3)
  exceed_limit,       ///< per-message limits other than size: too many recipients (5.5.3)
  host_unknown,       ///< the domain or host does not exist / has no MX (5.1.2, 5.4.4)
  not_accepting,      ///< the domain accepts no mail: null MX, 521/556 (5.1.10, 5.7.27)
  network_error,      ///< connection failed, timed out, routing loop (4.4.x)
  too_many_connections, ///< the server refuses further connections from us (421 too many)
  rate_limited,       ///< sending too fast, frequency limits (4.7.x "rate", 450 throttled)
  greylisted,         ///< deliberate temporary deferral; the sender retries
  blocked,            ///< our IP or domain is blocked / on a DNS blocklist
  bad_reputation,     ///< rejected for low sender reputation (not a specific list)
  require_ptr,        ///< rejected because our IP lacks (matching) reverse DNS
  sender_auth_failed, ///< SPF / DKIM / DMARC failed for the sender's domain (5.7.23-26)
  spam_detected,      ///< content judged as spam
  virus_detected,     ///< content carries malware
  content_rejected,   ///< content / header / MIME refused (not spam-specific)
  policy_violation,   ///< rejected by a local policy (5.7.1 without more detail)
  sender_rejected,    ///< the envelope sender was refused (5.1.7, 5.1.8)
  relay_denied,       ///< the server will not relay for us (5.7.1 relay access denied)
  auth_required,      ///< authentication required (530 5.7.0)
  auth_failed,        ///< credentials refused (535 5.7.8)
  tls_required,       ///< encryption required (530 Must issue STARTTLS, 5.7.10/5.7.11)
  security_error,     ///< other security failure: cert, crypto, weak mechanism
  syntax_error,       ///< command or address syntax (500-504, 5.5.x, 5.1.3)
  not_compliant,      ///< message not RFC compliant (missing headers, bad Message-ID)
  system_full,        ///< the receiving system is out of storage (452, 4.3.1)
  system_error,       ///< server-side failure (451, 4.3.0, 5.3.5)
  mailer_error,       ///< a local delivery program failed (pipe, procmail)
  expired,            ///< gave up after the retry period (4.4.7)
  on_hold,            ///< deferred by the sender's side (queue on hold)
  suppressed,         ///< the provider refused to send: the address is on a suppression list
  filtered,           ///< the recipient refuses mail from this sender (personal filter)
  vacation,           ///< an auto-reply, not a failure
  feedback,           ///< an abuse/feedback report (ARF), not a failure
  other,              ///< a failure we could not put in any class above
};

struct ReasonInfo {
  Reason reason;
  std::string_view name;         ///< kebab-case stable name used in JSON: "user-unknown"
  std::string_view description;  ///< one line, in the catalog's current language
  std::string_view remediation;  ///< what an experienced admin would do next (current language)
  bool hard;                     ///< a hard bounce when permanent (retrying will not help)
};

/// Name, hardness, and the description and remediation from the message catalog (i18n).
ReasonInfo info(Reason r);
std::string_view to_string(Reason r);
std::optional<Reason> reason_from_string(std::string_view name);
std::vector<ReasonInfo> all_reasons();

}  // namespace maildiag::codes
