#include "maildiag/codes/reason.hpp"

#include "maildiag/i18n/catalog.hpp"

#include <array>
#include <string>

namespace maildiag::codes {

namespace {

struct ReasonRow {
  Reason reason;
  std::string_view name;
  bool hard;
};

// The taxonomy, in enum order. Sentences live in the message catalog under
// "reason.<name>" (description) and "reason.<name>.fix" (remediation).
constexpr std::array<ReasonRow, 39> kReasons{{
    {Reason::delivered, "delivered", false},
    {Reason::user_unknown, "user-unknown", true},
    {Reason::mailbox_full, "mailbox-full", false},
    {Reason::mailbox_disabled, "mailbox-disabled", true},
    {Reason::has_moved, "has-moved", true},
    {Reason::message_too_big, "message-too-big", true},
    {Reason::exceed_limit, "exceed-limit", true},
    {Reason::host_unknown, "host-unknown", true},
    {Reason::not_accepting, "not-accepting", true},
    {Reason::network_error, "network-error", false},
    {Reason::too_many_connections, "too-many-connections", false},
    {Reason::rate_limited, "rate-limited", false},
    {Reason::greylisted, "greylisted", false},
    {Reason::blocked, "blocked", false},
    {Reason::bad_reputation, "bad-reputation", false},
    {Reason::require_ptr, "require-ptr", false},
    {Reason::sender_auth_failed, "sender-auth-failed", false},
    {Reason::spam_detected, "spam-detected", false},
    {Reason::virus_detected, "virus-detected", false},
    {Reason::content_rejected, "content-rejected", false},
    {Reason::policy_violation, "policy-violation", false},
    {Reason::sender_rejected, "sender-rejected", false},
    {Reason::relay_denied, "relay-denied", true},
    {Reason::auth_required, "auth-required", false},
    {Reason::auth_failed, "auth-failed", false},
    {Reason::tls_required, "tls-required", false},
    {Reason::security_error, "security-error", false},
    {Reason::syntax_error, "syntax-error", true},
    {Reason::not_compliant, "not-compliant", true},
    {Reason::system_full, "system-full", false},
    {Reason::system_error, "system-error", false},
    {Reason::mailer_error, "mailer-error", false},
    {Reason::expired, "expired", false},
    {Reason::on_hold, "on-hold", false},
    {Reason::suppressed, "suppressed", true},
    {Reason::filtered, "filtered", false},
    {Reason::vacation, "vacation", false},
    {Reason::feedback, "feedback", false},
    {Reason::other, "other", false},
}};

ReasonInfo make(const ReasonRow& row) {
  const std::string id = "reason." + std::string(row.name);
  return ReasonInfo{row.reason, row.name, i18n::msg(id), i18n::msg(id + ".fix"), row.hard};
}

}  // namespace

ReasonInfo info(Reason r) { return make(kReasons.at(static_cast<std::size_t>(r))); }
std::string_view to_string(Reason r) { return kReasons.at(static_cast<std::size_t>(r)).name; }

std::optional<Reason> reason_from_string(std::string_view name) {
  for (const auto& e : kReasons) {
    if (e.name == name) return e.reason;
  }
  return std::nullopt;
}

std::vector<ReasonInfo> all_reasons() {
  std::vector<ReasonInfo> out;
  for (const auto& e : kReasons) out.push_back(make(e));
  return out;
}

}  // namespace maildiag::codes
