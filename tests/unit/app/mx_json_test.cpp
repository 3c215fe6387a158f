// mx's `data` written as JSON text (mx_json.cpp) against the nlohmann tree the code built before
// (kept here, unchanged, as the reference): byte-identical on random DomainResults with every
// combination of checks, strings with escapes, UTF-8 and malformed bytes. Also: the text parses
// and dumps back to itself (keys in sorted order), and the bulk text line matches the one the
// tree gave.

#include "maildiag/dns/policy.hpp"
#include "maildiag/report/json_text.hpp"
#include "maildiag/report/render.hpp"
#include "maildiag/util/text.hpp"

#include "../../../src/app/mx_internal.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace maildiag;
using namespace maildiag::app::mx_detail;
using nlohmann::json;

namespace {

// ---- the reference: the tree mx_report.cpp built until 2026-12-06 (commit 098f1bf) -------------

namespace reference {

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

/// The bulk text line as it was read from the tree.
std::string compact_line(const report::Report& r, const json& data) {
  using report::Severity;
  const auto st = r.status() == Severity::info ? Severity::ok : r.status();
  std::string line = fmt::format("{:<4} {}", report::label(st), r.target);
  const auto& mx = data.contains("mx") ? data["mx"] : json(nullptr);
  if (mx.is_object()) {
    std::vector<std::string> set;
    if (mx.value("null_mx", false)) set.emplace_back("0:.");
    for (const auto& h : mx["hosts"]) set.push_back(fmt::format("{}:{}", h["preference"].get<int>(), h["exchange"].get<std::string>()));
    const auto status = mx["status"].get<std::string>();
    line += " mx=" + (set.empty() ? status : fmt::format("{}", fmt::join(set, ","))) +
            (mx.value("implicit", false) ? "(implicit)" : "");
  }
  if (data.contains("elapsed_ms")) line += fmt::format(" {:.0f}ms", data["elapsed_ms"].get<double>());
  std::vector<std::string> ids;
  for (const auto& f : r.findings) {
    if (f.severity != Severity::info && f.severity != Severity::ok) ids.push_back(f.id);
  }
  if (!ids.empty()) line += " " + fmt::format("{}", fmt::join(ids, ","));
  if (data.contains("error")) line += " " + data["error"].get<std::string>();
  return line;
}

}  // namespace reference

// ---- random results ----------------------------------------------------------------------------

class Gen {
 public:
  explicit Gen(unsigned seed) : rng_(seed) {}

  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool coin(int one_in = 2) { return below(one_in) == 0; }

  std::string text() {
    // Mostly plain, sometimes quotes, controls, UTF-8, malformed bytes, a long run (sanitize cuts).
    static const std::string pieces[] = {"a", "mx1.example.net", " ", "\"", "\\", "\n", "\t", std::string(1, '\0'),
                                         "\x1f", "\x7f", "\xc3\xa4", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xff",
                                         "\xc3", "\x80", "\xe2\x80\x94", "xn--bcher-kva", ".", "-", "_"};
    std::string s;
    for (int i = below(8); i > 0; --i) {
      const auto& p = pieces[static_cast<std::size_t>(below(static_cast<int>(std::size(pieces))))];
      if (coin(3) || static_cast<unsigned char>(p[0]) >= 0x20) s += p;
    }
    if (coin(40)) s += std::string(static_cast<std::size_t>(below(5000)), 'x');
    return s;
  }

  std::string host() {
    static const char* names[] = {"mx.example.net", "mx2.example.net", "xn--bcher-kva.example", "xn--mnchen-3ya.de",
                                  "xn--zz.example", "a.b"};
    return coin(4) ? text() : names[below(static_cast<int>(std::size(names)))];
  }

  dns::Status status() { return static_cast<dns::Status>(below(9)); }

  dns::Address address() {
    static const char* addrs[] = {"192.0.2.1", "127.0.0.1", "10.1.2.3", "198.51.100.7", "0.0.0.0",
                                  "255.255.255.255", "2001:db8::1", "::1", "fe80::1", "::ffff:192.0.2.1", "fc00::5"};
    return *dns::Address::parse(addrs[below(static_cast<int>(std::size(addrs)))]);
  }

  std::vector<std::string> texts(int max) {
    std::vector<std::string> v;
    for (int i = below(max + 1); i > 0; --i) v.push_back(text());
    return v;
  }

