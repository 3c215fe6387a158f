#include "maildiag/smtp/rcpt_verdict.hpp"

#include <array>

namespace maildiag::smtp {

namespace {

struct VerdictName {
  RcptVerdict v;
  std::string_view id;
  std::string_view words;
};

constexpr std::array<VerdictName, 11> kNames{{
    {RcptVerdict::accepted, "accepted", "accepted"},
    {RcptVerdict::user_unknown, "user-unknown", "user unknown"},
    {RcptVerdict::relay_denied, "relay-denied", "relay denied"},
    {RcptVerdict::greylisted, "greylisted", "greylisted"},
    {RcptVerdict::blocked, "blocked", "blocked / blocklisted"},
    {RcptVerdict::mailbox_full, "mailbox-full", "mailbox full"},
    {RcptVerdict::policy, "policy", "refused by policy"},
    {RcptVerdict::auth_required, "auth-required", "authentication or TLS required"},
    {RcptVerdict::temporary_failure, "temporary-failure", "temporary failure"},
    {RcptVerdict::rejected, "rejected", "rejected"},
    {RcptVerdict::not_tried, "not-tried", "not tried"},
}};

const VerdictName& entry(RcptVerdict v) {
  for (const auto& n : kNames) {
    if (n.v == v) return n;
  }
  return kNames.back();
}

}  // namespace

std::string_view to_string(RcptVerdict v) { return entry(v).id; }
std::string_view describe(RcptVerdict v) { return entry(v).words; }

RcptVerdict rcpt_verdict(const codes::Classification& c) {
  using codes::Reason;
  if (c.outcome == codes::Outcome::success || c.outcome == codes::Outcome::intermediate) return RcptVerdict::accepted;
  switch (c.reason) {
    case Reason::user_unknown:
    case Reason::has_moved:
    case Reason::mailbox_disabled:
      return RcptVerdict::user_unknown;
    case Reason::relay_denied:
      return RcptVerdict::relay_denied;
    case Reason::greylisted:
      return RcptVerdict::greylisted;
    case Reason::blocked:
    case Reason::bad_reputation:
    case Reason::require_ptr:
      return RcptVerdict::blocked;
    case Reason::mailbox_full:
      return RcptVerdict::mailbox_full;
    case Reason::policy_violation:
    case Reason::sender_auth_failed:
    case Reason::sender_rejected:
    case Reason::filtered:
    case Reason::spam_detected:
    case Reason::content_rejected:
      return RcptVerdict::policy;
    case Reason::auth_required:
    case Reason::tls_required:
      return RcptVerdict::auth_required;
    default:
      break;
  }
  return c.outcome == codes::Outcome::transient ? RcptVerdict::temporary_failure : RcptVerdict::rejected;
}

}  // namespace maildiag::smtp
