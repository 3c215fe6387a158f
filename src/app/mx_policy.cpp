// Findings about the policy records beside the MX: SPF (with its lookup count), DMARC, MTA-STS
// and TLS-RPT TXT records, and TLSA per exchanger.

#include "mx_internal.hpp"

#include "maildiag/dns/policy.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace maildiag::app::mx_detail {

using i18n::format;
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
    r.add(Severity::warning, fmt::format("{}.lookup-failed", id), format("mx.policy.lookup-failed.title", {std::string(what)}),
          i18n::text("mx.policy.lookup-failed.detail"),
          fmt::format("TXT {}: {}: {}", l.name, dns::describe(l.status), util::sanitize(l.error, 200)),
          i18n::text("mx.policy.lookup-failed.fix"));
    return false;
  }
  if (l.records.empty()) {
    r.add(missing_severity, fmt::format("{}.missing", id), format("mx.policy.missing.title", {std::string(what)}),
          std::string(missing_detail),
          fmt::format("TXT {}: {}", l.name, l.status == dns::Status::ok ? "no record with the version tag" : dns::describe(l.status)),
          std::string(missing_fix));
    return false;
  }
  if (l.records.size() > 1) {
    r.add(Severity::warning, fmt::format("{}.multiple", id),
          format("mx.policy.multiple.title", {std::to_string(l.records.size()), std::string(what)}),
          std::string(multiple_detail), joined(l.records, " | "), i18n::text("mx.policy.multiple.fix"));
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
    r.add(Severity::warning, "spf.include-failed", i18n::text("mx.spf.include-failed.title"), i18n::text("mx.spf.include-failed.detail"),
          joined(failed), i18n::text("mx.spf.include-failed.fix"));
  if (!missing.empty())
    r.add(Severity::warning, "spf.include-missing", i18n::text("mx.spf.include-missing.title"),
          i18n::text("mx.spf.include-missing.detail"), joined(missing), i18n::text("mx.spf.include-missing.fix"));
  if (!broken.empty())
    r.add(Severity::warning, "spf.include-syntax", i18n::text("mx.spf.include-syntax.title"), i18n::text("mx.spf.include-syntax.detail"),
          joined(broken), i18n::text("mx.spf.include-syntax.fix"));
}

void add_spf_findings(report::Report& r, const DomainResult& d) {
  const auto& spf = d.spf;
  if (!check_presence(r, spf.top, "spf", "SPF", Severity::warning, i18n::msg("mx.spf.missing.detail"),
                      i18n::msg(d.mx && d.mx->null_mx ? "mx.spf.missing.fix.null-mx" : "mx.spf.missing.fix"),
                      i18n::msg("mx.spf.multiple.detail")))
    return;
  if (!spf.record) return;
  const auto& rec = *spf.record;
  const auto& text = spf.top.records.front();
  if (!rec.valid())
    r.add(Severity::warning, "spf.syntax", i18n::text("mx.spf.syntax.title"), joined(rec.errors), util::sanitize(text, 500),
          i18n::text("mx.spf.syntax.fix"));
  if (rec.all == '+')
    r.add(Severity::warning, "spf.plus-all", i18n::text("mx.spf.plus-all.title"), i18n::text("mx.spf.plus-all.detail"),
          util::sanitize(text, 500), i18n::text("mx.spf.plus-all.fix"));
  if (rec.all == '?')
    r.add(Severity::warning, "spf.neutral-all", i18n::text("mx.spf.neutral-all.title"), i18n::text("mx.spf.neutral-all.detail"),
          util::sanitize(text, 500), i18n::text("mx.spf.neutral-all.fix"));
  if (spf.lookups > kSpfLookupLimit)
    r.add(Severity::warning, "spf.too-many-lookups",
          format("mx.spf.too-many-lookups.title",
                 {std::to_string(kSpfLookupLimit), std::to_string(spf.lookups) + (spf.truncated ? "+" : "")}),
          i18n::text("mx.spf.too-many-lookups.detail"), util::sanitize(text, 500), i18n::text("mx.spf.too-many-lookups.fix"));
  if (spf.void_lookups > kSpfVoidLimit)
    r.add(Severity::warning, "spf.void-lookups",
          format("mx.spf.void-lookups.title", {std::to_string(spf.void_lookups), std::to_string(kSpfVoidLimit)}),
          i18n::text("mx.spf.void-lookups.detail"), {}, i18n::text("mx.spf.void-lookups.fix"));
  if (!rec.warnings.empty())
    r.add(Severity::info, "spf.notes", i18n::text("mx.spf.notes.title"), joined(rec.warnings), util::sanitize(text, 500));
  add_spf_tree_findings(r, spf);
}

