#include "maildiag/codes/classify.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"
#include "folded.hpp"
#include "phrases.hpp"

#include <cctype>
#include <vector>

namespace maildiag::codes {

namespace {

Outcome outcome_of_class(int cls) {
  switch (cls) {
    case 2: return Outcome::success;
    case 3: return Outcome::intermediate;
    case 4: return Outcome::transient;
    case 5: return Outcome::permanent;
    default: return Outcome::unknown;
  }
}

bool is_domain_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

/// The phrase and provider tables, prepared once for FoldedText::contains (same order).
template <typename Rules, typename Phrase>
std::vector<detail::Needle> needles_of(Rules rules, Phrase phrase) {
  std::vector<detail::Needle> out;
  out.reserve(rules.size());
  for (const auto& r : rules) out.push_back(detail::make_needle(phrase(r)));
  return out;
}
const std::vector<detail::Needle>& phrase_needles() {
  static const auto n = needles_of(detail::phrase_rules(), [](const detail::PhraseRule& r) { return r.phrase; });
  return n;
}
const std::vector<detail::Needle>& provider_needles() {
  static const auto n = needles_of(detail::provider_rules(), [](const detail::ProviderRule& r) { return r.token; });
  return n;
}

std::optional<TextMatch> reason_from_folded(const detail::FoldedText& text) {
  const auto rules = detail::phrase_rules();
  const auto& needles = phrase_needles();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (text.contains(needles[i])) return TextMatch{rules[i].reason, rules[i].phrase};
  }
  return std::nullopt;
}

/// Remediation text for a classification: the reason's own, sharpened by what the text named.
std::string remediation_for(const Classification& c) {
  if (c.reason == Reason::blocked && c.blocklist) return i18n::format("classify.blocklist_fix", {*c.blocklist});
  std::string r(info(c.reason).remediation);
  if (c.outcome == Outcome::transient && c.reason != Reason::greylisted &&
      c.reason != Reason::delivered) {
    r += i18n::msg("classify.transient_retry");
  }
  return r;
}

}  // namespace

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::success: return "success";
    case Outcome::intermediate: return "intermediate";
    case Outcome::transient: return "transient";
    case Outcome::permanent: return "permanent";
    case Outcome::unknown: return "unknown";
  }
  return "unknown";
}

bool Classification::hard() const { return permanent() && info(reason).hard; }

std::optional<std::string> find_blocklist(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && !is_domain_char(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && is_domain_char(text[j])) ++j;
    std::string_view tok = text.substr(i, j - i);
    while (!tok.empty() && tok.back() == '.') tok.remove_suffix(1);
    for (auto zone : detail::blocklist_zones()) {
      if (tok.size() >= zone.size() && util::iequals(tok.substr(tok.size() - zone.size()), zone) &&
          (tok.size() == zone.size() || tok[tok.size() - zone.size() - 1] == '.')) {
        return util::to_lower(tok);
      }
    }
    i = j;
  }
  // "blocked using <zone>" names any list, known or not.
  if (auto p = util::ifind(text, "blocked using "); p != std::string_view::npos) {
    std::size_t i = p + 14;
    std::size_t j = i;
    while (j < text.size() && is_domain_char(text[j])) ++j;
    std::string_view tok = text.substr(i, j - i);
    while (!tok.empty() && tok.back() == '.') tok.remove_suffix(1);
    if (tok.find('.') != std::string_view::npos) return util::to_lower(tok);
  }
  return std::nullopt;
}

std::optional<TextMatch> reason_from_text(std::string_view text) {
  return reason_from_folded(detail::FoldedText(text));
}

std::optional<Reason> reason_from_enhanced(const EnhancedCode& e) {
  if (e.cls == 2) return Reason::delivered;
  switch (e.subject * 100 + e.detail) {
    case 101: case 104: return Reason::user_unknown;
    case 102: return Reason::host_unknown;
    case 103: return Reason::syntax_error;
    case 106: return Reason::has_moved;
    case 107: case 108: return Reason::sender_rejected;
    case 110: return Reason::not_accepting;
    case 201: return Reason::mailbox_disabled;
    case 202: return Reason::mailbox_full;
    case 203: return Reason::message_too_big;
    case 301: return Reason::system_full;
    case 302: case 305: return Reason::system_error;
    case 304: return Reason::message_too_big;
    case 401: case 402: case 406: return Reason::network_error;
    case 403: return Reason::system_error;
    case 404: return Reason::host_unknown;
    case 405: return Reason::too_many_connections;
    case 407: return Reason::expired;
    case 500: case 501: case 502: case 504: case 505: case 506: return Reason::syntax_error;
    case 503: return Reason::exceed_limit;
    case 706: case 707: case 709: case 704: case 705: case 703: return Reason::security_error;
    case 708: case 712: return Reason::auth_failed;
    case 710: case 711: case 730: return Reason::tls_required;
    case 713: return Reason::mailbox_disabled;
    case 714: return Reason::auth_required;
    case 717: return Reason::has_moved;
    case 718: return Reason::host_unknown;
    case 720: case 721: case 722: case 723: case 724: case 726: case 729: return Reason::sender_auth_failed;
    case 725: return Reason::require_ptr;
    case 727: return Reason::sender_rejected;
    case 728: return Reason::spam_detected;
    case 702: case 715: case 716: return Reason::policy_violation;
    default: break;
  }
  if (e.subject == 6) return Reason::content_rejected;
  return std::nullopt;  // x.0.0, x.7.1 and other vague codes: the text must decide
}

