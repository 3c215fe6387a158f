#pragma once
/// `maildiag smtp-test HOST[:PORT]` (or `--mx DOMAIN`): the `telnet host 25` session an admin
/// would type, automated and explained. Banner, EHLO (HELO fallback), capabilities, STARTTLS
/// with the certificate verdicts (and DANE from TLSA), AUTH, MAIL/RCPT with a verdict per
/// recipient, an optional test message with its queue ID, an open-relay probe, QUIT — every
/// reply read by the classifier, every step with a deadline, secrets never shown.
/// `--interactive` is a better telnet over the same engine.

#include "maildiag/app/common.hpp"
#include "maildiag/app/credentials.hpp"
#include "maildiag/report/report.hpp"
#include "maildiag/smtp/reply_reader.hpp"
#include "maildiag/smtp/sasl.hpp"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::app {

/// Where the session stops on purpose (--quit-after); swaks' names.
enum class SmtpStage { connect, banner, ehlo, tls, auth, mail, rcpt, data };
std::string_view to_string(SmtpStage s);  ///< "connect", "banner", ...
std::optional<SmtpStage> smtp_stage_from_string(std::string_view s);

enum class StartTlsMode { automatic, never, require };
std::optional<StartTlsMode> starttls_mode_from_string(std::string_view s);  ///< auto | never | require

struct SmtpTestOptions {
  std::string target;                       ///< HOST[:PORT]; empty with mx_domain
  std::optional<std::string> mx_domain;     ///< --mx DOMAIN: the MX hosts in preference order
  std::optional<std::uint16_t> port;        ///< --port (default 25; 465 with --tls-on-connect)
  StartTlsMode starttls = StartTlsMode::automatic;
  bool tls_on_connect = false;
  std::string helo;                         ///< empty: an address literal of our side, "[127.0.0.1]"
  std::string from;                         ///< empty: the null reverse-path <>
  std::vector<std::string> to;
  // AUTH
  std::optional<std::string> auth_user;
  std::optional<smtp::Mechanism> auth_mech;
  SecretSource password_source;
  std::optional<std::string> token_file;    ///< bearer token for XOAUTH2/OAUTHBEARER
  std::string token_env = "MAILDIAG_OAUTH_TOKEN";
  bool allow_plaintext_auth = false;
  // DATA
  bool data = false;
  std::vector<std::string> headers;         ///< "Name: value"
  std::optional<std::string> body;
  std::optional<std::string> data_file;     ///< a whole message (headers and body) read from this file
  std::vector<std::string> notify;          ///< DSN NOTIFY values
  std::optional<std::string> ret;           ///< DSN RET
  std::optional<std::string> envid;         ///< DSN ENVID
  // flow
  std::optional<SmtpStage> quit_after;      ///< default: rcpt with --to, else after EHLO/TLS
  bool relay_test = false;
  std::string relay_from = "relay-test@example.com";
  std::string relay_to = "relay-test@example.net";
  bool pipelining = true;                   ///< use PIPELINING when offered
  // TLS
  std::string ca_file;
  bool no_verify = false;
  std::optional<std::string> sni;
  int expiry_warn_days = 14;
  bool dane = true;                         ///< look up TLSA records for the host
  std::optional<std::string> tlsa_name;     ///< query this name instead of _PORT._tcp.HOST (port forwards, tests)
  // transport
  std::optional<std::string> source;        ///< local address to bind
  std::optional<std::chrono::milliseconds> connect_timeout;
  std::optional<std::chrono::milliseconds> command_timeout;
  report::Severity timeout_state = report::Severity::unknown;
  smtp::Limits limits;
  CommonOptions common;

  /// The port to use: --port, the target's :PORT, 465 with --tls-on-connect, else 25.
  [[nodiscard]] std::uint16_t effective_port(std::optional<std::uint16_t> from_target) const;
};

/// Runs the test. nullopt with a one-line *error for bad usage (bad target, bad --source, an
/// address with a line break, no password available); everything the server does is a finding.
std::optional<report::Report> run_smtp_test(const SmtpTestOptions& options, std::string* error);

/// Interactive session: reads lines from `in`, prints the dialog to `out` as it happens.
/// Returns the findings of the session (TLS, protocol errors) without the transcript already shown.
std::optional<report::Report> run_smtp_interactive(const SmtpTestOptions& options, std::istream& in,
                                                   std::ostream& out, std::string* error);

}  // namespace maildiag::app
