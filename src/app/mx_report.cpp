// Turns one domain's collected DNS data into the Report: tables for people, findings, and the
// `data` object documented in docs/mx.md; plus the one-line form used by bulk mode.

#include "mx_internal.hpp"

#include "maildiag/dns/policy.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace maildiag::app::mx_detail {

using i18n::format;
using i18n::msg;
using i18n::text;
using report::Severity;

std::string display_name(std::string_view ascii) {
  if (!dns::has_a_label(ascii)) return util::sanitize(ascii, 300);  // most names: to_unicode would copy them
  const auto u = dns::to_unicode(ascii);
  return util::sanitize(u == ascii ? u : u + " (" + std::string(ascii) + ")", 300);
}

namespace {

std::string shorten(std::string_view s, std::size_t n) { return util::sanitize(s, n); }


std::string ptr_text(const PtrCheck& p) {
  if (p.status == dns::Status::ok) return shorten(fmt::format("{}", fmt::join(p.names, ", ")), 120);
  return std::string(dns::to_string(p.status));
}

std::string fcrdns_text(const PtrCheck& p) {
  if (p.status != dns::Status::ok) return "-";
  return text(p.confirmed.value_or(false) ? "mx.table.yes" : "mx.table.no");
}

void add_mx_table(report::Report& r, const DomainResult& d, const Settings& s) {
  if (!d.mx) return;
  const auto& mx = *d.mx;
  if (mx.status != dns::Status::ok && !mx.implicit) return;
  std::vector<std::string> cols{i18n::text("mx.table.pref"), i18n::text("mx.table.exchanger"), i18n::text("mx.table.address")};
  if (s.checks.ptr) cols.insert(cols.end(), {"PTR", "FCrDNS"});
  auto& sec = r.add_section(i18n::text("mx.table.title"), cols);
  if (mx.null_mx) sec.rows.push_back({"0", i18n::text("mx.table.null-mx"), "-"});
  for (std::size_t h = 0; h < mx.hosts.size(); ++h) {
    const auto& host = mx.hosts[h];
    const auto pref = mx.implicit ? std::string("-") : std::to_string(host.preference);
    auto name = mx.implicit ? format("mx.table.implicit", {display_name(host.name)}) : display_name(host.name);
    if (!host.addresses.cname_chain.empty()) name += " (CNAME)";
    const auto& addrs = h < d.exchangers.size() ? d.exchangers[h].addresses : std::vector<AddressCheck>{};
    if (addrs.empty()) {
      std::vector<std::string> row{pref, name, host.ip_literal ? i18n::text("mx.table.ip-literal") : std::string(dns::to_string(host.addresses.status))};
      if (s.checks.ptr) row.insert(row.end(), {"", ""});
      sec.rows.push_back(std::move(row));
    }
    for (std::size_t i = 0; i < addrs.size(); ++i) {
      std::vector<std::string> row{i == 0 ? pref : "", i == 0 ? name : "", addrs[i].address.to_string()};
      if (s.checks.ptr) row.insert(row.end(), {ptr_text(addrs[i].ptr), fcrdns_text(addrs[i].ptr)});
      sec.rows.push_back(std::move(row));
    }
  }
}

std::string lookup_text(const TxtLookup& l) {
  if (!l.records.empty()) {
    auto t = shorten(l.records.front(), 160);
    if (l.records.size() > 1) t = format("mx.overview.more", {t, std::to_string(l.records.size() - 1)});
    return t;
  }
  return l.status == dns::Status::ok || l.status == dns::Status::nodata || l.status == dns::Status::nxdomain
             ? i18n::text("mx.overview.none")
             : format("mx.overview.lookup-failed", {std::string(dns::to_string(l.status))});
}

void add_overview(report::Report& r, const DomainResult& d, const Settings& s) {
  auto& sec = r.add_section("");
  sec.rows.push_back({i18n::text("mx.overview.domain"), util::sanitize(d.name.display(), 300)});
  sec.rows.push_back({i18n::text("mx.overview.resolver"), d.resolver});
  if (d.mx && d.mx->status == dns::Status::ok)
    sec.rows.push_back({i18n::text("mx.overview.mx-answer"),
                        text(d.mx->mx_answer.authentic_data ? "mx.overview.ad" : "mx.overview.no-ad")});
  if (s.checks.spf) {
    auto spf = lookup_text(d.spf.top);
    if (d.spf.record)
      spf = format("mx.overview.spf-lookups", {spf, std::to_string(d.spf.lookups) + (d.spf.truncated ? "+" : ""),
                                               std::to_string(kSpfLookupLimit)});
    sec.rows.push_back({"SPF", spf});
  }
  if (s.checks.dmarc) sec.rows.push_back({"DMARC", lookup_text(d.dmarc)});
  if (s.checks.mta_sts) sec.rows.push_back({"MTA-STS", lookup_text(d.mta_sts)});
  if (s.checks.tls_rpt) sec.rows.push_back({"TLS-RPT", lookup_text(d.tls_rpt)});
}

void add_tlsa_table(report::Report& r, const DomainResult& d) {
  if (!d.mx) return;
  report::Section sec{"TLSA (_25._tcp)",
                      {i18n::text("mx.table.exchanger"), i18n::text("mx.tlsa.col.usage"), i18n::text("mx.tlsa.col.selector"),
                       i18n::text("mx.tlsa.col.match"), i18n::text("mx.tlsa.col.data"), "AD"},
                      {}};
  for (std::size_t h = 0; h < d.exchangers.size() && h < d.mx->hosts.size(); ++h) {
    const auto& a = d.exchangers[h].tlsa;
    if (!a || a->status != dns::Status::ok) continue;
    for (const auto& t : a->tlsa()) {
      auto hex = t.data_hex();
      if (hex.size() > 24) hex = hex.substr(0, 24) + "…";
      sec.rows.push_back({display_name(d.mx->hosts[h].name), fmt::format("{} {}", t.usage, dns::tlsa_usage_name(t.usage)),
                          fmt::format("{} {}", t.selector, dns::tlsa_selector_name(t.selector)),
                          fmt::format("{} {}", t.matching_type, dns::tlsa_matching_name(t.matching_type)), hex,
                          text(a->authentic_data ? "mx.table.yes" : "mx.table.no")});
    }
  }
  if (!sec.rows.empty()) r.sections.push_back(std::move(sec));
}

void add_dnsbl_table(report::Report& r, const DomainResult& d, const Settings& s) {
  if (s.dnsbl_zones.empty() || !d.mx) return;
  report::Section sec{i18n::text("mx.dnsbl.title"),
                      {i18n::text("mx.table.address"), i18n::text("mx.dnsbl.col.zone"), i18n::text("mx.dnsbl.col.result"),
                       i18n::text("mx.dnsbl.col.detail")},
                      {}};
  for (const auto& ex : d.exchangers) {
    for (const auto& ac : ex.addresses) {
      for (const auto& b : ac.dnsbl) {
        std::string detail = b.result.meaning;
        if (!b.reason.empty()) detail += (detail.empty() ? "" : "; ") + b.reason;
        sec.rows.push_back({ac.address.to_string(), b.zone, std::string(dns::to_string(b.result.verdict)), shorten(detail, 160)});
      }
    }
  }
  if (!sec.rows.empty()) r.sections.push_back(std::move(sec));
}

}  // namespace

