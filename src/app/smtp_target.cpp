#include "maildiag/app/smtp_target.hpp"

#include "maildiag/dns/mail.hpp"
#include "maildiag/dns/resolver.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/event_loop.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace maildiag::app {

namespace {

using report::Severity;

using i18n::text;

dns::ResolverConfig resolver_config(const CommonOptions& c) {
  dns::ResolverConfig cfg;
  for (const auto& s : c.dns_servers) {
    if (auto list = dns::parse_server_list(s)) cfg.servers.insert(cfg.servers.end(), list->begin(), list->end());
  }
  return cfg;
}

dns::Families families(const CommonOptions& c) { return dns::Families{c.family != Family::v6, c.family != Family::v4}; }

std::vector<net::Address> to_net(const std::vector<dns::Address>& in) {
  std::vector<net::Address> out;
  for (const auto& a : in) {
    if (auto n = net::Address::parse(a.to_string())) out.push_back(*n);
  }
  return out;
}

std::vector<SmtpTarget> direct(const SmtpTestOptions& o, const std::string& host, report::Report& rep) {
  SmtpTarget t;
  t.name = host;
  if (auto a = net::Address::parse(host)) {
    t.addresses = {*a};
    return {t};
  }
  if (util::iequals(host, "localhost")) {  // RFC 6761 §6.3: not asked of DNS
    if (o.common.family != Family::v6) t.addresses.push_back(net::Address::loopback_v4());
    if (o.common.family != Family::v4) t.addresses.push_back(net::Address::loopback_v6());
    return {t};
  }
  const auto found = dns::resolve_host(resolver_config(o.common), host, families(o.common), o.common.timeout);
  t.addresses = to_net(found.addresses);
  if (t.addresses.empty()) {
    t.error = found.error.empty() ? std::string(dns::describe(found.status)) : found.error;
    rep.add(Severity::unknown, "smtp.dns", i18n::format("smtp.dns.unresolved.title", {util::sanitize(host, 200)}),
            fmt::format("DNS: {} ({}).", dns::to_string(found.status), util::sanitize(t.error, 300)), {},
            text(dns::is_failure(found.status) ? "smtp.dns.unresolved.fix.failure" : "smtp.dns.unresolved.fix.name"));
    return {};
  }
  return {t};
}

std::vector<SmtpTarget> via_mx(const SmtpTestOptions& o, const std::string& domain, report::Report& rep) {
  const auto mx = dns::resolve_mx_hosts(resolver_config(o.common), domain, families(o.common), o.common.timeout);
  nlohmann::json j = {{"domain", mx.domain}, {"status", dns::to_string(mx.status)}, {"null_mx", mx.null_mx},
                      {"implicit", mx.implicit}, {"hosts", nlohmann::json::array()}};
  std::vector<SmtpTarget> out;
  auto& sec = rep.add_section(i18n::format("smtp.section.mx", {util::sanitize(mx.domain, 200)}),
                              {i18n::text("smtp.col.pref"), i18n::text("smtp.col.host"), i18n::text("smtp.col.addresses")});
  for (const auto& h : mx.hosts) {
    SmtpTarget t;
    t.name = h.name;
    t.preference = h.preference;
    t.from_mx = true;
    t.addresses = to_net(h.addresses.addresses);
    if (t.addresses.empty()) t.error = h.addresses.error.empty() ? std::string(dns::describe(h.addresses.status)) : h.addresses.error;
    nlohmann::json addrs = nlohmann::json::array();
    for (const auto& a : t.addresses) addrs.push_back(a.to_string());
    j["hosts"].push_back({{"preference", h.preference}, {"name", h.name}, {"addresses", addrs}, {"error", t.error}});
    std::string shown;
    for (const auto& a : t.addresses) shown += (shown.empty() ? "" : ", ") + a.to_string();
    sec.rows.push_back({std::to_string(h.preference), util::sanitize(h.name, 255),
                        shown.empty() ? "(" + util::sanitize(t.error, 100) + ")" : shown});
    out.push_back(std::move(t));
  }
  rep.data["mx"] = j;
  if (mx.null_mx) {
    rep.add(Severity::critical, "smtp.mx.null", i18n::format("smtp.mx.null.title", {util::sanitize(domain, 200)}),
            i18n::text("smtp.mx.null.detail"));
    return {};
  }
  if (mx.implicit && !out.empty())
    rep.add(Severity::info, "smtp.mx.implicit", i18n::text("smtp.mx.implicit.title"), i18n::text("smtp.mx.implicit.detail"));
  if (out.empty()) {
    const bool failure = dns::is_failure(mx.status);
    rep.add(failure ? Severity::unknown : Severity::critical, "smtp.mx.none",
            i18n::format("smtp.mx.none.title", {util::sanitize(domain, 200)}),
            mx.error.empty() ? i18n::format("smtp.mx.none.detail", {std::string(dns::to_string(mx.status))})
                             : i18n::format("smtp.mx.none.detail.error",
                                            {std::string(dns::to_string(mx.status)), util::sanitize(mx.error, 300)}),
            {}, text(failure ? "smtp.mx.none.fix.failure" : "smtp.mx.none.fix"));
  }
  return out;
}

}  // namespace

std::vector<SmtpTarget> resolve_smtp_targets(const SmtpTestOptions& o, const std::string& host, report::Report& rep) {
  try {
    return o.mx_domain ? via_mx(o, *o.mx_domain, rep) : direct(o, host, rep);
  } catch (const std::exception& e) {  // the resolver could not be created (no usable resolv.conf)
    rep.add(Severity::unknown, "smtp.dns", i18n::text("smtp.dns.unusable.title"), e.what(), {}, i18n::text("smtp.dns.unusable.fix"));
    return {};
  }
}

TlsaLookup lookup_tlsa(const SmtpTestOptions& o, const std::string& host, std::uint16_t port) {
  TlsaLookup out;
  if (!o.tlsa_name && (net::is_ip_literal(host) || util::iequals(host, "localhost"))) {
    out.status = "not-applicable";
    return out;
  }
  try {
    net::EventLoop loop;
    auto cfg = resolver_config(o.common);
    cfg.budget = o.common.timeout;
    dns::Resolver resolver(loop, cfg);
    std::optional<dns::Answer> answer;
    resolver.query(o.tlsa_name ? *o.tlsa_name : fmt::format("_{}._tcp.{}", port, host), dns::RRType::tlsa,
                   [&](const dns::Answer& a) { answer = a; });
    loop.run_until([&] { return answer.has_value(); }, loop.now() + o.common.timeout);
    if (!answer) {
      out.status = "timeout";
      return out;
    }
    out.status = std::string(dns::to_string(answer->status));
    out.secure = answer->authentic_data;
    for (const auto& t : answer->tlsa()) {
      tls::TlsaRecord r;
      r.usage = t.usage;
      r.selector = t.selector;
      r.mtype = t.matching_type;
      r.data = t.data;
      out.records.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    out.status = std::string("error: ") + e.what();
  }
  return out;
}

}  // namespace maildiag::app
