#pragma once
/// The smtp-test policy: which command comes next on one connection, and what each reply means
/// for the report. Stages: banner, EHLO (HELO fallback), STARTTLS and EHLO again, AUTH, the
/// open-relay probe, MAIL/RCPT/DATA (pipelined when offered), QUIT. Findings are added as the
/// dialog goes; the facts are kept in SmtpFacts for the tables and the JSON.

#include "maildiag/app/credentials.hpp"
#include "maildiag/app/smtp_session.hpp"
#include "maildiag/app/smtp_test.hpp"
#include "maildiag/codes/classify.hpp"
#include "maildiag/smtp/capabilities.hpp"
#include "maildiag/smtp/command.hpp"
#include "maildiag/smtp/queue_id.hpp"
#include "maildiag/smtp/rcpt_verdict.hpp"
#include "maildiag/tls/report.hpp"
#include "maildiag/tls/session.hpp"

#include <optional>
#include <string>
#include <vector>

namespace maildiag::app {

/// The host being talked to, as the dialog needs it.
struct SmtpHostContext {
  std::string name;                      ///< host name or IP literal (TLS names, SNI)
  std::uint16_t port = 25;
  bool from_mx = false;                  ///< reached through --mx (MTA rules: opportunistic TLS)
  std::vector<tls::TlsaRecord> tlsa;     ///< DANE records for _port._tcp.name
  bool tlsa_secure = false;              ///< the TLSA answer carried AD (DNSSEC-validated)
};

struct RcptResult {
  std::string address;
  bool relay_probe = false;
  std::optional<codes::Reply> reply;
  std::optional<codes::Classification> classification;
  smtp::RcptVerdict verdict = smtp::RcptVerdict::not_tried;
  std::string note;                      ///< why not tried ("SMTPUTF8 not offered", "MAIL refused"); English (JSON)
  std::string note_id;                   ///< the note's catalog id, for the text view in the user's language
};

/// Secrets the runner read before connecting (a prompt must not eat into a timeout).
struct SmtpSecrets {
  std::string secret;                    ///< password or bearer token
  bool token = false;
};

struct SmtpFacts {
  std::string stage = "connect";         ///< the furthest stage reached
  bool completed = false;                ///< ran to the chosen stop and said QUIT
  std::optional<codes::Reply> banner;
  std::optional<codes::Reply> hello;     ///< the EHLO (or HELO) reply before TLS
  bool esmtp = true;                     ///< false when only HELO worked
  smtp::Capabilities caps;               ///< before TLS (or on the implicit-TLS connection)
  std::optional<smtp::Capabilities> caps_tls;  ///< after STARTTLS
  std::optional<codes::Reply> starttls_reply;
  std::optional<tls::TlsReport> tls;
  std::string tls_how;                   ///< "STARTTLS" or "implicit TLS"
  std::string auth_mechanism;
  std::optional<codes::Reply> auth_reply;
  std::optional<bool> auth_ok;
  std::optional<codes::Reply> mail_reply;
  std::vector<RcptResult> rcpts;
  std::optional<bool> relay_open;        ///< the --relay-test outcome
  std::optional<codes::Reply> data_reply;     ///< to DATA (354)
  std::optional<codes::Reply> message_reply;  ///< after the final dot
  std::optional<smtp::QueueId> queue_id;
  std::string token;                     ///< the test message's Subject token
  std::string message_id;
  std::size_t message_bytes = 0;
  double connect_ms = 0;
  double banner_ms = 0;
  double total_ms = 0;
  int round_trips = 0;
};

class SmtpDialog {
 public:
  SmtpDialog(const SmtpTestOptions& options, const SmtpHostContext& host, const SmtpSecrets& secrets,
             SmtpSession& session, report::Report& rep, SmtpFacts& facts);
  /// From the greeting to QUIT. Returns false when the greeting was a temporary refusal (4xx), so
  /// an MX walk may try the next host; true otherwise.
  bool run();

 private:
  const SmtpTestOptions& opt_;
  const SmtpHostContext& host_;
  const SmtpSecrets& secrets_;
  SmtpSession& s_;
  report::Report& rep_;
  SmtpFacts& f_;
  std::string where_;
  std::string helo_name_;
  bool temp_refusal_ = false;  // the greeting was 4xx: an MX walk tries the next host
  bool auth_pending_ = false;  // AUTH PLAIN queued to lead the MAIL/RCPT/DATA group

  bool greeting();
  bool hello(bool after_tls);
  bool starttls();
  bool handshake(const char* how);
  bool auth();
  /// Records the AUTH outcome (finding); true on 235.
  bool auth_result(const codes::Reply& r, const std::string& challenge);
  /// A pipelined AUTH not yet answered: flush and read its reply (early exits, stepwise path).
  bool settle_pending_auth();
  bool relay_probe();
  bool transaction();
  bool pipelined_envelope(const smtp::Command& mail, const std::vector<smtp::Command>& rcpts,
                          const std::vector<std::size_t>& index, bool want_data, const std::string& content);
  bool stepwise_envelope(const smtp::Command& mail, const std::vector<smtp::Command>& rcpts,
                         const std::vector<std::size_t>& index, bool want_data, const std::string& content);
  bool drain_after_failed_auth(std::size_t rcpts, const std::vector<std::size_t>& index, bool want_data);
  bool data_phase(const codes::Reply& data_reply, std::size_t accepted, const std::string& content, bool pipelined);
  bool mail_result(const codes::Reply& r);
  void rcpt_result(RcptResult& rr, const codes::Reply& r, bool mail_ok);
  bool stop_after(SmtpStage stage) const;
  /// Waits for the next reply event, handling protocol errors and closure (findings added).
  std::optional<smtp::event::Reply> reply(const char* waiting_for);
  void protocol_error(const smtp::event::ProtocolError& e);
  bool tls_optional() const;
  void adjust_tls_findings(std::size_t first_finding);
};

/// The stage a session with these options stops after (--quit-after, else what the options ask for).
SmtpStage final_stage(const SmtpTestOptions& options);
/// The TLS options of a handshake with `host` (SmtpHostContext::tlsa included when looked up).
tls::TlsOptions smtp_tls_options(const SmtpTestOptions& options, const SmtpHostContext& host);

/// The helpers the transaction needs, exposed for tests: an address made fit for the wire (IDN
/// domain to A-labels when the local part is ASCII), and whether it still needs SMTPUTF8.
std::string wire_address(std::string_view address);
/// HMAC-MD5 as hex for CRAM-MD5 (OpenSSL; the SASL core takes it as a function).
std::string hmac_md5_hex(std::string_view key, std::string_view message);
/// smtp::describe(verdict) in the user's language ("user unknown"), for titles and tables; the
/// JSON keeps smtp::to_string(verdict).
std::string rcpt_verdict_text(smtp::RcptVerdict verdict);

}  // namespace maildiag::app