  TxtLookup lookup(const char* kind) {
    TxtLookup l;
    l.name = coin(5) ? text() : std::string(kind) + ".example.net";
    l.status = status();
    if (coin(3)) l.error = text();
    for (int i = below(3); i > 0; --i) l.records.push_back(record(kind));
    return l;
  }

  std::string record(const std::string& kind) {
    if (coin(4)) return text();
    if (kind == "_dmarc") {
      static const char* tags[] = {"p=reject", "p=none", "p=bogus", "sp=quarantine", "pct=50", "pct=300", "pct=x",
                                   "rua=mailto:a@example.net", "ruf=mailto:f@example.net,mailto:g@example.net",
                                   "adkim=s", "aspf=s", "adkim=q", "fo=1", "rua=\xff"};
      std::string r = "v=DMARC1";
      for (int i = below(6); i > 0; --i) r += std::string("; ") + tags[below(static_cast<int>(std::size(tags)))];
      return r;
    }
    if (kind == "_mta-sts") return coin() ? "v=STSv1; id=" + text() : "v=STSv1; id=20240101";
    if (kind == "_smtp._tls") return coin() ? "v=TLSRPTv1; rua=mailto:tls@example.net" : "v=TLSRPTv1; rua=" + text();
    return "v=spf1 include:" + host() + " -all";
  }

  dns::Answer tlsa() {
    dns::Answer a;
    a.status = status();
    a.authentic_data = coin();
    a.resolver = coin() ? "127.0.0.1:53" : text();
    for (int i = below(3); i > 0; --i) {
      dns::Tlsa t;
      t.usage = static_cast<std::uint8_t>(below(256));
      t.selector = static_cast<std::uint8_t>(below(3));
      t.matching_type = static_cast<std::uint8_t>(below(3));
      for (int k = below(40); k > 0; --k) t.data.push_back(static_cast<std::uint8_t>(below(256)));
      a.records.push_back(dns::Record{"_25._tcp.mx", dns::RRType::tlsa, 300, t});
    }
    return a;
  }

  AddressCheck address_check() {
    AddressCheck ac;
    ac.address = address();
    ac.ptr.status = status();
    ac.ptr.names = texts(2);
    if (coin()) ac.ptr.confirmed = coin();
    for (int i = below(3); i > 0; --i) {
      DnsblCheck b;
      b.zone = coin() ? "zen.spamhaus.org" : text();
      b.result.verdict = static_cast<dns::DnsblVerdict>(below(5));
      for (int k = below(3); k > 0; --k) b.result.codes.push_back(address());
      b.result.meaning = coin() ? std::string() : text();
      b.reason = coin() ? std::string() : text();
      ac.dnsbl.push_back(std::move(b));
    }
    return ac;
  }

  dns::MxHosts mx_hosts() {
    dns::MxHosts mx;
    mx.domain = "example.net";
    mx.status = status();
    mx.null_mx = coin(5);
    mx.implicit = coin(5);
    mx.mx_answer.authentic_data = coin();
    if (coin(4)) mx.error = text();
    for (int i = below(4); i > 0; --i) {
      dns::MxHost h;
      h.preference = static_cast<std::uint16_t>(coin() ? 10 * i : below(65536));
      h.name = host();
      h.ip_literal = coin(6);
      h.addresses.status = status();
      for (int k = below(3); k > 0; --k) h.addresses.cname_chain.push_back(host());
      mx.hosts.push_back(std::move(h));
    }
    return mx;
  }

  SpfCheck spf() {
    SpfCheck spf;
    spf.top = lookup("spf");
    if (coin()) {
      dns::SpfRecord rec;
      for (int i = below(5); i > 0; --i) {
        dns::SpfTerm t;
        t.text = coin() ? "include:" + host() : text();
        rec.terms.push_back(std::move(t));
      }
      rec.errors = texts(2);
      if (coin()) rec.all = "+-~?\xff"[below(5)];
      spf.record = std::move(rec);
    }
    for (int i = below(4); i > 0; --i) {
      SpfNode n;
      n.domain = host();
      n.via = coin() ? "include:" + n.domain : text();
      n.depth = below(12);
      n.lookup = lookup("spf");
      spf.nodes.push_back(std::move(n));
    }
    spf.lookups = below(14);
    spf.void_lookups = below(4);
    spf.truncated = coin(4);
    return spf;
  }

