#include "maildiag/imap/classify.hpp"

#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::imap {

namespace {

using codes::Outcome;
using codes::Reason;

// RFC 5530 (response codes), RFC 3501 §7.1 / RFC 9051 §7.1 (the base set). Informational codes
// leave the outcome to OK/NO/BAD.
constexpr std::array<CodeMeaning, 30> kCodes{{
    {"AUTHENTICATIONFAILED", "Authentication failed; the server will not say why (RFC 5530)", true,
     Outcome::permanent, Reason::auth_failed,
     "Check the user name and password (some servers want the full address as the user name)."},
    {"AUTHORIZATIONFAILED", "Authenticated, but not authorized to act as the requested identity (RFC 5530)", true,
     Outcome::permanent, Reason::auth_failed, "Log in without an authorization identity, or ask for the right to use it."},
    {"EXPIRED", "The credentials have expired (RFC 5530)", true, Outcome::permanent, Reason::auth_failed,
     "Change the password (or renew the token) through the provider's web interface."},
    {"PRIVACYREQUIRED", "The operation needs an encrypted connection (RFC 5530)", true, Outcome::permanent,
     Reason::tls_required, "Use STARTTLS (or implicit TLS on port 993) before logging in."},
    {"CONTACTADMIN", "The user should contact the system administrator (RFC 5530)", true, Outcome::permanent,
     Reason::mailbox_disabled, "The account is blocked or needs attention; ask the mail provider's support."},
    {"NOPERM", "No permission for this operation on this mailbox (RFC 5530)", true, Outcome::permanent,
     Reason::policy_violation, "Ask the mailbox owner or administrator for the access right."},
    {"INUSE", "The mailbox or resource is in use by another session (RFC 5530)", true, Outcome::transient,
     Reason::system_error, "Another client holds the mailbox; close it or retry later."},
    {"EXPUNGEISSUED", "Another session expunged messages meanwhile (RFC 5530)", false, Outcome::unknown,
     Reason::other, ""},
    {"CORRUPTION", "The server found corrupt data (RFC 5530)", true, Outcome::permanent, Reason::system_error,
     "The server's administrator must repair the mailbox (e.g. doveadm force-resync)."},
    {"SERVERBUG", "The server hit an internal bug (RFC 5530)", true, Outcome::permanent, Reason::system_error,
     "Report it to the server's administrator with the time of the failure."},
    {"CLIENTBUG", "The server thinks the client made a protocol error (RFC 5530)", false, Outcome::unknown,
     Reason::syntax_error, ""},
    {"CANNOT", "The operation violates an invariant of the server (RFC 5530)", true, Outcome::permanent,
     Reason::other, "The operation cannot succeed on this server."},
    {"LIMIT", "A server limit was reached (RFC 5530)", true, Outcome::permanent, Reason::exceed_limit,
     "Reduce the request (fewer messages, smaller ranges) or ask for a higher limit."},
    {"OVERQUOTA", "The user is over quota (RFC 5530)", true, Outcome::permanent, Reason::mailbox_full,
     "Delete or archive mail, or ask for more storage."},
    {"ALREADYEXISTS", "The mailbox already exists (RFC 5530)", true, Outcome::permanent, Reason::other,
     "Use another name."},
    {"NONEXISTENT", "The mailbox does not exist (RFC 5530)", true, Outcome::permanent, Reason::other,
     "Check the mailbox name (LIST shows the existing ones)."},
    {"UNAVAILABLE", "A temporary failure: a subsystem of the server is down (RFC 5530)", true, Outcome::transient,
     Reason::system_error, "Retry later; if it persists the server's administrator must check its back ends."},
    {"TRYCREATE", "The target mailbox does not exist and may be created (RFC 3501)", true, Outcome::permanent,
     Reason::other, "Create the mailbox first."},
    {"ALERT", "A message the server requires to be shown to the user (RFC 3501)", false, Outcome::unknown,
     Reason::other, ""},
    {"PARSE", "The server could not parse a message's headers or MIME structure (RFC 3501)", false,
     Outcome::unknown, Reason::not_compliant, ""},
    {"BADCHARSET", "The search charset is not supported (RFC 3501)", true, Outcome::permanent, Reason::syntax_error,
     "Search with one of the charsets the server lists."},
    {"CAPABILITY", "The capability list (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"PERMANENTFLAGS", "Flags the client may change permanently (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"READ-ONLY", "The mailbox is selected read-only (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"READ-WRITE", "The mailbox is selected read-write (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"UIDNEXT", "The next unique identifier value (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"UIDVALIDITY", "The unique identifier validity value (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"UNSEEN", "The first unseen message (RFC 3501)", false, Outcome::unknown, Reason::other, ""},
    {"CLOSED", "The previously selected mailbox is now closed (RFC 7162)", false, Outcome::unknown, Reason::other,
     ""},
    {"HASCHILDREN", "The mailbox has children and cannot be deleted (RFC 9051)", true, Outcome::permanent,
     Reason::other, "Delete the child mailboxes first."},
}};

codes::Classification success(std::string meaning) {
  codes::Classification c;
  c.outcome = Outcome::success;
  c.reason = Reason::delivered;
  c.code_meaning = std::move(meaning);
  return c;
}

bool auth_verb(std::string_view verb) { return util::iequals(verb, "LOGIN") || util::iequals(verb, "AUTHENTICATE"); }

}  // namespace

const CodeMeaning* lookup_code(std::string_view code) {
  for (const auto& m : kCodes) {
    if (util::iequals(m.code, code)) return &m;
  }
  return nullptr;
}

codes::Classification classify(const Response& r, std::string_view verb) {
  const std::string status(to_string(r.status));
  if (r.status == Status::ok) return success("OK: command completed");
  if (r.status == Status::preauth) return success("PREAUTH: the connection is already authenticated");
  const CodeMeaning* m = r.code ? lookup_code(r.code->name) : nullptr;
  if (m != nullptr && m->failure) {
    codes::Classification c;
    c.outcome = m->outcome;
    c.reason = m->reason;
    c.code_meaning = status + " [" + r.code->name + "]: " + std::string(m->meaning);
    c.reason_evidence = "[" + r.code->name + "]";
    c.remediation = std::string(m->remediation);
    return c;
  }
  // No decisive code: the text decides, as for any other reply.
  codes::Classification c = codes::classify_text(r.text);
  switch (r.status) {
    case Status::bad:
      c.outcome = Outcome::permanent;
      c.code_meaning = "BAD: the server rejected the command as invalid";
      if (c.reason == Reason::other) c.reason = Reason::syntax_error;
      break;
    case Status::bye:
      c.outcome = Outcome::transient;
      c.code_meaning = "BYE: the server is closing the connection";
      if (c.reason == Reason::other) c.reason = Reason::system_error;
      break;
    default:
      c.outcome = Outcome::permanent;
      c.code_meaning = "NO: the command failed";
      break;
  }
  if (c.reason == Reason::other && auth_verb(verb)) c.reason = Reason::auth_failed;
  if (auth_verb(verb) && (util::icontains(r.text, "plaintext") || util::icontains(r.text, "SSL/TLS")))
    c.reason = Reason::tls_required;
  if (m != nullptr) c.notes.push_back("[" + r.code->name + "]: " + std::string(m->meaning) + ".");
  else if (r.code) c.notes.push_back("Unknown IMAP response code [" + r.code->name + "].");
  c.remediation = std::string(codes::info(c.reason).remediation);
  return c;
}

}  // namespace maildiag::imap
