#include "maildiag/app/diagnose_verdict.hpp"

#include "maildiag/i18n/catalog.hpp"

namespace maildiag::app {

namespace {

using report::Severity;
using i18n::format;


DiagnoseVerdict v(Severity s, std::string id, std::string sentence, std::string step, std::string next) {
  return DiagnoseVerdict{s, std::move(id), std::move(sentence), std::move(step), std::move(next)};
}

std::optional<DiagnoseVerdict> from_dns(const DiagnoseFacts& f) {
  const std::string& d = f.domain;
  switch (f.dns) {
    case DnsFact::nxdomain:
      return v(Severity::critical, "domain-not-found", format("diagnose.domain-not-found.sentence", {d}), "dns",
               format("diagnose.domain-not-found.next", {d}));
    case DnsFact::null_mx:
      return v(Severity::critical, "null-mx", format("diagnose.null-mx.sentence", {d}), "dns", i18n::text("diagnose.null-mx.next"));
    case DnsFact::no_route:
      return v(Severity::critical, "mx-without-address",
               format("diagnose.mx-without-address.sentence",
                      {d, f.dns_detail.empty() ? i18n::text("diagnose.mx-without-address.default") : f.dns_detail}),
               "dns", format("diagnose.mx-without-address.next", {d}));
    case DnsFact::dns_failure:
      return v(Severity::unknown, "dns-failure",
               format("diagnose.dns-failure.sentence", {d, f.dns_detail.empty() ? i18n::text("diagnose.dns-failure.no-answer") : f.dns_detail}),
               "dns", format("diagnose.dns-failure.next", {d}));
    case DnsFact::ok:
    case DnsFact::implicit_mx:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<DiagnoseVerdict> from_reach(const DiagnoseFacts& f) {
  const std::string& d = f.domain;
  // Without an MX record mail goes to the domain's own address (RFC 5321 §5.1): say so.
  const bool implicit = f.dns == DnsFact::implicit_mx;
  const std::string hosts = format(implicit ? "diagnose.hosts.implicit" : "diagnose.hosts.mx", {d});
  const std::string host = format(implicit ? "diagnose.hosts.implicit" : "diagnose.host.mx", {d});
  switch (f.reach) {
    case ReachFact::outbound_blocked:
      return v(Severity::critical, "outbound-blocked", format("diagnose.outbound-blocked.sentence", {host}), "reach",
               i18n::text("diagnose.outbound-blocked.next"));
    case ReachFact::remote_refused:
      return v(Severity::critical, "remote-refused", format("diagnose.remote-refused.sentence", {hosts}), "reach",
               i18n::text("diagnose.remote-refused.next"));
    case ReachFact::remote_filtered:
    case ReachFact::remote_unreachable:
      return v(Severity::critical, "remote-unreachable",
               format(implicit ? "diagnose.remote-unreachable.sentence.one" : "diagnose.remote-unreachable.sentence.many", {hosts}),
               "reach", format("diagnose.remote-unreachable.next", {d}));
    case ReachFact::undetermined:
      return v(Severity::unknown, "reach-undetermined", format("diagnose.reach-undetermined.sentence", {d}), "reach",
               format("diagnose.reach-undetermined.next", {d}));
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
      return v(Severity::warning, "tls-cert-expired", format("diagnose.tls-cert-expired.sentence", {host, f.tls_detail}),
               "smtp", format("diagnose.tls-cert-expired.next", {host}));
    case TlsFact::cert_name_mismatch:
      return v(Severity::warning, "tls-cert-name", format("diagnose.tls-cert-name.sentence", {host, f.tls_detail}), "smtp",
               format("diagnose.tls-cert-name.next", {host}));
    case TlsFact::cert_untrusted:
      return v(Severity::warning, "tls-cert-untrusted", format("diagnose.tls-cert-untrusted.sentence", {host, f.tls_detail}),
               "smtp", i18n::text("diagnose.tls-cert-untrusted.next"));
    case TlsFact::dane_mismatch:
      return v(Severity::critical, "dane-mismatch", format("diagnose.dane-mismatch.sentence", {host}), "smtp",
               i18n::text("diagnose.dane-mismatch.next"));
    case TlsFact::handshake_failed:
      return v(Severity::warning, "tls-failed", format("diagnose.tls-failed.sentence", {host, f.tls_detail}), "smtp",
               format("diagnose.tls-failed.next", {host, host}));
    case TlsFact::not_tried:
    case TlsFact::ok:
    case TlsFact::not_offered:
      return std::nullopt;
  }
  return std::nullopt;
}

DiagnoseVerdict from_rcpt(const DiagnoseFacts& f, const codes::Classification& c) {
  using codes::Reason;
  const std::string who = f.address.empty() ? i18n::text("diagnose.this-address") : f.address;
  const std::string& said = f.rcpt_text;  // the reply as sent, quoted in the sentence
  if (c.outcome == codes::Outcome::success)
    return v(Severity::ok, "deliverable", format("diagnose.deliverable.sentence", {who, f.smtp_host, said}), "rcpt",
             i18n::text("diagnose.deliverable.next"));
  const bool transient = c.outcome == codes::Outcome::transient;
  switch (c.reason) {
    case Reason::greylisted:
      return v(Severity::warning, "greylisted", format("diagnose.greylisted.sentence", {said}), "rcpt",
               i18n::text("diagnose.greylisted.next"));
    case Reason::user_unknown:
      return v(transient ? Severity::warning : Severity::critical, "user-unknown",
               format("diagnose.user-unknown.sentence", {who, said}), "rcpt", i18n::text("diagnose.user-unknown.next"));
    case Reason::relay_denied:
      return v(Severity::critical, "relay-denied", format("diagnose.relay-denied.sentence", {f.smtp_host, who, said}), "rcpt",
               format("diagnose.relay-denied.next", {f.domain}));
    case Reason::blocked:
    case Reason::bad_reputation:
    case Reason::require_ptr:
      return v(Severity::critical, "sender-blocked",
               c.blocklist ? format("diagnose.sender-blocked.sentence.listed", {said, *c.blocklist})
                           : format("diagnose.sender-blocked.sentence", {said}),
               "rcpt", c.remediation);
    default:
      break;
  }
  return v(transient ? Severity::warning : Severity::critical, std::string(codes::to_string(c.reason)),
           format(transient ? "diagnose.refused.transient.sentence" : "diagnose.refused.sentence",
                  {said, std::string(codes::info(c.reason).description)}),
           "rcpt", c.remediation);
}

}  // namespace

DiagnoseVerdict decide(const DiagnoseFacts& f) {
  if (!f.interrupted_step.empty()) {
    const std::string what = f.address.empty() ? f.domain : f.address;
    return v(Severity::unknown, "interrupted", format("diagnose.interrupted.sentence", {what, f.interrupted_step}),
             f.interrupted_step, format("diagnose.interrupted.next", {what}));
  }
  if (auto d = from_dns(f)) return *d;
  if (auto r = from_reach(f)) return *r;
  if (f.banner) {
    return v(Severity::critical, "banner-rejected",
             f.banner->blocklist ? format("diagnose.banner-rejected.sentence.listed", {f.smtp_host, f.banner_text, *f.banner->blocklist})
                                 : format("diagnose.banner-rejected.sentence", {f.smtp_host, f.banner_text}),
             "smtp", f.banner->remediation);
  }
  if (f.dns == DnsFact::implicit_mx && !f.smtp_attempted) {
    return v(Severity::warning, "implicit-mx", format("diagnose.implicit-mx.sentence", {f.domain}), "dns",
             format("diagnose.implicit-mx.next.or-null", {f.domain}));
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
    return v(Severity::unknown, "smtp-timeout", format("diagnose.smtp-timeout.sentence", {f.smtp_host, f.smtp_error}), "smtp",
             i18n::text("diagnose.smtp-timeout.next"));
  if (!f.smtp_error.empty())
    return v(Severity::critical, "smtp-failed", format("diagnose.smtp-failed.sentence", {f.smtp_host, f.smtp_error}), "smtp",
             format("diagnose.smtp-failed.next", {f.smtp_host}));
  if (f.dns == DnsFact::implicit_mx)
    return v(Severity::warning, "implicit-mx", format("diagnose.implicit-mx.sentence", {f.domain}), "dns",
             format("diagnose.implicit-mx.next", {f.domain}));
  return v(Severity::ok, "reachable", format("diagnose.reachable.sentence", {f.domain}), "smtp",
           format("diagnose.reachable.next", {f.domain}));
}

}  // namespace maildiag::app
