#include "maildiag/codes/pop3.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::codes {

namespace {

// RFC 2449 §8 (IN-USE, LOGIN-DELAY) and RFC 3206 (SYS/TEMP, SYS/PERM, AUTH). Sentences come from
// the message catalog ("pop3.<CODE>", "pop3.<CODE>.fix").
struct Pop3Row {
  std::string_view code;
  Outcome outcome;
  Reason reason;
};
constexpr std::array<Pop3Row, 5> kPop3Codes{{
    {"IN-USE", Outcome::transient, Reason::system_error},
    {"LOGIN-DELAY", Outcome::transient, Reason::rate_limited},
    {"SYS/TEMP", Outcome::transient, Reason::system_error},
    {"SYS/PERM", Outcome::permanent, Reason::system_error},
    {"AUTH", Outcome::permanent, Reason::auth_failed},
}};

/// The table in the current language; one instance per language so pointers stay valid.
const std::array<Pop3Meaning, 5>& meanings() {
  static std::array<std::array<Pop3Meaning, 5>, 2> tables;
  static std::array<bool, 2> built{};
  const auto lang = static_cast<std::size_t>(i18n::language());
  if (!built.at(lang)) {
    for (std::size_t i = 0; i < kPop3Codes.size(); ++i) {
      const auto& row = kPop3Codes.at(i);
      const std::string id = "pop3." + std::string(row.code);
      tables.at(lang).at(i) = Pop3Meaning{row.code, i18n::msg(id), row.outcome, row.reason, i18n::msg(id + ".fix")};
    }
    built.at(lang) = true;
  }
  return tables.at(lang);
}

}  // namespace

std::optional<Pop3Status> parse_pop3_status(std::string_view line) {
  std::string_view l = line;
  while (!l.empty() && (l.back() == '\r' || l.back() == '\n')) l.remove_suffix(1);
  Pop3Status st;
  if (util::istarts_with(l, "+OK")) {
    st.ok = true;
    l.remove_prefix(3);
  } else if (util::istarts_with(l, "-ERR")) {
    l.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  if (!l.empty() && l.front() != ' ' && l.front() != '\t') return std::nullopt;
  l = util::trim(l);
  if (!l.empty() && l.front() == '[') {
    const auto close = l.find(']');
    if (close != std::string_view::npos && close > 1) {
      st.resp_code = std::string(l.substr(1, close - 1));
      l = util::trim(l.substr(close + 1));
    }
  }
  st.text = std::string(l);
  return st;
}

const Pop3Meaning* lookup_pop3_code(std::string_view code) {
  std::string_view c = code;
  while (!c.empty()) {
    for (const auto& m : meanings()) {
      if (util::iequals(m.code, c)) return &m;
    }
    const auto slash = c.rfind('/');
    if (slash == std::string_view::npos) break;
    c = c.substr(0, slash);
  }
  return nullptr;
}

Classification classify_pop3(const Pop3Status& status) {
  if (status.ok) {
    Classification c;
    c.outcome = Outcome::success;
    c.reason = Reason::delivered;
    c.code_meaning = std::string(i18n::msg("pop3code.ok"));
    c.remediation = std::string(info(Reason::delivered).remediation);
    return c;
  }
  const Pop3Meaning* m = status.resp_code ? lookup_pop3_code(*status.resp_code) : nullptr;
  if (m != nullptr) {
    Classification c;
    c.outcome = m->outcome;
    c.reason = m->reason;
    c.code_meaning = "-ERR [" + *status.resp_code + "]: " + std::string(m->meaning);
    c.reason_evidence = "[" + *status.resp_code + "]";
    c.remediation = std::string(m->remediation);
    // "[AUTH] Plaintext authentication disallowed" is a TLS requirement, not a wrong password.
    if (m->reason == Reason::auth_failed && util::icontains(status.text, "plaintext"))
      c.reason = Reason::tls_required, c.remediation = std::string(info(Reason::tls_required).remediation);
    return c;
  }
  // No (known) response code: the text decides, the outcome is "permanent" for this command.
  Classification c = classify_text(status.text);
  c.outcome = Outcome::permanent;
  c.code_meaning = std::string(i18n::msg("pop3code.err_failed"));
  if (status.resp_code) c.notes.push_back(i18n::format("pop3code.note.unknown", {*status.resp_code}));
  if (c.reason == Reason::other && (util::icontains(status.text, "password") || util::icontains(status.text, "login")))
    c.reason = Reason::auth_failed;
  c.remediation = std::string(info(c.reason).remediation);
  return c;
}

}  // namespace maildiag::codes
