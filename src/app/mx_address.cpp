// Findings per exchanger address: where it is routable, reverse DNS and forward confirmation,
// block-list listings; and whether several resolvers agree (--compare).

#include "mx_internal.hpp"

#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace maildiag::app::mx_detail {

using report::Severity;

namespace {

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
        fmt::format("{} exchanger address{} not reachable from the Internet", odd.size(), odd.size() == 1 ? " is" : "es are"),
        s.allow_private ? "Loopback, private, link-local, documentation and reserved addresses are reachable only "
                          "inside a site (--allow-private: expected here)."
                        : "Loopback, private, link-local, documentation and reserved addresses cannot receive mail "
                          "from the Internet; published in public DNS they make senders defer or bounce. (Expected "
                          "for an internal relay or a lab — pass --allow-private to make this informational.)",
        util::sanitize(fmt::format("{}", fmt::join(odd, "; "))),
        "Publish the exchangers' public addresses in the domain's public DNS.");
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
    r.add(Severity::warning, "ptr.missing", fmt::format("{} exchanger address{} no reverse DNS (PTR)", missing.size(),
                                                        missing.size() == 1 ? " has" : "es have"),
          "Exchangers usually send mail too; receivers such as Gmail and Outlook reject or junk mail from "
          "addresses without a PTR record, and a missing PTR is a spam signal.",
          util::sanitize(fmt::format("{}", fmt::join(missing, "; "))),
          "Ask whoever owns the address block (hosting provider / ISP) to set a PTR naming the exchanger.");
  if (!mismatch.empty())
    r.add(Severity::warning, "ptr.mismatch",
          fmt::format("Reverse DNS of {} exchanger address{} does not resolve back (FCrDNS fails)", mismatch.size(),
                      mismatch.size() == 1 ? "" : "es"),
          "The PTR name's A/AAAA records do not include the address: forward-confirmed reverse DNS fails, "
          "which receivers treat like a missing PTR.",
          util::sanitize(fmt::format("{}", fmt::join(mismatch, "; "))),
          "Make the PTR name resolve to the address (or change the PTR to a name that does).");
  if (!failed.empty())
    r.add(Severity::warning, "ptr.lookup-failed", "Reverse DNS could not be looked up for some addresses",
          "DNS failed for the PTR query; receivers that hit the same failure may defer mail.",
          util::sanitize(fmt::format("{}", fmt::join(failed, "; "))),
          "Check the reverse zone's name servers with the address owner.");
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
          r.add(Severity::warning, "dnsbl.listed", fmt::format("{} is listed on {}", where(h, ac), b.zone),
                b.result.meaning.empty() ? "Receivers that use this list reject or junk mail from the address."
                                         : b.result.meaning + ". Receivers that use this list reject or junk mail "
                                                              "from the address.",
                util::sanitize(answer + (b.reason.empty() ? "" : "; TXT \"" + b.reason + "\"")),
                "Find and stop the cause (compromised account, open relay, bulk mail), then request delisting "
                "on the list's web site.");
          break;
        case dns::DnsblVerdict::query_refused: refused[b.zone].push_back(answer + " — " + b.result.meaning); break;
        case dns::DnsblVerdict::bogus_answer: bogus[b.zone].push_back(answer); break;
        case dns::DnsblVerdict::failed: failed[b.zone].push_back(ac.address.to_string() + ": " + b.result.meaning); break;
        case dns::DnsblVerdict::not_listed: break;
      }
    }
  });
  for (const auto& [zone, items] : refused)
    r.add(Severity::warning, "dnsbl.query-refused", fmt::format("{} refused to answer: no verdict", zone),
          "The list answered with a 127.255.255.x code, which means \"query refused\", not a listing. Lists "
          "such as Spamhaus refuse queries that come through public resolvers.",
          util::sanitize(fmt::format("{}", fmt::join(items, "; "))),
          "Query through your own recursive resolver (--dns-server), or use the list's registered access "
          "(e.g. a Spamhaus DQS key zone).");
  for (const auto& [zone, items] : bogus)
    r.add(Severity::info, "dnsbl.bogus-answer", fmt::format("{} answered outside 127.0.0.0/8: ignored", zone),
          "A block list answers 127.0.0.x for listings; other answers mean the zone wildcards everything or is no "
          "longer operated.",
          util::sanitize(fmt::format("{}", fmt::join(items, "; "))), "Drop this zone from --dnsbl.");
  for (const auto& [zone, items] : failed)
    r.add(Severity::info, "dnsbl.lookup-failed", fmt::format("{} could not be queried", zone), {},
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
  auto& sec = r.add_section("Resolvers compared", {"Resolver", "MX", "Addresses"});
  std::vector<std::pair<std::string, std::string>> views;
  for (const auto& v : d.compare) {
    const auto mx = v.mx ? mx_set_text(*v.mx) : "did not finish";
    const auto addrs = v.mx ? addresses_text(*v.mx) : "";
    views.emplace_back(mx, addrs);
    sec.rows.push_back({v.resolver, util::sanitize(mx, 300), util::sanitize(addrs, 300)});
  }
  const bool mx_differs = std::any_of(views.begin(), views.end(), [&](const auto& v) { return v.first != views[0].first; });
  const bool addr_differs = std::any_of(views.begin(), views.end(), [&](const auto& v) { return v.second != views[0].second; });
  if (!mx_differs && !addr_differs) {
    r.add(Severity::info, "dns.resolvers-agree", fmt::format("All {} resolvers give the same MX set and addresses", views.size()));
    return;
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < views.size(); ++i)
    lines.push_back(fmt::format("{}: MX {} | {}", d.compare[i].resolver, views[i].first, views[i].second));
  r.add(Severity::warning, "dns.resolvers-disagree",
        mx_differs ? "Resolvers disagree about the MX set" : "Resolvers disagree about the exchangers' addresses",
        "Senders using different resolvers deliver to different places: a change still propagating (TTL), "
        "split-horizon DNS, a stale or hijacked resolver cache, or inconsistent authoritative servers.",
        util::sanitize(fmt::format("{}", fmt::join(lines, " / ")), 1500),
        "Compare the authoritative servers' answers (dig @each-NS); wait out the TTL after a change; flush or "
        "fix the resolver that differs.");
}

}  // namespace maildiag::app::mx_detail
