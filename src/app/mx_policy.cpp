// Findings about the policy records beside the MX: SPF (with its lookup count), DMARC, MTA-STS
// and TLS-RPT TXT records, and TLSA per exchanger.

#include "mx_internal.hpp"

#include "maildiag/dns/policy.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace maildiag::app::mx_detail {

using report::Severity;

namespace {

std::string joined(const std::vector<std::string>& v, std::string_view sep = "; ") {
  return util::sanitize(fmt::format("{}", fmt::join(v, sep)), 1500);
}

/// When the MX lookup itself failed, one UNKNOWN finding says DNS is down; repeating it for every
/// policy record would only bury it.
bool quiet_failures(const report::Report& r) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [](const report::Finding& f) { return f.id == "mx.lookup-failed"; });
}

/// Common shape of the TXT policy records: failed lookup, missing, several. Returns true when
/// exactly one record is there to be parsed.
bool check_presence(report::Report& r, const TxtLookup& l, std::string_view id, std::string_view what,
                    Severity missing_severity, std::string_view missing_detail, std::string_view missing_fix,
                    std::string_view multiple_detail) {
  if (dns::is_failure(l.status)) {
    if (quiet_failures(r)) return false;
    r.add(Severity::warning, fmt::format("{}.lookup-failed", id), fmt::format("The {} lookup failed", what),
          "Receivers hitting the same failure treat the record as temporarily unavailable.",
          fmt::format("TXT {}: {}: {}", l.name, dns::describe(l.status), util::sanitize(l.error, 200)),
          "Retry; check the zone's name servers.");
    return false;
  }
  if (l.records.empty()) {
    r.add(missing_severity, fmt::format("{}.missing", id), fmt::format("No {} record", what), std::string(missing_detail),
          fmt::format("TXT {}: {}", l.name, l.status == dns::Status::ok ? "no record with the version tag" : dns::describe(l.status)),
          std::string(missing_fix));
    return false;
  }
  if (l.records.size() > 1) {
    r.add(Severity::warning, fmt::format("{}.multiple", id), fmt::format("{} {} records", l.records.size(), what),
          std::string(multiple_detail), joined(l.records, " | "), "Keep exactly one record; merge the others into it.");
    return false;
  }
  return true;
}

void add_spf_tree_findings(report::Report& r, const SpfCheck& spf) {
  std::vector<std::string> failed, missing, broken;
  for (const auto& n : spf.nodes) {
    const auto where = fmt::format("{} ({})", n.domain, n.via);
    if (dns::is_failure(n.lookup.status)) failed.push_back(where + ": " + std::string(dns::describe(n.lookup.status)));
    else if (n.lookup.records.size() != 1)
      missing.push_back(where + (n.lookup.records.empty() ? ": no SPF record" : ": several SPF records"));
    else if (n.record && !n.record->valid()) broken.push_back(where + ": " + fmt::format("{}", fmt::join(n.record->errors, ", ")));
  }
  if (!failed.empty())
    r.add(Severity::warning, "spf.include-failed", "An SPF include/redirect target could not be looked up",
          "Receivers get a temperror for SPF while this lasts.", joined(failed), "Check the target zone's name servers.");
  if (!missing.empty())
    r.add(Severity::warning, "spf.include-missing", "An SPF include/redirect target has no usable SPF record",
          "RFC 7208 §5.2 / §6.1: an include or redirect whose target has no (or several) SPF records is a "
          "permerror, which fails SPF for all mail.",
          joined(missing), "Fix or remove the include/redirect.");
  if (!broken.empty())
    r.add(Severity::warning, "spf.include-syntax", "An SPF include/redirect target has syntax errors",
          "A syntax error anywhere in the tree is a permerror.", joined(broken), "Fix the record at the target.");
}

