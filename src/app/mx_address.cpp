// Findings per exchanger address: where it is routable, reverse DNS and forward confirmation,
// block-list listings; and whether several resolvers agree (--compare).

#include "mx_internal.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace maildiag::app::mx_detail {

using i18n::format;
using report::Severity;

namespace {

using i18n::text;

/// A title that counts addresses: "1 exchanger address is ..." / "2 exchanger addresses are ...".
std::string count_title(std::string_view stem, std::size_t n) {
  return format(std::string(stem) + (n == 1 ? ".title.one" : ".title.many"), {std::to_string(n)});
}

/// Calls f(host, address check) for every address of every exchanger.
template <typename F>
void each_address(const DomainResult& d, F f) {
  if (!d.mx) return;
  for (std::size_t h = 0; h < d.exchangers.size() && h < d.mx->hosts.size(); ++h) {
    for (const auto& ac : d.exchangers[h].addresses) f(d.mx->hosts[h], ac);
  }
}

std::string where(const dns::MxHost& h, const AddressCheck& ac) {
  return fmt::format("{} ({})", ac.address.to_string(), display_name(h.name));
}

void add_scope_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  std::vector<std::string> odd;
  each_address(d, [&](const dns::MxHost& h, const AddressCheck& ac) {
    const auto scope = ac.address.scope();
    if (scope != dns::AddressScope::global) odd.push_back(fmt::format("{} {}", where(h, ac), dns::to_string(scope)));
  });
  if (odd.empty()) return;
  r.add(s.allow_private ? Severity::info : Severity::warning, "mx.address-not-public",
        count_title("mx.address-not-public", odd.size()),
        text(s.allow_private ? "mx.address-not-public.detail.allowed" : "mx.address-not-public.detail"),
        util::sanitize(fmt::format("{}", fmt::join(odd, "; "))), i18n::text("mx.address-not-public.fix"));
}

void add_ptr_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  if (!s.checks.ptr) return;
  std::vector<std::string> missing, mismatch, failed;
  each_address(d, [&](const dns::MxHost& h, const AddressCheck& ac) {
    const auto& p = ac.ptr;
    if (p.status == dns::Status::nxdomain || p.status == dns::Status::nodata) {
      missing.push_back(fmt::format("{}: {} {}", where(h, ac), ac.address.reverse_name(), dns::to_string(p.status)));
    } else if (p.status == dns::Status::ok && !p.confirmed.value_or(false)) {
      mismatch.push_back(fmt::format("{} PTR {}", where(h, ac), fmt::join(p.names, ", ")));
    } else if (p.status != dns::Status::ok) {
      failed.push_back(fmt::format("{}: {}", where(h, ac), dns::describe(p.status)));
    }
  });
  if (!missing.empty())
    r.add(Severity::warning, "ptr.missing", count_title("mx.ptr.missing", missing.size()), i18n::text("mx.ptr.missing.detail"),
          util::sanitize(fmt::format("{}", fmt::join(missing, "; "))), i18n::text("mx.ptr.missing.fix"));
  if (!mismatch.empty())
    r.add(Severity::warning, "ptr.mismatch", count_title("mx.ptr.mismatch", mismatch.size()),
          i18n::text("mx.ptr.mismatch.detail"), util::sanitize(fmt::format("{}", fmt::join(mismatch, "; "))),
          i18n::text("mx.ptr.mismatch.fix"));
  if (!failed.empty())
    r.add(Severity::warning, "ptr.lookup-failed", i18n::text("mx.ptr.lookup-failed.title"), i18n::text("mx.ptr.lookup-failed.detail"),
          util::sanitize(fmt::format("{}", fmt::join(failed, "; "))), i18n::text("mx.ptr.lookup-failed.fix"));
}

