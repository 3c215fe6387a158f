#include "maildiag/imap/classify.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::imap {

namespace {

using codes::Outcome;
using codes::Reason;

// RFC 5530 (response codes), RFC 3501 §7.1 / RFC 9051 §7.1 (the base set). Informational codes
// leave the outcome to OK/NO/BAD. Meanings and remediations come from the message catalog
// ("imap.code.<code>", "imap.code.<code>.fix"; a fix exactly for the failure codes).
struct CodeRow {
  std::string_view code;
  bool failure;
  Outcome outcome;
  Reason reason;
};
constexpr std::array<CodeRow, 30> kCodes{{
    {"AUTHENTICATIONFAILED", true, Outcome::permanent, Reason::auth_failed},
    {"AUTHORIZATIONFAILED", true, Outcome::permanent, Reason::auth_failed},
    {"EXPIRED", true, Outcome::permanent, Reason::auth_failed},
    {"PRIVACYREQUIRED", true, Outcome::permanent, Reason::tls_required},
    {"CONTACTADMIN", true, Outcome::permanent, Reason::mailbox_disabled},
    {"NOPERM", true, Outcome::permanent, Reason::policy_violation},
    {"INUSE", true, Outcome::transient, Reason::system_error},
    {"EXPUNGEISSUED", false, Outcome::unknown, Reason::other},
    {"CORRUPTION", true, Outcome::permanent, Reason::system_error},
    {"SERVERBUG", true, Outcome::permanent, Reason::system_error},
    {"CLIENTBUG", false, Outcome::unknown, Reason::syntax_error},
    {"CANNOT", true, Outcome::permanent, Reason::other},
    {"LIMIT", true, Outcome::permanent, Reason::exceed_limit},
    {"OVERQUOTA", true, Outcome::permanent, Reason::mailbox_full},
    {"ALREADYEXISTS", true, Outcome::permanent, Reason::other},
    {"NONEXISTENT", true, Outcome::permanent, Reason::other},
    {"UNAVAILABLE", true, Outcome::transient, Reason::system_error},
    {"TRYCREATE", true, Outcome::permanent, Reason::other},
    {"ALERT", false, Outcome::unknown, Reason::other},
    {"PARSE", false, Outcome::unknown, Reason::not_compliant},
    {"BADCHARSET", true, Outcome::permanent, Reason::syntax_error},
    {"CAPABILITY", false, Outcome::unknown, Reason::other},
    {"PERMANENTFLAGS", false, Outcome::unknown, Reason::other},
    {"READ-ONLY", false, Outcome::unknown, Reason::other},
    {"READ-WRITE", false, Outcome::unknown, Reason::other},
    {"UIDNEXT", false, Outcome::unknown, Reason::other},
    {"UIDVALIDITY", false, Outcome::unknown, Reason::other},
    {"UNSEEN", false, Outcome::unknown, Reason::other},
    {"CLOSED", false, Outcome::unknown, Reason::other},
    {"HASCHILDREN", true, Outcome::permanent, Reason::other},
}};

/// The table in the current language; one instance per language so pointers stay valid.
const std::array<CodeMeaning, kCodes.size()>& meanings() {
  static std::array<std::array<CodeMeaning, kCodes.size()>, 2> tables;
  static std::array<bool, 2> built{};
  const auto lang = static_cast<std::size_t>(i18n::language());
  if (!built.at(lang)) {
    for (std::size_t i = 0; i < kCodes.size(); ++i) {
      const auto& row = kCodes.at(i);
      const std::string id = "imap.code." + util::to_lower(row.code);
      tables.at(lang).at(i) = CodeMeaning{row.code, i18n::msg(id), row.failure, row.outcome, row.reason,
                                          row.failure ? i18n::msg(id + ".fix") : std::string_view()};
    }
    built.at(lang) = true;
  }
  return tables.at(lang);
}

codes::Classification success(std::string_view meaning_id) {
  codes::Classification c;
  c.outcome = Outcome::success;
  c.reason = Reason::delivered;
  c.code_meaning = std::string(i18n::msg(meaning_id));
  return c;
}

bool auth_verb(std::string_view verb) { return util::iequals(verb, "LOGIN") || util::iequals(verb, "AUTHENTICATE"); }

}  // namespace

const CodeMeaning* lookup_code(std::string_view code) {
  for (const auto& m : meanings()) {
    if (util::iequals(m.code, code)) return &m;
  }
  return nullptr;
}

codes::Classification classify(const Response& r, std::string_view verb) {
  const std::string status(to_string(r.status));
  if (r.status == Status::ok) return success("imap.status.ok");
  if (r.status == Status::preauth) return success("imap.status.preauth");
  const CodeMeaning* m = r.code ? lookup_code(r.code->name) : nullptr;
  if (m != nullptr && m->failure) {
    codes::Classification c;
    c.outcome = m->outcome;
    c.reason = m->reason;
    c.code_meaning = i18n::format("imap.classify.with-code", {status, r.code->name, std::string(m->meaning)});
    c.reason_evidence = "[" + r.code->name + "]";
    c.remediation = std::string(m->remediation);
    return c;
  }
  // No decisive code: the text decides, as for any other reply.
  codes::Classification c = codes::classify_text(r.text);
  switch (r.status) {
    case Status::bad:
      c.outcome = Outcome::permanent;
      c.code_meaning = i18n::msg("imap.status.bad");
      if (c.reason == Reason::other) c.reason = Reason::syntax_error;
      break;
    case Status::bye:
      c.outcome = Outcome::transient;
      c.code_meaning = i18n::msg("imap.status.bye");
      if (c.reason == Reason::other) c.reason = Reason::system_error;
      break;
    default:
      c.outcome = Outcome::permanent;
      c.code_meaning = i18n::msg("imap.status.no");
      break;
  }
  if (c.reason == Reason::other && auth_verb(verb)) c.reason = Reason::auth_failed;
  if (auth_verb(verb) && (util::icontains(r.text, "plaintext") || util::icontains(r.text, "SSL/TLS")))
    c.reason = Reason::tls_required;
  if (m != nullptr) c.notes.push_back(i18n::format("imap.note.code", {r.code->name, std::string(m->meaning)}));
  else if (r.code) c.notes.push_back(i18n::format("imap.note.unknown-code", {r.code->name}));
  c.remediation = std::string(codes::info(c.reason).remediation);
  return c;
}

}  // namespace maildiag::imap