void add_spf_findings(report::Report& r, const DomainResult& d) {
  const auto& spf = d.spf;
  if (!check_presence(r, spf.top, "spf", "SPF", Severity::warning,
                      "Without SPF, receivers cannot tell which hosts may send as this domain; Gmail and Yahoo "
                      "require SPF or DKIM, and DMARC needs one of them aligned.",
                      d.mx && d.mx->null_mx ? "The domain sends no mail either? Publish \"v=spf1 -all\"."
                                            : "Publish one TXT record \"v=spf1 <your senders> -all\".",
                      "RFC 7208 §4.5: several SPF records make every SPF check a permerror."))
    return;
  if (!spf.record) return;
  const auto& rec = *spf.record;
  const auto& text = spf.top.records.front();
  if (!rec.valid())
    r.add(Severity::warning, "spf.syntax", "The SPF record has syntax errors: receivers return permerror",
          joined(rec.errors), util::sanitize(text, 500), "Fix the listed terms.");
  if (rec.all == '+')
    r.add(Severity::warning, "spf.plus-all", "SPF ends with \"+all\": every host on the Internet passes",
          "\"+all\" authorises the whole Internet to send as this domain, which defeats SPF.",
          util::sanitize(text, 500), "End the record with \"-all\" (or \"~all\" while testing).");
  if (rec.all == '?')
    r.add(Severity::warning, "spf.neutral-all", "SPF ends with \"?all\": other hosts get neutral",
          "Neutral means \"no statement\": spoofed mail is not marked as failing SPF.", util::sanitize(text, 500),
          "End the record with \"-all\" or \"~all\".");
  if (spf.lookups > kSpfLookupLimit)
    r.add(Severity::warning, "spf.too-many-lookups",
          fmt::format("SPF needs more than {} DNS lookups ({}{} counted): receivers return permerror", kSpfLookupLimit,
                      spf.lookups, spf.truncated ? "+" : ""),
          "RFC 7208 §4.6.4 limits include, a, mx, ptr, exists and redirect to 10 lookups over the whole tree; "
          "beyond that SPF fails for all mail.",
          util::sanitize(text, 500), "Flatten includes (replace them by ip4:/ip6: ranges) or drop unused ones.");
  if (spf.void_lookups > kSpfVoidLimit)
    r.add(Severity::warning, "spf.void-lookups",
          fmt::format("{} include/redirect targets do not exist (limit {})", spf.void_lookups, kSpfVoidLimit),
          "RFC 7208 §4.6.4: more than 2 void lookups is a permerror.", {}, "Remove includes of dead domains.");
  if (!rec.warnings.empty())
    r.add(Severity::info, "spf.notes", "SPF notes", joined(rec.warnings), util::sanitize(text, 500));
  add_spf_tree_findings(r, spf);
}

void add_dmarc_findings(report::Report& r, const DomainResult& d) {
  if (!check_presence(r, d.dmarc, "dmarc", "DMARC", Severity::warning,
                      "Without DMARC, receivers decide alone what to do with mail that spoofs this domain, and "
                      "Gmail and Yahoo require DMARC from bulk senders. (A subdomain falls back to its "
                      "organisational domain's record, which is not looked up here.)",
                      "Publish _dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@<domain>\", read the "
                      "reports, then move to p=quarantine or p=reject.",
                      "RFC 7489 §6.6.3: with several DMARC records receivers apply no policy."))
    return;
  const auto rec = dns::parse_dmarc(d.dmarc.records.front());
  const auto ev = util::sanitize(d.dmarc.records.front(), 500);
  if (!rec.valid()) {
    r.add(Severity::warning, "dmarc.invalid", "The DMARC record is invalid: receivers ignore it", joined(rec.errors), ev,
          "Fix the record (v=DMARC1 first, then p=none|quarantine|reject).");
    return;
  }
  if (!rec.warnings.empty()) r.add(Severity::info, "dmarc.notes", "DMARC notes", joined(rec.warnings), ev);
}