  DomainResult result() {
    DomainResult d;
    d.input = coin(4) ? text() : "Example.NET";
    d.name = coin(4) ? dns::DomainName{"xn--bcher-kva.example", "b\xc3\xbc" "cher.example"}
                     : dns::DomainName{"example.net", "example.net"};
    d.resolver = coin() ? "127.0.0.1:15377" : text();
    if (!coin(8)) {
      d.mx = mx_hosts();
      for (std::size_t h = 0; h < d.mx->hosts.size(); ++h) {
        if (coin(6)) break;  // an exchanger the deadline cut: no check
        ExchangerCheck ex;
        for (int k = below(4); k > 0; --k) ex.addresses.push_back(address_check());
        if (coin(3)) ex.tlsa = tlsa();
        d.exchangers.push_back(std::move(ex));
      }
    }
    d.spf = spf();
    d.dmarc = lookup("_dmarc");
    d.mta_sts = lookup("_mta-sts");
    d.tls_rpt = lookup("_smtp._tls");
    if (coin(5)) {
      for (int i = 1 + below(3); i > 0; --i) d.compare.push_back(ResolverView{text(), coin(4) ? std::nullopt : std::optional(mx_hosts())});
    }
    const double ms[] = {0, 0.04, 0.05, 0.15, 12.345, 999.95, 1e6 / 3, 1e-9, 123456789.123};
    d.elapsed_ms = coin(3) ? ms[below(static_cast<int>(std::size(ms)))] : std::uniform_real_distribution<double>(0, 5000)(rng_);
    d.deadline_hit = coin(5);
    return d;
  }

  Settings settings() {
    Settings s;
    s.checks = app::MxChecks{coin(), coin(), coin(), coin(), coin(), coin()};
    s.tables = false;
    return s;
  }

 private:
  std::mt19937 rng_;
};

std::string written(const DomainResult& d, const Settings& s) {
  std::string out;
  write_data(out, d, s);
  return out;
}

std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

TEST_CASE("mx data: the text writer gives the bytes of the reference tree's dump", "[mx][json]") {
  Gen gen(20261206);
  for (int i = 0; i < 3000; ++i) {
    const auto d = gen.result();
    const auto s = gen.settings();
    const auto text = written(d, s);
    INFO("case " << i);
    REQUIRE(text == dumped(reference::data_json(d, s)));
    // Keys in sorted order and well-formed JSON: parsing and dumping give the text again.
    REQUIRE(dumped(json::parse(text)) == text);
  }
}

TEST_CASE("mx data: every check on and off, on a full result", "[mx][json]") {
  Gen gen(7);
  for (int mask = 0; mask < 64; ++mask) {
    const auto d = gen.result();
    Settings s;
    s.checks = app::MxChecks{(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0, (mask & 8) != 0, (mask & 16) != 0, (mask & 32) != 0};
    INFO("mask " << mask);
    REQUIRE(written(d, s) == dumped(reference::data_json(d, s)));
  }
}

TEST_CASE("mx data: an input that is not a domain", "[mx][json]") {
  const auto why = invalid_input("mx.invalid-domain.ip", {"192.0.2.1"});
  const auto r = invalid_domain_report("192.0.2.1", why);
  CHECK(r.data_text == R"({"domain":null,"error":"\"192.0.2.1\" is an IP address, not a mail domain","input":"192.0.2.1"})");
  std::string odd;
  write_invalid_data(odd, "a\"\xff\n", InvalidInput{"bad \x01", "bad"});
  CHECK(odd == dumped(json{{"input", util::sanitize("a\"\xff\n", 300)}, {"domain", nullptr}, {"error", util::sanitize("bad \x01", 300)}}));
  CHECK(compact_line(r, why) == reference::compact_line(r, json::parse(r.data_text)));
}

TEST_CASE("mx report: the JSON line is the same from the text and from the parsed tree", "[mx][json]") {
  Gen gen(99);
  for (int i = 0; i < 300; ++i) {
    const auto d = gen.result();
    auto s = gen.settings();
    s.tables = (i % 2) == 0;
    auto r = build_report(d, s);
    REQUIRE_FALSE(r.data_text.empty());
    std::ostringstream from_text;
    report::render_json(from_text, r, false);
    const auto data = json::parse(r.data_text);
    INFO("case " << i);
    REQUIRE(compact_line(r, d) == reference::compact_line(r, data));
    report::parse_data_text(r);
    REQUIRE(r.data_text.empty());
    REQUIRE(r.data == data);
    std::ostringstream from_tree;
    report::render_json(from_tree, r, false);
    REQUIRE(from_text.str() == from_tree.str());
  }
}
