// Findings about the MX set, the exchangers' addresses, reverse DNS, block lists and resolver
// agreement. Severities: CRITICAL when the domain cannot receive mail, UNKNOWN when DNS failed
// for the MX lookup itself, WARNING for configuration problems (docs/mx.md lists every id).

#include "mx_internal.hpp"

#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace maildiag::app::mx_detail {

using report::Severity;

namespace {

std::string status_words(dns::Status s, const std::string& error) {
  std::string out(dns::describe(s));
  if (!error.empty() && dns::is_failure(s)) out += ": " + util::sanitize(error, 200);
  return out;
}

void add_null_and_empty(report::Report& r, const DomainResult& d, const dns::MxHosts& mx) {
  const auto dom = d.name.display();
  if (mx.status == dns::Status::nxdomain) {
    r.add(Severity::critical, "mx.nxdomain", fmt::format("{} does not exist (NXDOMAIN)", dom),
          "The domain has no DNS entries at all: mail to it bounces at once (\"Host or domain name not found\", "
          "5.1.2).",
          fmt::format("MX {}: NXDOMAIN from {}", d.name.ascii, d.resolver),
          "Check the spelling. If the domain is yours, check its registration and delegation (dig +trace).");
    return;
  }
  if (dns::is_failure(mx.status)) {
    r.add(Severity::unknown, "mx.lookup-failed", fmt::format("DNS did not answer the MX query for {}", dom),
          "Without the MX records nothing can be said about mail delivery to this domain.",
          fmt::format("MX {}: {} (resolver {})", d.name.ascii, status_words(mx.status, mx.error), d.resolver),
          "Retry; ask another resolver with --dns-server; check the domain's name servers (dig +trace).");
    return;
  }
  if (mx.null_mx && mx.hosts.empty()) {
    r.add(Severity::critical, "mx.null", fmt::format("{} publishes a null MX: it accepts no mail (RFC 7505)", dom),
          "Senders fail mail to this domain at once, with 556 5.1.10 (RFC 7505 §4.2).",
          fmt::format("MX {}: 0 .", d.name.ascii),
          "Nothing to do if the domain should not receive mail. Otherwise replace the null MX with real "
          "exchangers.");
    return;
  }
  if (mx.implicit) {
    std::vector<std::string> addrs;
    for (const auto& a : mx.hosts.front().addresses.addresses) addrs.push_back(a.to_string());
    r.add(Severity::warning, "mx.implicit",
          fmt::format("{} has no MX records: mail goes to its own address (implicit MX)", dom),
          "RFC 5321 §5.1 makes senders fall back to the domain's A/AAAA records. It works, but it is rarely "
          "intended, and some senders and checkers treat it as \"no mail server\".",
          fmt::format("MX {}: NODATA; A/AAAA: {}", d.name.ascii, util::sanitize(fmt::format("{}", fmt::join(addrs, ", ")))),
          "Publish MX records. If the domain should not receive mail, publish a null MX (\"MX 0 .\", RFC 7505).");
    return;
  }
  if (mx.hosts.empty()) {
    if (!mx.error.empty()) {
      r.add(Severity::unknown, "mx.lookup-failed", fmt::format("{} has no MX and its address lookup failed", dom),
            "Without MX records senders use the domain's address, but DNS did not answer for it.",
            fmt::format("MX {}: NODATA; A/AAAA: {}", d.name.ascii, util::sanitize(mx.error, 200)),
            "Retry; ask another resolver with --dns-server.");
      return;
    }
    r.add(Severity::critical, "mx.none", fmt::format("{} has no MX records and no address: it cannot receive mail", dom),
          "Senders find neither an MX record nor an A/AAAA record to fall back to (RFC 5321 §5.1).",
          fmt::format("MX {}: NODATA; A/AAAA: NODATA", d.name.ascii),
          "Publish MX records pointing at your mail servers, or a null MX (\"MX 0 .\") if the domain takes no "
          "mail.");
  }
}

void add_load_sharing(report::Report& r, const dns::MxHosts& mx) {
  std::map<std::uint16_t, std::vector<std::string>> by_pref;
  for (const auto& h : mx.hosts) by_pref[h.preference].push_back(display_name(h.name));
  for (const auto& [pref, names] : by_pref) {
    if (names.size() < 2) continue;
    r.add(Severity::info, "mx.load-shared",
          fmt::format("{} exchangers share preference {}: load shared", names.size(), pref),
          "Senders pick among equal-preference exchangers at random (RFC 5321 §5.1), so each must accept the "
          "same mail.",
          util::sanitize(fmt::format("{}", fmt::join(names, ", "))));
  }
}

void add_exchanger_findings(report::Report& r, const DomainResult& d, const dns::MxHosts& mx) {
  for (const auto& h : mx.hosts) {
    const auto name = display_name(h.name);
    if (h.ip_literal) {
      r.add(Severity::warning, "mx.target-ip-literal", fmt::format("MX target {} is an IP address, not a host name", name),
            "An MX record must name a host (RFC 5321 §5.1, RFC 7505 §3); many senders (Postfix among them) refuse "
            "to use an address here.",
            fmt::format("MX {}: {} {}", d.name.ascii, h.preference, util::sanitize(h.name)),
            "Publish an A/AAAA record for a host name (e.g. mx.<domain>) and point the MX at that name.");
      continue;
    }
    const auto& a = h.addresses;
    if (!a.cname_chain.empty()) {
      r.add(Severity::warning, "mx.target-cname", fmt::format("MX target {} is an alias (CNAME)", name),
            "RFC 2181 §10.3 and RFC 5321 §5.1 require an MX to name the host itself; some senders refuse or warn "
            "about aliases, and address-based checks (rDNS, DANE) become ambiguous.",
            util::sanitize(fmt::format("{} CNAME {}", h.name, fmt::join(a.cname_chain, " -> "))),
            "Point the MX record at the canonical name (the CNAME's target).");
    }
    if (!a.addresses.empty() || mx.implicit) continue;
    const bool failed = dns::is_failure(a.status);
    r.add(Severity::warning,
          failed ? "mx.target-lookup-failed" : (a.status == dns::Status::nxdomain ? "mx.target-nxdomain" : "mx.target-no-address"),
          failed                                 ? fmt::format("DNS did not answer for MX target {}", name)
          : a.status == dns::Status::nxdomain ? fmt::format("MX target {} does not exist (NXDOMAIN)", name)
                                                 : fmt::format("MX target {} has no address", name),
          failed ? "Senders cannot use this exchanger while its name does not resolve."
                 : "Senders skip this exchanger: its name has no A/AAAA record (or does not exist).",
          fmt::format("A/AAAA {}: {}", util::sanitize(h.name), status_words(a.status, a.error)),
          failed ? "Retry; check the name servers of the exchanger's zone."
                 : "Add A/AAAA records for the exchanger, or remove the MX record.");
  }
  if (!mx.hosts.empty() && !mx.routable() && !mx.implicit) {
    const bool any_failure = std::any_of(mx.hosts.begin(), mx.hosts.end(), [](const dns::MxHost& h) {
      return !h.ip_literal && dns::is_failure(h.addresses.status);
    });
    if (any_failure) {
      r.add(Severity::unknown, "mx.targets-unresolved", "No exchanger address could be looked up",
            "DNS failed for the exchangers' addresses; whether mail can be delivered is unknown.", {},
            "Retry; ask another resolver with --dns-server.");
    } else {
      r.add(Severity::critical, "mx.no-usable-exchanger", "No MX target has an address: the domain cannot receive mail",
            "Every exchanger named by the MX records lacks an A/AAAA record, so senders have nowhere to deliver.",
            fmt::format("MX {}: {}", d.name.ascii, util::sanitize(mx_set_text(mx))),
            "Fix the exchangers' A/AAAA records, or point the MX at hosts that have them.");
    }
  }
}

}  // namespace

void add_mx_findings(report::Report& r, const DomainResult& d, const Settings& /*s*/) {
  if (!d.mx) {
    r.add(Severity::unknown, "mx.lookup-failed", fmt::format("The MX lookup for {} did not finish", d.name.display()),
          "The check's deadline passed before the MX records and their addresses were known.", {},
          "Retry with a longer --timeout.");
    return;
  }
  add_null_and_empty(r, d, *d.mx);
  if (d.mx->status != dns::Status::ok) return;
  if (d.mx->null_mx && !d.mx->hosts.empty()) {
    r.add(Severity::warning, "mx.null-with-others", "A null MX is published together with other MX records",
          "RFC 7505 §3: a domain that publishes a null MX must not publish any other MX; senders may do either.",
          util::sanitize(fmt::format("MX {}: 0 ., {}", d.name.ascii, mx_set_text(*d.mx))),
          "Remove the null MX if the domain receives mail, or the other MX records if it does not.");
  }
  add_load_sharing(r, *d.mx);
  add_exchanger_findings(r, d, *d.mx);
}

}  // namespace maildiag::app::mx_detail