void add_transport_policy_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  if (s.checks.mta_sts &&
      check_presence(r, d.mta_sts, "mta-sts", "MTA-STS", Severity::info,
                     "Without MTA-STS (or DANE) a sender falls back to plain text when an attacker strips STARTTLS.",
                     "Publish _mta-sts TXT \"v=STSv1; id=<serial>\" and the policy at "
                     "https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461).",
                     "RFC 8461 §3.1: several records mean senders treat the domain as having no policy.")) {
    const auto rec = dns::parse_mta_sts(d.mta_sts.records.front());
    if (!rec.valid())
      r.add(Severity::warning, "mta-sts.invalid", "The MTA-STS record is invalid: senders ignore the policy",
            joined(rec.errors), util::sanitize(d.mta_sts.records.front(), 300), "Use \"v=STSv1; id=<1-32 letters/digits>\".");
  }
  if (s.checks.tls_rpt &&
      check_presence(r, d.tls_rpt, "tls-rpt", "TLS-RPT", Severity::info,
                     "Without TLS-RPT, senders cannot report TLS or MTA-STS/DANE failures to you (RFC 8460).",
                     "Publish _smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\".",
                     "RFC 8460 §3: several records mean no reports are sent.")) {
    const auto rec = dns::parse_tls_rpt(d.tls_rpt.records.front());
    if (!rec.valid())
      r.add(Severity::warning, "tls-rpt.invalid", "The TLS-RPT record is invalid: no reports are sent",
            joined(rec.errors), util::sanitize(d.tls_rpt.records.front(), 300),
            "Use \"v=TLSRPTv1; rua=mailto:...\" (or https:).");
  }
}

std::string tlsa_problem(const dns::Tlsa& t) {
  if (t.usage > 3 || t.selector > 1 || t.matching_type > 2) return "unassigned usage, selector or matching type";
  if ((t.matching_type == 1 && t.data.size() != 32) || (t.matching_type == 2 && t.data.size() != 64))
    return fmt::format("{} bytes of data for {}", t.data.size(), dns::tlsa_matching_name(t.matching_type));
  if (t.usage < 2) return "PKIX usages (0, 1) are unusable for SMTP (RFC 7672 §3.1.3)";
  return {};
}

}  // namespace

void add_policy_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  if (d.mx && d.mx->status == dns::Status::nxdomain) return;  // nothing exists: one finding says it
  if (s.checks.spf) add_spf_findings(r, d);
  if (s.checks.dmarc) add_dmarc_findings(r, d);
  if (d.mx && d.mx->null_mx && d.mx->hosts.empty()) return;  // no mail in: transport policies do not apply
  add_transport_policy_findings(r, d, s);
}

void add_tlsa_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  if (!s.checks.tlsa || !d.mx) return;
  for (std::size_t h = 0; h < d.exchangers.size() && h < d.mx->hosts.size(); ++h) {
    const auto& ans = d.exchangers[h].tlsa;
    if (!ans) continue;
    const auto name = "_25._tcp." + d.mx->hosts[h].name;
    if (dns::is_failure(ans->status)) {
      r.add(Severity::warning, "tlsa.lookup-failed", fmt::format("The TLSA lookup for {} failed", display_name(d.mx->hosts[h].name)),
            "RFC 7672 §2.2: a DANE sender defers mail when the TLSA lookup fails — often a broken DNSSEC chain.",
            fmt::format("TLSA {}: {}", name, dns::describe(ans->status)), "Check the DNSSEC chain (e.g. with delv or dnsviz).");
      continue;
    }
    if (ans->status != dns::Status::ok) continue;
    for (const auto& t : ans->tlsa()) {
      if (auto why = tlsa_problem(t); !why.empty())
        r.add(Severity::warning, "tlsa.unusable", fmt::format("A TLSA record for {} is unusable: {}", display_name(d.mx->hosts[h].name), why),
              "Senders ignore unusable TLSA records; if none is usable DANE does not protect this exchanger.",
              fmt::format("{} TLSA {} {} {} {}", name, t.usage, t.selector, t.matching_type, t.data_hex().substr(0, 64)),
              "Publish \"3 1 1 <SHA-256 of the SubjectPublicKeyInfo>\" (DANE-EE) or \"2 1 1\" for the issuing CA.");
    }
    r.add(Severity::info, ans->authentic_data ? "tlsa.authenticated" : "tlsa.not-authenticated",
          ans->authentic_data
              ? fmt::format("TLSA for {}: AD from resolver {}", display_name(d.mx->hosts[h].name), ans->resolver)
              : fmt::format("TLSA for {} came without AD from resolver {}", display_name(d.mx->hosts[h].name), ans->resolver),
          ans->authentic_data
              ? "The resolver says it validated the answer with DNSSEC (maildiag does not validate itself; trust "
                "this only from a validating resolver over a trusted path)."
              : "DANE applies only to DNSSEC-validated TLSA records: senders ignore these unless the zone is signed "
                "and their resolver validates it.",
          name);
  }
}

}  // namespace maildiag::app::mx_detail
