// The reason of one recipient: the shared classifier reads the diagnostic text and codes; the
// bounce adds what only a report knows — which SMTP command failed, the Action field, the
// notice's own words when the recipient's text says nothing.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::bounce::detail {

namespace {

using codes::Reason;

/// A rejection of the recipient after DATA is the recipient side filtering the message, not a
/// missing mailbox (the mailbox was accepted at RCPT).
Reason by_command(Reason r, std::string_view command) {
  if (command == "DATA" && (r == Reason::user_unknown || r == Reason::mailbox_disabled)) return Reason::filtered;
  if (command == "MAIL" && (r == Reason::other || r == Reason::policy_violation || r == Reason::user_unknown ||
                            r == Reason::syntax_error)) {
    return Reason::sender_rejected;
  }
  if ((command == "EHLO" || command == "HELO" || command == "CONN") && (r == Reason::other || r == Reason::policy_violation)) {
    return Reason::blocked;
  }
  return r;
}

}  // namespace

void finish_recipient(Recipient& r, Kind kind, std::string_view notice_text) {
  auto c = codes::classify_text(r.diagnostic, r.reply_code, r.status);
  if (c.reason == Reason::other && c.reason_evidence.empty() && !notice_text.empty()) {
    if (auto m = codes::reason_from_text(notice_text)) {
      c.reason = m->reason;
      c.reason_evidence = std::string(m->phrase);
    }
  }
  const bool delayed = r.action == "delayed" || kind == Kind::delay;
  if (c.outcome == codes::Outcome::unknown) {
    if (kind == Kind::failure) c.outcome = codes::Outcome::permanent;
    if (delayed) c.outcome = codes::Outcome::transient;
  }
  Reason reason = by_command(c.reason, r.command);
  if (reason == Reason::other && (delayed || r.action == "expired")) reason = Reason::expired;
  if (kind == Kind::delivered || r.action == "delivered" || r.action == "relayed" || r.action == "expanded") {
    reason = Reason::delivered;
  }
  if (reason != c.reason) {
    c.reason_evidence = c.reason_evidence.empty() ? "SMTP command " + r.command : c.reason_evidence;
    c.reason = reason;
    c.remediation = std::string(codes::info(reason).remediation);
  }
  r.temporary = delayed || (r.action.empty() && c.outcome == codes::Outcome::transient);
  r.reason = c.reason;
  r.hard = !r.temporary && c.reason != Reason::delivered && codes::info(c.reason).hard;
  r.classification = std::move(c);
}

}  // namespace maildiag::bounce::detail
