#include "maildiag/app/diagnose_verdict.hpp"

namespace maildiag::app {

namespace {

using report::Severity;

DiagnoseVerdict v(Severity s, std::string id, std::string sentence, std::string step, std::string next) {
  return DiagnoseVerdict{s, std::move(id), std::move(sentence), std::move(step), std::move(next)};
}

std::optional<DiagnoseVerdict> from_dns(const DiagnoseFacts& f) {
  const std::string& d = f.domain;
  switch (f.dns) {
    case DnsFact::nxdomain:
      return v(Severity::critical, "domain-not-found", "Mail to " + d + " cannot be delivered: the domain does not exist (NXDOMAIN).",
               "dns", "Check the domain for typos; 'maildiag mx " + d + "' shows what DNS says.");
    case DnsFact::null_mx:
      return v(Severity::critical, "null-mx", d + " accepts no mail: it publishes a null MX (MX 0 ., RFC 7505).", "dns",
               "Use another address; the domain's owner has declared it receives no mail.");
    case DnsFact::no_route:
      return v(Severity::critical, "mx-without-address",
               "Mail to " + d + " cannot be routed: " + (f.dns_detail.empty() ? std::string("its MX has no address record") : f.dns_detail) + ".",
               "dns", "The domain's DNS administrator must add A/AAAA records for the MX hosts ('maildiag mx " + d + "').");
    case DnsFact::dns_failure:
      return v(Severity::unknown, "dns-failure",
               "DNS lookups for " + d + " failed (" + (f.dns_detail.empty() ? std::string("no answer") : f.dns_detail) + "), so nothing else could be checked.",
               "dns", "Retry, or ask another resolver: 'maildiag --dns-server 9.9.9.9 mx " + d + "'.");
    case DnsFact::ok:
    case DnsFact::implicit_mx:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<DiagnoseVerdict> from_reach(const DiagnoseFacts& f) {
  const std::string& d = f.domain;
  // Without an MX record mail goes to the domain's own address (RFC 5321 §5.1): say so.
  const std::string hosts = f.dns == DnsFact::implicit_mx ? d + "'s mail host (no MX: its own address)" : d + "'s MX hosts";
  const std::string host = f.dns == DnsFact::implicit_mx ? d + "'s mail host (no MX: its own address)" : d + "'s MX";
  switch (f.reach) {
    case ReachFact::outbound_blocked:
      return v(Severity::critical, "outbound-blocked",
               "Your network blocks outbound port 25: neither " + host + " nor the control hosts answered.", "reach",
               "Send through your provider's relay (submission on 587 with AUTH), or ask the ISP / firewall admin to open outbound 25.");
    case ReachFact::remote_refused:
      return v(Severity::critical, "remote-refused", "No SMTP server listens on " + hosts + " (port 25 refused).", "reach",
               "The receiving side's mail server is down or misconfigured; tell their postmaster. Senders' queues will retry.");
    case ReachFact::remote_filtered:
    case ReachFact::remote_unreachable:
      return v(Severity::critical, "remote-unreachable",
               hosts + (f.dns == DnsFact::implicit_mx ? " does" : " do") +
                   " not answer on port 25 while other servers do: their server is down or filtering.",
               "reach",
               "Nothing to fix on your side; 'maildiag probe " + d + "' again later, or contact their postmaster.");
    case ReachFact::undetermined:
      return v(Severity::unknown, "reach-undetermined",
               "No mail host of " + d + " answered on port 25 and no control host could tell whose side blocks it.", "reach",
               "Run 'maildiag probe " + d + " --control HOST' with a mail server you know is up.");
    case ReachFact::not_probed:
    case ReachFact::open:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<DiagnoseVerdict> from_tls(const DiagnoseFacts& f) {
  const std::string host = f.smtp_host.empty() ? f.domain : f.smtp_host;
  switch (f.tls) {
    case TlsFact::cert_expired:
      return v(Severity::warning, "tls-cert-expired",
               host + "'s TLS certificate has expired (" + f.tls_detail +
                   "): mail still flows to senders that encrypt without verifying, but those that verify (MTA-STS, DANE) will not deliver.",
               "smtp", "Renew the certificate on " + host + " and reload the mail server.");
    case TlsFact::cert_name_mismatch:
      return v(Severity::warning, "tls-cert-name",
               host + "'s TLS certificate does not name the host (" + f.tls_detail + "): verifying senders will refuse it.",
               "smtp", "Issue a certificate that covers " + host + ".");
    case TlsFact::cert_untrusted:
      return v(Severity::warning, "tls-cert-untrusted",
               host + "'s TLS certificate does not chain to a trusted CA (" + f.tls_detail + ").", "smtp",
               "Install the full chain from a public CA.");
    case TlsFact::dane_mismatch:
      return v(Severity::critical, "dane-mismatch", host + "'s certificate does not match its TLSA records: DANE senders will not deliver.",
               "smtp", "Publish TLSA records for the current key, or restore the key they describe.");
    case TlsFact::handshake_failed:
      return v(Severity::warning, "tls-failed", "STARTTLS on " + host + " fails (" + f.tls_detail + "): mail falls back to plain text or is refused.",
               "smtp", "Check the TLS configuration of " + host + " ('maildiag smtp-test " + host + " -t').");
    case TlsFact::not_tried:
    case TlsFact::ok:
    case TlsFact::not_offered:
      return std::nullopt;
  }
  return std::nullopt;
}

DiagnoseVerdict from_rcpt(const DiagnoseFacts& f, const codes::Classification& c) {
  using codes::Reason;
  const std::string who = f.address.empty() ? "this address" : f.address;
  const std::string evidence = " (" + f.rcpt_text + ")";
  if (c.outcome == codes::Outcome::success)
    return v(Severity::ok, "deliverable", "Mail to " + who + " should be delivered: " + f.smtp_host + " accepts the recipient" + evidence + ".",
             "rcpt", "Nothing to fix. If mail still fails, read the bounce: 'maildiag bounce FILE'.");
  const bool transient = c.outcome == codes::Outcome::transient;
  switch (c.reason) {
    case Reason::greylisted:
      return v(Severity::warning, "greylisted", "Greylisting: the first attempt is deferred" + evidence + "; the sender's server will retry and then be accepted.",
               "rcpt", "Wait a few minutes; a standard MTA retries on its own.");
    case Reason::user_unknown:
      return v(transient ? Severity::warning : Severity::critical, "user-unknown",
               "Mail to " + who + " will bounce: the server says the mailbox does not exist" + evidence + ".", "rcpt",
               "Check the address with its owner; remove it from lists if it keeps bouncing.");
    case Reason::relay_denied:
      return v(Severity::critical, "relay-denied",
               f.smtp_host + " refuses to relay for " + who + evidence + ": it is not responsible for this domain, or MX points to the wrong server.",
               "rcpt", "Check the MX records ('maildiag mx " + f.domain + "') and the server's relay/domain settings.");
    case Reason::blocked:
    case Reason::bad_reputation:
    case Reason::require_ptr:
      return v(Severity::critical, "sender-blocked",
               "The receiving server refuses mail from this sending IP" + evidence +
                   (c.blocklist ? ": it is listed on " + *c.blocklist + "." : "."),
               "rcpt", c.remediation);
    default:
      break;
  }
  return v(transient ? Severity::warning : Severity::critical, std::string(codes::to_string(c.reason)),
           std::string(transient ? "The recipient is temporarily refused" : "The recipient is refused") + evidence + ": " +
               std::string(codes::info(c.reason).description) + ".",
           "rcpt", c.remediation);
}

}  // namespace

DiagnoseVerdict decide(const DiagnoseFacts& f) {
  if (!f.interrupted_step.empty()) {
    const std::string what = f.address.empty() ? f.domain : f.address;
    return v(Severity::unknown, "interrupted",
             "The diagnosis of " + what + " was interrupted during the " + f.interrupted_step +
                 " step (Ctrl-C or SIGTERM): no verdict; the steps' findings below are what was seen.",
             f.interrupted_step, "Run 'maildiag diagnose " + what + "' again and let it finish.");
  }
  if (auto d = from_dns(f)) return *d;
  if (auto r = from_reach(f)) return *r;
  if (f.banner) {
    return v(Severity::critical, "banner-rejected",
             f.smtp_host + " rejects the connection at once (" + f.banner_text + ")" +
                 (f.banner->blocklist ? ": this IP is listed on " + *f.banner->blocklist + "." : "."),
             "smtp", f.banner->remediation);
  }
  if (f.dns == DnsFact::implicit_mx && !f.smtp_attempted) {
    return v(Severity::warning, "implicit-mx", f.domain + " has no MX record; mail goes to its A/AAAA address (RFC 5321 §5.1).",
             "dns", "Publish an MX record for " + f.domain + ", or a null MX if it should receive no mail.");
  }
  if (f.rcpt) {
    auto r = from_rcpt(f, *f.rcpt);
    // A certificate problem is the root cause only when the recipient itself is fine.
    if (r.severity == Severity::ok) {
      if (auto t = from_tls(f)) return *t;
    }
    return r;
  }
  if (auto t = from_tls(f)) return *t;
  if (f.smtp_timeout)
    return v(Severity::unknown, "smtp-timeout", f.smtp_host + " stopped answering during the SMTP session (" + f.smtp_error + ").", "smtp",
             "Servers that tarpit answer slowly on purpose: retry with a longer --timeout.");
  if (!f.smtp_error.empty())
    return v(Severity::critical, "smtp-failed", "The SMTP session with " + f.smtp_host + " failed: " + f.smtp_error + ".", "smtp",
             "Look at the transcript: 'maildiag smtp-test " + f.smtp_host + " -t'.");
  if (f.dns == DnsFact::implicit_mx)
    return v(Severity::warning, "implicit-mx", f.domain + " has no MX record; mail goes to its A/AAAA address (RFC 5321 §5.1).",
             "dns", "Publish an MX record for " + f.domain + ".");
  return v(Severity::ok, "reachable", f.domain + " receives mail: DNS, port 25 and the SMTP dialog are fine.", "smtp",
           "Give an address (user@" + f.domain + ") to check a mailbox too.");
}

}  // namespace maildiag::app
