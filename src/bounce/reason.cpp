// The reason of one recipient. The shared classifier reads the diagnostic text and codes
// (provider code, server phrase, enhanced code, reply code — docs/reasons.md); the bounce then
// adds what only a delivery report knows: which SMTP command failed, the Action field, the
// notice's own words when the recipient's text says nothing. The rules, in order:
//  1. a "no such user" phrase said after DATA (or with the mailbox-status code x.2.0) is the
//     recipient side filtering this message (filtered), unless an x.1.1 code says otherwise;
//     said at MAIL FROM it is the sender that was refused;
//  2. at MAIL FROM, refusals that name no other cause are sender-rejected; at connect/HELO,
//     blocked;
//  3. "no answer from host" (x.4.1), "delivery time expired" (x.4.7), Action: expired, or the
//     sending server's own give-up line in a failure report means the retry period expired
//     (expired) when what failed on the way was the network, the system or nothing named;
//  4. a delay notice or a report without any cause is expired / other.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>
#include <cctype>

namespace maildiag::bounce::detail {

namespace {

using codes::Reason;

bool status_is(const std::optional<codes::EnhancedCode>& s, int subject, int detail) {
  return s && s->subject == subject && s->detail == detail;
}

/// "553 neko.example.com does not exist": what does not exist is a domain, not a mailbox.
bool domain_does_not_exist(std::string_view diag) {
  const auto p = util::ifind(diag, " does not exist");
  if (p == std::string_view::npos) return false;
  auto before = diag.substr(0, p);
  const auto sp = before.find_last_of(" <(\"'");
  const auto word = sp == std::string_view::npos ? before : before.substr(sp + 1);
  return word.find('.') != std::string_view::npos && word.find('@') == std::string_view::npos &&
         std::isalpha(static_cast<unsigned char>(word.back())) != 0;
}

/// Rule 1: where the server said the mailbox does not exist.
Reason user_unknown_by_command(const Recipient& r) {
  if (r.status && r.status->subject == 1 && (r.status->detail == 1 || r.status->detail == 3 || r.status->detail == 10)) {
    return Reason::user_unknown;
  }
  if (r.command == "RCPT") return Reason::user_unknown;
  if (r.command == "DATA") return Reason::filtered;
  if (r.command == "MAIL") return Reason::sender_rejected;
  if (r.command == "EHLO" || r.command == "HELO" || r.command == "CONN") return Reason::blocked;
  // "Other mailbox status" (x.2.0) with a no-such-user text: the mailbox refuses this mail.
  if (r.status && r.status->subject == 2 && r.status->detail == 0) return Reason::filtered;
  return Reason::user_unknown;
}

/// Rule 2: refusals at MAIL FROM or at connect/HELO that name no more specific cause. A reply that
/// says it is about policy ("rejected for policy reasons") names its cause; "denied" does not.
Reason by_command(Reason r, std::string_view command, std::string_view evidence) {
  const bool vague = r == Reason::other || (r == Reason::policy_violation && evidence != "policy") ||
                     r == Reason::syntax_error || r == Reason::system_error || r == Reason::host_unknown ||
                     (r == Reason::blocked && (evidence == "access denied" || evidence == "denied"));
  if (command == "MAIL" && vague) return Reason::sender_rejected;
  if ((command == "EHLO" || command == "HELO" || command == "CONN") &&
      (r == Reason::other || r == Reason::policy_violation || r == Reason::syntax_error || r == Reason::system_error)) {
    return Reason::blocked;
  }
  return r;
}

/// "Delivery failed 20 attempts", "failed after 5 attempts": the sender's server gave up retrying.
bool retries_exhausted(std::string_view diag) {
  for (auto p = util::ifind(diag, " attempts"); p != std::string_view::npos; p = util::ifind(diag, " attempts", p + 1)) {
    std::size_t i = p;
    while (i > 0 && std::isdigit(static_cast<unsigned char>(diag[i - 1])) != 0) --i;
    if (i < p && i > 0 && diag[i - 1] == ' ' && util::icontains(diag.substr(0, i), "failed")) return true;
  }
  return false;
}

/// The sending server's own give-up line (qmail: "I'm not going to try again; this message has
/// been in the queue too long.", sendmail: "Message could not be delivered for 5 days" and its
/// subject "Returned mail: Cannot send message for 5 days").
bool says_gave_up(std::string_view text) {
  for (std::string_view p : {"in the queue too long", "too long in queue", "could not be delivered for",
                             "cannot send message for"}) {
    if (util::icontains(text, p)) return true;
  }
  return false;
}

/// Rule 3: the sending server gave up.
bool gave_up(const Recipient& r, Kind kind) {
  if (r.action == "expired") return true;
  if (kind != Kind::failure || r.action == "delayed") return false;
  return says_gave_up(r.diagnostic) || status_is(r.status, 4, 1) || status_is(r.status, 4, 7);
}

}  // namespace

NoticeContext::NoticeContext(std::string_view text, std::string_view subject, std::size_t recipients)
    : head_(text.substr(0, std::min<std::size_t>(text.size(), 8192))), subject_(subject), recipients_(recipients) {}

bool NoticeContext::gave_up() {
  if (!gave_up_) gave_up_ = says_gave_up(subject_) || says_gave_up(head_);
  return *gave_up_;
}

const std::string& NoticeContext::command() {
  if (!command_) {
    const auto f = command_facts(head_);
    command_ = f.several_commands ? std::string() : f.command;
  }
  return *command_;
}

const codes::Classification& NoticeContext::classification() {
  if (!classification_) classification_ = codes::classify_text(head_);
  return *classification_;
}

void finish_recipient(Recipient& r, Kind kind, NoticeContext& notice) {
  if (r.command.empty()) r.command = notice.command();
  auto c = codes::classify_text(r.diagnostic, r.reply_code, r.status);
  // A local delivery program failed (Diagnostic-Code: X-Unix; 75): no SMTP server was involved.
  if (util::istarts_with(r.diagnostic_type, "x-unix") &&
      (c.reason == Reason::other || c.reason_evidence.empty() || c.reason == Reason::syntax_error ||
       c.reason == Reason::delivered || c.reason == Reason::system_error)) {
    c.reason = Reason::mailer_error;
    c.reason_evidence = "Diagnostic-Code: X-Unix";
    if (c.outcome == codes::Outcome::success) c.outcome = codes::Outcome::permanent;
  }
  const bool said_codes = r.reply_code || (r.status && r.status->subject != 0);
  if (c.reason == Reason::other && c.reason_evidence.empty() && !said_codes && notice.single()) {
    // The recipient's own lines say nothing: the notice's words (Domino, Biglobe, Google Groups...),
    // when they are about this recipient alone.
    const auto& nc = notice.classification();
    if (nc.provider || !nc.reason_evidence.empty()) {
      c.reason = nc.reason;
      c.reason_evidence = nc.reason_evidence;
      if (nc.provider) {
        c.provider = nc.provider;
        c.provider_meaning = nc.provider_meaning;
      }
    }
  }
  const bool delayed = r.action == "delayed" || kind == Kind::delay;
  if (c.outcome == codes::Outcome::unknown) {
    if (kind == Kind::failure) c.outcome = codes::Outcome::permanent;
    if (delayed) c.outcome = codes::Outcome::transient;
  }
  Reason reason = c.reason;
  if (reason == Reason::user_unknown && !c.provider && c.reason_evidence == "does not exist" &&
      domain_does_not_exist(r.diagnostic)) {
    reason = r.command == "MAIL" ? Reason::sender_rejected : Reason::host_unknown;
  }
  if (reason == Reason::user_unknown && !c.provider) reason = user_unknown_by_command(r);
  if (!c.provider) reason = by_command(reason, r.command, c.reason_evidence);
  const bool expirable = reason == Reason::network_error || reason == Reason::other ||
                         reason == Reason::system_error || reason == Reason::host_unknown;
  if (expirable && (gave_up(r, kind) || (kind == Kind::failure && r.action != "delayed" && notice.gave_up()))) {
    reason = Reason::expired;
  }
  if (reason == Reason::other && (delayed || r.action == "expired" || retries_exhausted(r.diagnostic))) {
    reason = Reason::expired;
  }
  if (kind == Kind::delivered || r.action == "delivered" || r.action == "relayed" || r.action == "expanded") {
    reason = Reason::delivered;
  }
  if (reason != c.reason) {
    c.reason_evidence += (c.reason_evidence.empty() ? "" : "; ") +
                         (r.command.empty() ? std::string("the report's context") : "failed at " + r.command);
    c.reason = reason;
    c.remediation = std::string(codes::info(reason).remediation);
  }
  r.temporary = delayed || (r.action.empty() && c.outcome == codes::Outcome::transient);
  r.reason = c.reason;
  r.hard = !r.temporary && c.reason != Reason::delivered && codes::info(c.reason).hard;
  r.classification = std::move(c);
}

}  // namespace maildiag::bounce::detail