void add_dmarc_findings(report::Report& r, const DomainResult& d) {
  if (!check_presence(r, d.dmarc, "dmarc", "DMARC", Severity::warning, i18n::msg("mx.dmarc.missing.detail"),
                      i18n::msg("mx.dmarc.missing.fix"), i18n::msg("mx.dmarc.multiple.detail")))
    return;
  const auto rec = dns::parse_dmarc(d.dmarc.records.front());
  const auto ev = util::sanitize(d.dmarc.records.front(), 500);
  if (!rec.valid()) {
    r.add(Severity::warning, "dmarc.invalid", i18n::text("mx.dmarc.invalid.title"), joined(rec.errors), ev,
          i18n::text("mx.dmarc.invalid.fix"));
    return;
  }
  if (!rec.warnings.empty()) r.add(Severity::info, "dmarc.notes", i18n::text("mx.dmarc.notes.title"), joined(rec.warnings), ev);
}

void add_transport_policy_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  if (s.checks.mta_sts &&
      check_presence(r, d.mta_sts, "mta-sts", "MTA-STS", Severity::info, i18n::msg("mx.mta-sts.missing.detail"),
                     i18n::msg("mx.mta-sts.missing.fix"), i18n::msg("mx.mta-sts.multiple.detail"))) {
    const auto rec = dns::parse_mta_sts(d.mta_sts.records.front());
    if (!rec.valid())
      r.add(Severity::warning, "mta-sts.invalid", i18n::text("mx.mta-sts.invalid.title"), joined(rec.errors),
            util::sanitize(d.mta_sts.records.front(), 300), i18n::text("mx.mta-sts.invalid.fix"));
  }
  if (s.checks.tls_rpt &&
      check_presence(r, d.tls_rpt, "tls-rpt", "TLS-RPT", Severity::info, i18n::msg("mx.tls-rpt.missing.detail"),
                     i18n::msg("mx.tls-rpt.missing.fix"), i18n::msg("mx.tls-rpt.multiple.detail"))) {
    const auto rec = dns::parse_tls_rpt(d.tls_rpt.records.front());
    if (!rec.valid())
      r.add(Severity::warning, "tls-rpt.invalid", i18n::text("mx.tls-rpt.invalid.title"), joined(rec.errors),
            util::sanitize(d.tls_rpt.records.front(), 300), i18n::text("mx.tls-rpt.invalid.fix"));
  }
}

std::string tlsa_problem(const dns::Tlsa& t) {
  if (t.usage > 3 || t.selector > 1 || t.matching_type > 2) return i18n::text("mx.tlsa.problem.unassigned");
  if ((t.matching_type == 1 && t.data.size() != 32) || (t.matching_type == 2 && t.data.size() != 64))
    return format("mx.tlsa.problem.length",
                  {std::to_string(t.data.size()), std::string(dns::tlsa_matching_name(t.matching_type))});
  if (t.usage < 2) return i18n::text("mx.tlsa.problem.pkix");
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
      r.add(Severity::warning, "tlsa.lookup-failed", format("mx.tlsa.lookup-failed.title", {display_name(d.mx->hosts[h].name)}),
            i18n::text("mx.tlsa.lookup-failed.detail"), fmt::format("TLSA {}: {}", name, dns::describe(ans->status)),
            i18n::text("mx.tlsa.lookup-failed.fix"));
      continue;
    }
    if (ans->status != dns::Status::ok) continue;
    for (const auto& t : ans->tlsa()) {
      if (auto why = tlsa_problem(t); !why.empty())
        r.add(Severity::warning, "tlsa.unusable", format("mx.tlsa.unusable.title", {display_name(d.mx->hosts[h].name), why}),
              i18n::text("mx.tlsa.unusable.detail"),
              fmt::format("{} TLSA {} {} {} {}", name, t.usage, t.selector, t.matching_type, t.data_hex().substr(0, 64)),
              i18n::text("mx.tlsa.unusable.fix"));
    }
    const std::string id = ans->authentic_data ? "tlsa.authenticated" : "tlsa.not-authenticated";
    r.add(Severity::info, id, format("mx." + id + ".title", {display_name(d.mx->hosts[h].name), ans->resolver}),
          i18n::text("mx." + id + ".detail"), name);
  }
}

}  // namespace maildiag::app::mx_detail
