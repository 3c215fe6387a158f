#pragma once
/// The decision procedure of `maildiag diagnose`: from what each step found (DNS, reachability,
/// SMTP), the single most likely root cause in one sentence, the step that proved it and the next
/// thing to do. Pure: the runner gathers the facts, this decides (unit-tested on scenarios).

#include "maildiag/codes/classify.hpp"
#include "maildiag/report/report.hpp"

#include <optional>
#include <string>

namespace maildiag::app {

enum class DnsFact {
  ok,             ///< MX records with addresses
  implicit_mx,    ///< no MX; the domain's own address receives (RFC 5321 §5.1)
  null_mx,        ///< "MX 0 ." (RFC 7505): the domain accepts no mail
  nxdomain,       ///< the domain does not exist
  no_route,       ///< no MX and no address, or every exchanger lacks an address
  dns_failure,    ///< timeout / SERVFAIL / REFUSED: DNS itself failed
};

enum class ReachFact {
  not_probed,
  open,              ///< at least one MX answered on port 25
  outbound_blocked,  ///< nothing answered, not even the control hosts: this side blocks 25
  remote_refused,    ///< hosts up, nothing listens on 25
  remote_filtered,   ///< the target drops SYNs while control hosts answer
  remote_unreachable,
  undetermined,      ///< nothing answered and the control hosts could not tell
};

enum class TlsFact { not_tried, ok, not_offered, handshake_failed, cert_expired, cert_name_mismatch, cert_untrusted, dane_mismatch };

struct DiagnoseFacts {
  std::string address;   ///< the address diagnosed ("" when only a domain was given)
  std::string domain;
  DnsFact dns = DnsFact::ok;
  std::string dns_detail;            ///< e.g. "mx1.example.net has no A/AAAA record"
  ReachFact reach = ReachFact::not_probed;
  std::string reach_detail;
  bool smtp_attempted = false;
  std::string smtp_host;             ///< the MX the session reached
  std::optional<codes::Classification> banner;   ///< set when the banner rejected (421/554)
  std::string banner_text;
  TlsFact tls = TlsFact::not_tried;
  std::string tls_detail;
  std::optional<codes::Classification> rcpt;     ///< the RCPT TO reply's reading
  std::string rcpt_text;                         ///< the reply as sent ("550 5.1.1 ...")
  bool smtp_timeout = false;
  std::string smtp_error;                        ///< the session ended early: why
  /// Ctrl-C/SIGTERM stopped the walk during this step ("dns", "reach", "smtp"); "" when not.
  /// Its facts and the later steps' are unknown, so the verdict is "interrupted".
  std::string interrupted_step;
};

struct DiagnoseVerdict {
  report::Severity severity = report::Severity::ok;
  std::string cause_id;    ///< stable class for scripts and tests, e.g. "user-unknown", "outbound-blocked"
  std::string sentence;    ///< the root cause in one sentence
  std::string step;        ///< "dns", "reach", "smtp", "rcpt"
  std::string next;        ///< the next thing to do (a command to run or a record to fix)
};

DiagnoseVerdict decide(const DiagnoseFacts& facts);

}  // namespace maildiag::app
