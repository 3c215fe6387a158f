#pragma once
/// SMTP commands as the engine sees them: what verb, the exact bytes for the wire, the text a
/// transcript may show (secrets already redacted), and — as data — which replies each verb
/// expects and whether RFC 2920 lets another command follow it in a pipelined group.
/// Builders refuse arguments that would smuggle a line break onto the wire.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::smtp {

enum class Verb {
  none,           ///< no command: the greeting, or an unsolicited 421
  ehlo,
  helo,
  starttls,
  auth,           ///< AUTH mechanism [initial-response]
  auth_response,  ///< a SASL response line after a 334 challenge (or "*" to cancel)
  mail,
  rcpt,
  data,
  message,        ///< the message content after 354, ending in CRLF.CRLF
  rset,
  noop,
  vrfy,
  expn,
  help,
  quit,
  other,          ///< anything else (interactive mode)
};

/// How a verb's reply is judged, and how it may be pipelined (RFC 2920 §3.1).
struct ReplyShape {
  Verb verb;
  std::string_view name;            ///< "EHLO", "MAIL", "<message>"
  int codes[3];                     ///< exact expected codes; 0 = unused slot; all 0 = any 2xx/3xx
  bool may_be_followed;             ///< another command may follow it in one pipelined group
};

/// The shape table entry of a verb (every verb has one).
const ReplyShape& shape(Verb v);
/// True when `code` is a reply this verb expects on success (EHLO 250, DATA 354, AUTH 235/334...).
bool expects(Verb v, int code);
std::string_view to_string(Verb v);

/// One command, ready for the engine. For everything but Verb::message, `wire` is exactly one
/// line ending in CRLF with no other CR or LF.
struct Command {
  Verb verb = Verb::other;
  std::string wire;      ///< bytes to send
  std::string display;   ///< what a transcript shows (no CRLF, secrets replaced by "<redacted>")
  /// Another command may follow in the same pipelined group although the verb's shape says no:
  /// RFC 4954 §4 allows it after AUTH with an initial response for a one-step mechanism (PLAIN).
  bool may_be_followed = false;
};

/// Why a builder refused its arguments (one line, no secrets).
struct CommandError {
  std::string message;
};

/// MAIL FROM parameters (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, RFC 3461 RET/ENVID,
/// RFC 8689 REQUIRETLS). Only the ones set are sent.
struct MailParams {
  std::optional<std::uint64_t> size;
  std::optional<std::string> body;    ///< "8BITMIME", "7BIT", "BINARYMIME"
  bool smtputf8 = false;
  std::optional<std::string> ret;     ///< "FULL" or "HDRS"
  std::optional<std::string> envid;   ///< xtext-encoded by the builder
  bool requiretls = false;
};

/// RCPT TO parameters (RFC 3461 NOTIFY and ORCPT).
struct RcptParams {
  std::vector<std::string> notify;    ///< "NEVER" or any of "SUCCESS", "FAILURE", "DELAY"
  std::optional<std::string> orcpt;   ///< the original address; sent as "rfc822;" + xtext (utf-8 as is)
};

/// Each builder returns nullopt and sets err when an argument contains CR, LF or NUL, or is
/// otherwise unusable (an address with "<>" or spaces, an unknown NOTIFY value).
std::optional<Command> ehlo(std::string_view domain, CommandError* err = nullptr);
std::optional<Command> helo(std::string_view domain, CommandError* err = nullptr);
Command starttls();
/// The initial response, when given, is shown as "<redacted>" in `display`. AUTH PLAIN and
/// EXTERNAL with an initial response may be followed by other commands (RFC 4954 §4).
std::optional<Command> auth(std::string_view mechanism, std::optional<std::string_view> initial_response,
                            CommandError* err = nullptr);
/// A SASL response line; always shown redacted.
std::optional<Command> auth_response(std::string_view line, CommandError* err = nullptr);
Command auth_cancel();
std::optional<Command> mail_from(std::string_view address, const MailParams& params = {},
                                 CommandError* err = nullptr);
std::optional<Command> rcpt_to(std::string_view address, const RcptParams& params = {},
                               CommandError* err = nullptr);
Command data();
Command rset();
Command noop();
Command quit();
/// A raw line typed by a user (interactive mode); the verb is recognised from its first word.
/// AUTH lines are redacted in `display` after the mechanism.
std::optional<Command> raw(std::string_view line, CommandError* err = nullptr);

/// RFC 3461 §4 xtext: '+', '=' and bytes outside 33..126 become "+XX".
std::string xtext(std::string_view s);
/// True when the address needs SMTPUTF8 (any byte >= 0x80).
bool needs_smtputf8(std::string_view address);

}  // namespace maildiag::smtp
