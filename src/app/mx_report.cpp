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
using nlohmann::json;
using report::Severity;

std::string display_name(std::string_view ascii) {
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

// ---- JSON --------------------------------------------------------------------------------------

// An object from key, value, key, value...: nlohmann's initializer-list constructor copies every
// value and first tests whether the list is an object at all; this moves the values into the map.
// (`mx -` builds several of these per domain, tens of thousands per second.)
void put(json::object_t&) {}

template <class V, class... Rest>
void put(json::object_t& o, const char* key, V&& value, Rest&&... rest) {
  o.emplace(key, json(std::forward<V>(value)));
  put(o, std::forward<Rest>(rest)...);
}

template <class... KeyValues>
json obj(KeyValues&&... kv) {
  json j(json::value_t::object);
  put(j.get_ref<json::object_t&>(), std::forward<KeyValues>(kv)...);
  return j;
}

json lookup_json(const TxtLookup& l) {
  json j = obj("name", l.name, "status", dns::to_string(l.status), "records", json::array());
  for (const auto& t : l.records) j["records"].push_back(util::sanitize(t, 4096));
  if (dns::is_failure(l.status)) j["error"] = util::sanitize(l.error, 300);
  return j;
}

json address_json(const AddressCheck& ac, const Settings& s) {
  json j = obj("address", ac.address.to_string(), "family", ac.address.is_v4() ? 4 : 6, "scope",
                dns::to_string(ac.address.scope()));
  if (s.checks.ptr) {
    json names = json::array();
    for (const auto& n : ac.ptr.names) names.push_back(util::sanitize(n, 300));
    j["ptr"] = obj("status", dns::to_string(ac.ptr.status), "names", std::move(names), "fcrdns",
                   ac.ptr.status == dns::Status::ok ? json(ac.ptr.confirmed.value_or(false)) : json(nullptr));
  }
  if (!ac.dnsbl.empty()) {
    j["dnsbl"] = json::array();
    for (const auto& b : ac.dnsbl) {
      json codes = json::array();
      for (const auto& c : b.result.codes) codes.push_back(c.to_string());
      j["dnsbl"].push_back(obj("zone", b.zone, "verdict", dns::to_string(b.result.verdict), "codes", std::move(codes),
                               "meaning", b.result.meaning, "reason", b.reason));
    }
  }
  return j;
}

json tlsa_json(const dns::Answer& a) {
  json j = obj("status", dns::to_string(a.status), "authentic_data", a.authentic_data, "resolver", a.resolver,
                "records", json::array());
  for (const auto& t : a.tlsa())
    j["records"].push_back(
        obj("usage", t.usage, "selector", t.selector, "matching_type", t.matching_type, "data", t.data_hex()));
  return j;
}

json mx_json(const DomainResult& d, const Settings& s) {
  if (!d.mx) return nullptr;
  const auto& mx = *d.mx;
  json j = obj("status", dns::to_string(mx.status), "null_mx", mx.null_mx, "implicit", mx.implicit, "authentic_data",
                mx.mx_answer.authentic_data, "hosts", json::array());
  if (!mx.error.empty()) j["error"] = util::sanitize(mx.error, 300);
  for (std::size_t h = 0; h < mx.hosts.size(); ++h) {
    const auto& host = mx.hosts[h];
    json addresses = json::array();
    if (h < d.exchangers.size()) {
      for (const auto& ac : d.exchangers[h].addresses) addresses.push_back(address_json(ac, s));
    }
    json hj = obj("preference", host.preference, "exchange", util::sanitize(host.name, 300), "exchange_unicode",
                  util::sanitize(dns::to_unicode(host.name), 300), "ip_literal", host.ip_literal, "cname_chain",
                  host.addresses.cname_chain, "address_status", dns::to_string(host.addresses.status), "addresses",
                  std::move(addresses));
    if (h < d.exchangers.size() && d.exchangers[h].tlsa) hj["tlsa"] = tlsa_json(*d.exchangers[h].tlsa);
    j["hosts"].push_back(std::move(hj));
  }
  return j;
}

json spf_json(const SpfCheck& spf) {
  json j = lookup_json(spf.top);
  j["lookups"] = spf.lookups;
  j["lookup_limit_exceeded"] = spf.lookups > kSpfLookupLimit;
  j["void_lookups"] = spf.void_lookups;
  j["walk_truncated"] = spf.truncated;
  if (spf.record) {
    j["all"] = spf.record->all ? json(std::string(1, *spf.record->all)) : json(nullptr);
    j["errors"] = spf.record->errors;
    j["terms"] = json::array();
    for (const auto& t : spf.record->terms) j["terms"].push_back(util::sanitize(t.text, 300));
  }
  j["tree"] = json::array();
  for (const auto& n : spf.nodes) {
    j["tree"].push_back(obj("domain", util::sanitize(n.domain, 300), "via", util::sanitize(n.via, 300), "depth", n.depth,
                            "status", dns::to_string(n.lookup.status), "record",
                            n.lookup.records.size() == 1 ? json(util::sanitize(n.lookup.records[0], 4096)) : json(nullptr)));
  }
  return j;
}

json dmarc_json(const TxtLookup& l) {
  json j = lookup_json(l);
  if (l.records.size() != 1) return j;
  const auto rec = dns::parse_dmarc(l.records.front());
  j["valid"] = rec.valid();
  j["policy"] = rec.policy;
  j["subdomain_policy"] = rec.subdomain_policy;
  j["pct"] = rec.pct;
  j["rua"] = rec.rua;
  j["ruf"] = rec.ruf;
  j["adkim"] = std::string(1, rec.adkim);
  j["aspf"] = std::string(1, rec.aspf);
  j["errors"] = rec.errors;
  return j;
}

json data_json(const DomainResult& d, const Settings& s) {
  json j = obj("input", util::sanitize(d.input, 300), "domain", d.name.ascii, "domain_unicode", d.name.unicode,
                "resolver", d.resolver, "elapsed_ms", std::round(d.elapsed_ms * 10) / 10, "deadline_hit", d.deadline_hit,
                "mx", mx_json(d, s));
  j["spf"] = s.checks.spf ? spf_json(d.spf) : json(nullptr);
  j["dmarc"] = s.checks.dmarc ? dmarc_json(d.dmarc) : json(nullptr);
  if (s.checks.mta_sts) {
    j["mta_sts"] = lookup_json(d.mta_sts);
    if (d.mta_sts.records.size() == 1) j["mta_sts"]["id"] = util::sanitize(dns::parse_mta_sts(d.mta_sts.records[0]).id, 64);
  } else {
    j["mta_sts"] = nullptr;
  }
  if (s.checks.tls_rpt) {
    j["tls_rpt"] = lookup_json(d.tls_rpt);
    if (d.tls_rpt.records.size() == 1) j["tls_rpt"]["rua"] = dns::parse_tls_rpt(d.tls_rpt.records[0]).rua;
  } else {
    j["tls_rpt"] = nullptr;
  }
  if (!d.compare.empty()) {
    j["compare"] = json::array();
    for (const auto& v : d.compare)
      j["compare"].push_back(obj("resolver", v.resolver, "status",
                                 v.mx ? dns::to_string(v.mx->status) : std::string_view("unfinished"), "mx",
                                 v.mx ? mx_set_text(*v.mx) : std::string()));
  }
  return j;
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
  r.data = data_json(d, s);
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
  r.data = json{{"input", util::sanitize(input, 300)}, {"domain", nullptr}, {"error", util::sanitize(why.error, 300)}};
  return r;
}

std::string compact_line(const report::Report& r) {
  const auto st = r.status() == Severity::info ? Severity::ok : r.status();
  std::string line = fmt::format("{:<4} {}", report::label(st), r.target);
  const auto& mx = r.data.contains("mx") ? r.data["mx"] : json(nullptr);
  if (mx.is_object()) {
    std::vector<std::string> set;
    if (mx.value("null_mx", false)) set.emplace_back("0:.");
    for (const auto& h : mx["hosts"]) {
      set.push_back(fmt::format("{}:{}", h["preference"].get<int>(), h["exchange"].get<std::string>()));
    }
    const auto status = mx["status"].get<std::string>();
    line += " mx=" + (set.empty() ? status : fmt::format("{}", fmt::join(set, ","))) +
            (mx.value("implicit", false) ? "(implicit)" : "");
  }
  if (r.data.contains("elapsed_ms")) line += fmt::format(" {:.0f}ms", r.data["elapsed_ms"].get<double>());
  std::vector<std::string> ids;
  for (const auto& f : r.findings) {
    if (f.severity != Severity::info && f.severity != Severity::ok) ids.push_back(f.id);
  }
  if (!ids.empty()) line += " " + fmt::format("{}", fmt::join(ids, ","));
  if (r.data.contains("error")) line += " " + r.data["error"].get<std::string>();
  return line;
}

}  // namespace maildiag::app::mx_detail