report::Report build_report(const DomainResult& d, const Settings& s) {
  report::Report r;
  r.command = "mx";
  r.target = util::sanitize(d.name.display(), 300);
  if (s.tables) {
    add_overview(r, d, s);
    add_mx_table(r, d, s);
    add_tlsa_table(r, d);
    add_dnsbl_table(r, d, s);
  }
  add_mx_findings(r, d, s);
  add_address_findings(r, d, s);
  add_policy_findings(r, d, s);
  add_tlsa_findings(r, d, s);
  add_compare_findings(r, d);
  if (d.deadline_hit)
    r.add(Severity::unknown, "mx.deadline", i18n::text("mx.deadline.title"), i18n::text("mx.deadline.detail"), {},
          i18n::text("mx.fix.longer-timeout"));
  r.data_text.reserve(2048);
  write_data(r.data_text, d, s);
  return r;
}

InvalidInput invalid_input(std::string_view id, const std::vector<std::string>& args) {
  InvalidInput why;
  why.title = format(id, args);
  why.error = i18n::in_english([&] { return format(id, args); });  // JSON data: never translated
  return why;
}

report::Report invalid_domain_report(std::string_view input, const InvalidInput& why) {
  report::Report r;
  r.command = "mx";
  r.target = util::sanitize(input, 200);
  r.add(Severity::unknown, "mx.invalid-domain", util::sanitize(why.title, 300), {}, {},
        i18n::text("mx.invalid-domain.fix"));
  write_invalid_data(r.data_text, input, why);
  return r;
}

namespace {

/// "STATUS target" of a compact line.
std::string line_head(const report::Report& r) {
  const auto st = r.status() == Severity::info ? Severity::ok : r.status();
  return fmt::format("{:<4} {}", report::label(st), r.target);
}

/// " id,id" of the findings worse than info, or nothing.
void append_finding_ids(std::string& line, const report::Report& r) {
  std::vector<std::string_view> ids;
  for (const auto& f : r.findings) {
    if (f.severity != Severity::info && f.severity != Severity::ok) ids.emplace_back(f.id);
  }
  if (!ids.empty()) line += " " + fmt::format("{}", fmt::join(ids, ","));
}

/// " mx=10:mx1,20:mx2" (or " mx=STATUS", "(implicit)" appended) as the JSON's mx object says.
void append_mx_set(std::string& line, const dns::MxHosts& mx) {
  std::vector<std::string> set;
  if (mx.null_mx) set.emplace_back("0:.");
  for (const auto& h : mx.hosts) set.push_back(fmt::format("{}:{}", h.preference, util::sanitize(h.name, 300)));
  line += " mx=" + (set.empty() ? std::string(dns::to_string(mx.status)) : fmt::format("{}", fmt::join(set, ","))) +
          (mx.implicit ? "(implicit)" : "");
}

}  // namespace

std::string compact_line(const report::Report& r, const DomainResult& d) {
  std::string line = line_head(r);
  if (d.mx) append_mx_set(line, *d.mx);
  line += fmt::format(" {:.0f}ms", std::round(d.elapsed_ms * 10) / 10);  // the JSON's elapsed_ms, rounded
  append_finding_ids(line, r);
  return line;
}

std::string compact_line(const report::Report& r, const InvalidInput& why) {
  std::string line = line_head(r);
  append_finding_ids(line, r);
  return line + " " + util::sanitize(why.error, 300);
}

}  // namespace maildiag::app::mx_detail
