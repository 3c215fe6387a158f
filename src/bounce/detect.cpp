// Is it a delivery report at all, or an automatic reply? Decided from the headers and the
// words of the notice, for messages without a machine-readable report part.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <array>
#include <cctype>

namespace maildiag::bounce::detail {

namespace {

/// Subjects of delivery reports in the languages seen in real mail (lower-case substrings).
constexpr std::array<std::string_view, 43> kBounceSubjects{
    "undeliver", "undelivered", "delivery fail", "delivery status notification", "failure notice",
    "returned mail", "mail delivery failed", "delivery failure", "delivery notification",
    "mail system error", "returned to sender", "could not be delivered", "non remis",
    "nondeliverable", "non-deliverable", "delivery problem", "message delivery has failed",
    "mail could not be delivered", "rejected:", "there was an error sending your mail",
    "delivery has failed", "failed delivery", "unzustellbar", "nicht zustellbar", "no entregado",
    "non recapitabile", "não entregue", "mail failure", "permanent error", "delivery report",
    "bounce", "系统退信", "退信", "未送达", "发送失败", "无法送达", "ﾒｰﾙ配信", "配信エラー", "不達",
    "エラー", "mail returned", "delivery error", "returning to sender"};

/// Words of a notice body that only delivery reports use (lower-case substrings).
constexpr std::array<std::string_view, 30> kBounceBody{
    "could not be delivered", "was not delivered", "wasn't able to deliver", "unable to deliver",
    "delivery to the following recipient", "did not reach the following recipient",
    "delivery has failed", "permanent error", "could not deliver", "delivery failed",
    "has been rejected", "was rejected", "not be delivered", "undeliverable", "delivery attempts",
    "returned to sender", "message not delivered", "failed permanently", "failed to deliver",
    "无法送达", "退信", "发送失败", "退回", "不存在", "送信できません", "配送できません", "届きませんでした",
    "error occurred while trying to deliver", "transcript of session follows", "failed addresses follow"};

bool any_of_in(std::string_view hay, const auto& needles) {
  for (std::string_view n : needles) {
    if (util::icontains(hay, n)) return true;
  }
  return false;
}

bool is_daemon_address(std::string_view from) {
  for (std::string_view d : {"mailer-daemon", "postmaster", "post_master", "mail delivery", "mail.delivery", "mailer daemon",
                             "mdaemon", "mail administrator", "mmsc", "no-reply@sns.amazonaws", "postmaster@"}) {
    if (util::icontains(from, d)) return true;
  }
  return false;
}

}  // namespace

/// A server's refusal quoted with the envelope it refused ("550 ... no such user" and "RCPT TO: a@b"
/// lines): the structure of a notice that reports a failed SMTP transaction.
bool quotes_failed_envelope(std::string_view text) {
  bool reply = false;
  bool rcpt = false;
  for (auto line : util::split_lines(text)) {
    auto t = util::trim(line);
    if (util::istarts_with(t, "RCPT TO:") || (util::istarts_with(t, "In:") && util::icontains(t, "RCPT TO:"))) rcpt = true;
    if (t.size() >= 4 && (t[0] == '4' || t[0] == '5') && std::isdigit(static_cast<unsigned char>(t[1])) != 0 &&
        std::isdigit(static_cast<unsigned char>(t[2])) != 0 && (t[3] == ' ' || t[3] == '-')) {
      reply = true;
    }
  }
  return reply && rcpt;
}

bool looks_like_bounce(const message::HeaderBlock& h, std::string_view subject, std::string_view text) {
  if (h.find("X-Failed-Recipients") != nullptr) return true;
  const auto from = h.get("From");
  const bool daemon = is_daemon_address(from);
  const auto rp = util::trim(h.get("Return-Path"));
  const bool null_sender = rp == "<>" || rp == "< >";
  const bool subj = any_of_in(subject, kBounceSubjects);
  const bool body = any_of_in(text.substr(0, 8192), kBounceBody) || quotes_failed_envelope(text.substr(0, 8192));
  int score = (daemon ? 2 : 0) + (null_sender ? 1 : 0) + (subj ? 2 : 0) + (body ? 2 : 0);
  if (util::icontains(h.get("Auto-Submitted"), "auto-replied") || util::icontains(h.get("Auto-Submitted"), "auto-generated")) {
    score += 1;
  }
  return score >= 3;
}

bool looks_like_auto_reply(const message::HeaderBlock& h, std::string_view subject) {
  const auto as = util::trim(h.get("Auto-Submitted"));
  if (util::istarts_with(as, "auto-replied")) return true;
  for (std::string_view name : {"X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder", "X-Vacation"}) {
    if (h.find(name) != nullptr) return true;
  }
  const auto prec = util::trim(h.get("Precedence"));
  if (util::iequals(prec, "auto_reply")) return true;
  const auto subj = util::trim(subject);
  for (std::string_view s : {"auto:", "automatic reply", "auto reply", "autoreply", "auto-reply", "out of office",
                             "out of the office", "away from", "away until", "on vacation", "vacation",
                             "abwesenheit", "absence", "自動応答", "自动回复", "réponse automatique", "respuesta automática",
                             "risposta automatica", "automatisch antwoord", "autosvar", "fuera de la oficina"}) {
    if (util::icontains(subj, s)) return true;
  }
  if (h.find("X-MS-Exchange-Inbox-Rules-Loop") != nullptr && util::icontains(h.get("X-Auto-Response-Suppress"), "all") &&
      util::istarts_with(subj, "automatic")) {
    return true;
  }
  return false;
}

}  // namespace maildiag::bounce::detail