void add_dnsbl_findings(report::Report& r, const DomainResult& d) {
  std::map<std::string, std::vector<std::string>> refused, bogus, failed;
  each_address(d, [&](const dns::MxHost& h, const AddressCheck& ac) {
    for (const auto& b : ac.dnsbl) {
      std::vector<std::string> codes;
      for (const auto& c : b.result.codes) codes.push_back(c.to_string());
      const auto answer = fmt::format("{} A {}", b.query, fmt::join(codes, ","));
      switch (b.result.verdict) {
        case dns::DnsblVerdict::listed:
          r.add(Severity::warning, "dnsbl.listed", format("mx.dnsbl.listed.title", {where(h, ac), b.zone}),
                b.result.meaning.empty() ? i18n::text("mx.dnsbl.listed.detail")
                                         : format("mx.dnsbl.listed.detail.meaning", {b.result.meaning}),
                util::sanitize(answer + (b.reason.empty() ? "" : "; TXT \"" + b.reason + "\"")),
                i18n::text("mx.dnsbl.listed.fix"));
          break;
        case dns::DnsblVerdict::query_refused: refused[b.zone].push_back(answer + " — " + b.result.meaning); break;
        case dns::DnsblVerdict::bogus_answer: bogus[b.zone].push_back(answer); break;
        case dns::DnsblVerdict::failed: failed[b.zone].push_back(ac.address.to_string() + ": " + b.result.meaning); break;
        case dns::DnsblVerdict::not_listed: break;
      }
    }
  });
  for (const auto& [zone, items] : refused)
    r.add(Severity::warning, "dnsbl.query-refused", format("mx.dnsbl.query-refused.title", {zone}),
          i18n::text("mx.dnsbl.query-refused.detail"), util::sanitize(fmt::format("{}", fmt::join(items, "; "))),
          i18n::text("mx.dnsbl.query-refused.fix"));
  for (const auto& [zone, items] : bogus)
    r.add(Severity::info, "dnsbl.bogus-answer", format("mx.dnsbl.bogus-answer.title", {zone}),
          i18n::text("mx.dnsbl.bogus-answer.detail"), util::sanitize(fmt::format("{}", fmt::join(items, "; "))),
          i18n::text("mx.dnsbl.bogus-answer.fix"));
  for (const auto& [zone, items] : failed)
    r.add(Severity::info, "dnsbl.lookup-failed", format("mx.dnsbl.lookup-failed.title", {zone}), {},
          util::sanitize(fmt::format("{}", fmt::join(items, "; "))));
}

/// "mx1.example=127.0.0.11,::1; mx2..." for one resolver's view.
std::string addresses_text(const dns::MxHosts& mx) {
  std::vector<std::string> parts;
  for (const auto& h : mx.hosts) {
    std::vector<std::string> a;
    for (const auto& x : h.addresses.addresses) a.push_back(x.to_string());
    std::sort(a.begin(), a.end());
    parts.push_back(fmt::format("{}={}", h.name, a.empty() ? std::string(dns::to_string(h.addresses.status))
                                                           : fmt::format("{}", fmt::join(a, ","))));
  }
  std::sort(parts.begin(), parts.end());
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

std::string mx_set_text(const dns::MxHosts& mx) {
  if (mx.status != dns::Status::ok && !mx.implicit) return std::string(dns::to_string(mx.status));
  std::vector<std::string> parts;
  if (mx.null_mx) parts.emplace_back("0 .");
  for (const auto& h : mx.hosts) parts.push_back(mx.implicit ? "implicit " + h.name : fmt::format("{} {}", h.preference, h.name));
  return fmt::format("{}", fmt::join(parts, ", "));
}

void add_address_findings(report::Report& r, const DomainResult& d, const Settings& s) {
  add_scope_findings(r, d, s);
  add_ptr_findings(r, d, s);
  add_dnsbl_findings(r, d);
}

void add_compare_findings(report::Report& r, const DomainResult& d) {
  if (d.compare.size() < 2) return;
  auto& sec = r.add_section(i18n::text("mx.compare.title"), {i18n::text("mx.compare.col.resolver"), "MX", i18n::text("mx.compare.col.addresses")});
  std::vector<std::pair<std::string, std::string>> views;
  for (const auto& v : d.compare) {
    const auto mx = v.mx ? mx_set_text(*v.mx) : i18n::text("mx.compare.unfinished");
    const auto addrs = v.mx ? addresses_text(*v.mx) : "";
    views.emplace_back(mx, addrs);
    sec.rows.push_back({v.resolver, util::sanitize(mx, 300), util::sanitize(addrs, 300)});
  }
  const bool mx_differs = std::any_of(views.begin(), views.end(), [&](const auto& v) { return v.first != views[0].first; });
  const bool addr_differs = std::any_of(views.begin(), views.end(), [&](const auto& v) { return v.second != views[0].second; });
  if (!mx_differs && !addr_differs) {
    r.add(Severity::info, "dns.resolvers-agree", format("mx.resolvers-agree.title", {std::to_string(views.size())}));
    return;
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < views.size(); ++i)
    lines.push_back(fmt::format("{}: MX {} | {}", d.compare[i].resolver, views[i].first, views[i].second));
  r.add(Severity::warning, "dns.resolvers-disagree",
        text(mx_differs ? "mx.resolvers-disagree.title.mx" : "mx.resolvers-disagree.title.addresses"),
        i18n::text("mx.resolvers-disagree.detail"), util::sanitize(fmt::format("{}", fmt::join(lines, " / ")), 1500),
        i18n::text("mx.resolvers-disagree.fix"));
}

}  // namespace maildiag::app::mx_detail
