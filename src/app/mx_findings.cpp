// Findings about the MX set, the exchangers' addresses, reverse DNS, block lists and resolver
// agreement. Severities: CRITICAL when the domain cannot receive mail, UNKNOWN when DNS failed
// for the MX lookup itself, WARNING for configuration problems (docs/mx.md lists every id).

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

std::string status_words(dns::Status s, const std::string& error) {
  std::string out(dns::describe(s));
  if (!error.empty() && dns::is_failure(s)) out += ": " + util::sanitize(error, 200);
  return out;
}

void add_null_and_empty(report::Report& r, const DomainResult& d, const dns::MxHosts& mx) {
  const auto dom = d.name.display();
  if (mx.status == dns::Status::nxdomain) {
    r.add(Severity::critical, "mx.nxdomain", format("mx.nxdomain.title", {dom}), i18n::text("mx.nxdomain.detail"),
          fmt::format("MX {}: NXDOMAIN from {}", d.name.ascii, d.resolver), i18n::text("mx.nxdomain.fix"));
    return;
  }
  if (dns::is_failure(mx.status)) {
    r.add(Severity::unknown, "mx.lookup-failed", format("mx.lookup-failed.query.title", {dom}),
          i18n::text("mx.lookup-failed.query.detail"),
          fmt::format("MX {}: {} (resolver {})", d.name.ascii, status_words(mx.status, mx.error), d.resolver),
          i18n::text("mx.lookup-failed.query.fix"));
    return;
  }
  if (mx.null_mx && mx.hosts.empty()) {
    r.add(Severity::critical, "mx.null", format("mx.null.title", {dom}), i18n::text("mx.null.detail"),
          fmt::format("MX {}: 0 .", d.name.ascii), i18n::text("mx.null.fix"));
    return;
  }
  if (mx.implicit) {
    std::vector<std::string> addrs;
    for (const auto& a : mx.hosts.front().addresses.addresses) addrs.push_back(a.to_string());
    r.add(Severity::warning, "mx.implicit", format("mx.implicit.title", {dom}), i18n::text("mx.implicit.detail"),
          fmt::format("MX {}: NODATA; A/AAAA: {}", d.name.ascii, util::sanitize(fmt::format("{}", fmt::join(addrs, ", ")))),
          i18n::text("mx.implicit.fix"));
    return;
  }
  if (mx.hosts.empty()) {
    if (!mx.error.empty()) {
      r.add(Severity::unknown, "mx.lookup-failed", format("mx.lookup-failed.address.title", {dom}),
            i18n::text("mx.lookup-failed.address.detail"),
            fmt::format("MX {}: NODATA; A/AAAA: {}", d.name.ascii, util::sanitize(mx.error, 200)),
            i18n::text("mx.fix.retry-other-resolver"));
      return;
    }
    r.add(Severity::critical, "mx.none", format("mx.none.title", {dom}), i18n::text("mx.none.detail"),
          fmt::format("MX {}: NODATA; A/AAAA: NODATA", d.name.ascii), i18n::text("mx.none.fix"));
  }
}

void add_load_sharing(report::Report& r, const dns::MxHosts& mx) {
  std::map<std::uint16_t, std::vector<std::string>> by_pref;
  for (const auto& h : mx.hosts) by_pref[h.preference].push_back(display_name(h.name));
  for (const auto& [pref, names] : by_pref) {
    if (names.size() < 2) continue;
    r.add(Severity::info, "mx.load-shared",
          format("mx.load-shared.title", {std::to_string(names.size()), std::to_string(pref)}),
          i18n::text("mx.load-shared.detail"), util::sanitize(fmt::format("{}", fmt::join(names, ", "))));
  }
}

void add_exchanger_findings(report::Report& r, const DomainResult& d, const dns::MxHosts& mx) {
  for (const auto& h : mx.hosts) {
    const auto name = display_name(h.name);
    if (h.ip_literal) {
      r.add(Severity::warning, "mx.target-ip-literal", format("mx.target-ip-literal.title", {name}),
            i18n::text("mx.target-ip-literal.detail"),
            fmt::format("MX {}: {} {}", d.name.ascii, h.preference, util::sanitize(h.name)),
            i18n::text("mx.target-ip-literal.fix"));
      continue;
    }
    const auto& a = h.addresses;
    if (!a.cname_chain.empty()) {
      r.add(Severity::warning, "mx.target-cname", format("mx.target-cname.title", {name}), i18n::text("mx.target-cname.detail"),
            util::sanitize(fmt::format("{} CNAME {}", h.name, fmt::join(a.cname_chain, " -> "))),
            i18n::text("mx.target-cname.fix"));
    }
    if (!a.addresses.empty() || mx.implicit) continue;
    const bool failed = dns::is_failure(a.status);
    const std::string id =
        failed ? "mx.target-lookup-failed" : (a.status == dns::Status::nxdomain ? "mx.target-nxdomain" : "mx.target-no-address");
    r.add(Severity::warning, id, format(id + ".title", {name}),
          text(failed ? "mx.target-lookup-failed.detail" : "mx.target-no-address.detail"),
          fmt::format("A/AAAA {}: {}", util::sanitize(h.name), status_words(a.status, a.error)),
          text(failed ? "mx.target-lookup-failed.fix" : "mx.target-no-address.fix"));
  }
  if (!mx.hosts.empty() && !mx.routable() && !mx.implicit) {
    const bool any_failure = std::any_of(mx.hosts.begin(), mx.hosts.end(), [](const dns::MxHost& h) {
      return !h.ip_literal && dns::is_failure(h.addresses.status);
    });
    if (any_failure) {
      r.add(Severity::unknown, "mx.targets-unresolved", i18n::text("mx.targets-unresolved.title"),
            i18n::text("mx.targets-unresolved.detail"), {}, i18n::text("mx.fix.retry-other-resolver"));
    } else {
      r.add(Severity::critical, "mx.no-usable-exchanger", i18n::text("mx.no-usable-exchanger.title"),
            i18n::text("mx.no-usable-exchanger.detail"), fmt::format("MX {}: {}", d.name.ascii, util::sanitize(mx_set_text(mx))),
            i18n::text("mx.no-usable-exchanger.fix"));
    }
  }
}

}  // namespace

void add_mx_findings(report::Report& r, const DomainResult& d, const Settings& /*s*/) {
  if (!d.mx) {
    r.add(Severity::unknown, "mx.lookup-failed", format("mx.lookup-failed.unfinished.title", {d.name.display()}),
          i18n::text("mx.lookup-failed.unfinished.detail"), {}, i18n::text("mx.fix.longer-timeout"));
    return;
  }
  add_null_and_empty(r, d, *d.mx);
  if (d.mx->status != dns::Status::ok) return;
  if (d.mx->null_mx && !d.mx->hosts.empty()) {
    r.add(Severity::warning, "mx.null-with-others", i18n::text("mx.null-with-others.title"), i18n::text("mx.null-with-others.detail"),
          util::sanitize(fmt::format("MX {}: 0 ., {}", d.name.ascii, mx_set_text(*d.mx))),
          i18n::text("mx.null-with-others.fix"));
  }
  add_load_sharing(r, *d.mx);
  add_exchanger_findings(r, d, *d.mx);
}

}  // namespace maildiag::app::mx_detail