std::optional<Reason> reason_from_code(int code) {
  switch (code) {
    case 211: case 214: case 220: case 221: case 235: case 250: case 251: case 252:
    case 334: case 354: return Reason::delivered;
    case 421: return Reason::system_error;
    case 432: case 535: return Reason::auth_failed;
    case 451: return Reason::system_error;
    case 452: return Reason::system_full;
    case 454: case 534: return Reason::security_error;
    case 500: case 501: case 502: case 503: case 504: case 555: return Reason::syntax_error;
    case 521: case 556: return Reason::not_accepting;
    case 530: return Reason::auth_required;
    case 538: return Reason::tls_required;
    case 551: return Reason::has_moved;
    case 552: return Reason::message_too_big;
    default: return std::nullopt;  // 450, 550, 553, 554: the text must decide
  }
}

Classification classify_text(std::string_view text, std::optional<int> code,
                             std::optional<EnhancedCode> enhanced) {
  Classification c;
  // Codes given separately win; otherwise take them from the text.
  if (!code) {
    const auto t = util::trim(text);
    if (t.size() >= 3 && std::isdigit(static_cast<unsigned char>(t[0])) != 0 &&
        std::isdigit(static_cast<unsigned char>(t[1])) != 0 &&
        std::isdigit(static_cast<unsigned char>(t[2])) != 0 &&
        (t.size() == 3 || t[3] == ' ' || t[3] == '-')) {
      const int v = (t[0] - '0') * 100 + (t[1] - '0') * 10 + (t[2] - '0');
      if (is_valid_code(v)) code = v;
    }
  }
  if (!enhanced) enhanced = find_enhanced(text);
  c.code = code;
  c.enhanced = enhanced;

  if (code) {
    c.outcome = outcome_of_class(*code / 100);
    c.code_meaning = std::string(code_meaning(*code));
    if (!is_standard_code(*code))
      c.notes.push_back(i18n::format("classify.note.nonstandard_code", {std::to_string(*code)}));
  }
  if (enhanced) {
    if (!code) c.outcome = outcome_of_class(enhanced->cls);
    c.enhanced_subject = std::string(
        i18n::msg_or("subject." + std::to_string(enhanced->subject), subject_title(enhanced->subject)));
    if (const auto* e = lookup_enhanced(enhanced->subject, enhanced->detail)) {
      c.enhanced_meaning = std::string(i18n::msg_or(
          "enhanced." + std::to_string(enhanced->subject) + "." + std::to_string(enhanced->detail), e->title));
    } else {
      c.enhanced_meaning = c.enhanced_subject.empty()
                               ? std::string(i18n::msg("classify.unregistered_code"))
                               : i18n::format("classify.unregistered_detail", {c.enhanced_subject});
      c.notes.push_back(i18n::format("classify.note.unregistered", {enhanced->str(), c.enhanced_subject}));
    }
    if (code && *code / 100 != enhanced->cls && *code / 100 != 3) {
      c.notes.push_back(i18n::format("classify.note.inconsistent",
                                     {std::to_string(*code), std::to_string(*code / 100), enhanced->str(),
                                      std::to_string(enhanced->cls)}));
    }
  }

  c.blocklist = find_blocklist(text);
  const detail::FoldedText folded(text);
  const auto providers = detail::provider_rules();
  const auto& needles = provider_needles();
  for (std::size_t i = 0; i < providers.size(); ++i) {
    const auto& p = providers[i];
    if (folded.contains(needles[i])) {
      c.provider = std::string(p.provider);
      c.provider_meaning = std::string(p.token) + ": " + std::string(p.meaning);
      c.reason = p.reason;
      c.reason_evidence = std::string(p.token);
      break;
    }
  }

  if (!c.provider) {
    const bool success = c.outcome == Outcome::success || c.outcome == Outcome::intermediate;
    if (success) {
      c.reason = Reason::delivered;
    } else if (auto m = reason_from_folded(folded)) {
      c.reason = m->reason;
      c.reason_evidence = std::string(m->phrase);
    } else if (auto r = enhanced ? reason_from_enhanced(*enhanced) : std::nullopt) {
      c.reason = *r;
      c.reason_evidence = enhanced->str();
    } else if (auto r2 = code ? reason_from_code(*code) : std::nullopt) {
      c.reason = *r2;
      c.reason_evidence = std::to_string(*code);
    } else if (enhanced && enhanced->subject == 7) {
      c.reason = Reason::policy_violation;
      c.reason_evidence = enhanced->str();
    }
  }
  if (c.blocklist && c.reason == Reason::policy_violation) c.reason = Reason::blocked;
  // A bare "content rejected" is a content filter's verdict under a policy status (X.7.x: Barracuda's
  // "550 5.7.1 Message content rejected, UBE"), and about the format under a media status (X.6.x:
  // SES's "500 5.6.1 Message content rejected") or none.
  if (c.reason == Reason::content_rejected && enhanced && enhanced->subject == 7 &&
      (c.reason_evidence == "content rejected" || c.reason_evidence == "content denied"))
    c.reason = Reason::spam_detected;
  if (c.outcome == Outcome::permanent && c.reason == Reason::greylisted)
    c.notes.push_back(std::string(i18n::msg("classify.note.permanent_greylist")));
  c.remediation = remediation_for(c);
  return c;
}

Classification classify(const Reply& reply) {
  return classify_text(reply.text(), reply.code == 0 ? std::nullopt : std::optional<int>(reply.code),
                       reply.enhanced);
}

}  // namespace maildiag::codes
