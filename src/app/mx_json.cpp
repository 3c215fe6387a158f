// mx's `data` object (docs/mx.md, "JSON") written as JSON text straight from a DomainResult: the
// one writer of that schema, for the single-domain report and the bulk line alike (run_mx parses
// the text back into Report::data for the readers of the tree, such as diagnose).
//
// Why text and not an nlohmann tree: `mx -` made and freed about 32 map nodes per domain, tens of
// thousands of domains per second, only to write them out once. Every object below writes its
// keys in sorted byte order, the order of nlohmann's std::map objects, so the text is byte for
// byte what dump() of the tree gave; tests/unit/app/mx_json_test.cpp checks that (parsing and
// dumping the text again, and against the tree the earlier code built).

#include "mx_internal.hpp"

#include "maildiag/dns/policy.hpp"
#include "maildiag/report/json_text.hpp"
#include "maildiag/util/text.hpp"

#include <cmath>

namespace maildiag::app::mx_detail {

namespace {

using report::json_text::append_integer;
using report::json_text::append_string;
using report::json_text::Array;
using report::json_text::Object;

/// util::sanitize(s, limit) as a JSON string, without a copy where it is `s` itself (most of
/// them, and a bulk run writes a dozen per domain).
void append_sanitized(std::string& out, std::string_view s, std::size_t limit) {
  std::string storage;
  append_string(out, util::sanitize_view(s, limit, storage));
}

void sanitized(Object& o, std::string_view key, std::string_view s, std::size_t limit) {
  append_sanitized(o.key(key), s, limit);
}

void write_strings(std::string& out, const std::vector<std::string>& items) {
  Array a(out);
  for (const auto& s : items) append_string(a.item(), s);
}

/// Each string cut and cleaned by util::sanitize(s, limit).
void write_sanitized(std::string& out, const std::vector<std::string>& items, std::size_t limit) {
  Array a(out);
  for (const auto& s : items) append_sanitized(a.item(), s, limit);
}

// ---- the TXT lookups ---------------------------------------------------------------------------
// A lookup's members (error, name, records, status) are written one by one: the objects that
// extend it (spf, dmarc, mta_sts, tls_rpt) put their own keys between them in sorted order.

void lookup_error(Object& o, const TxtLookup& l) {
  if (dns::is_failure(l.status)) sanitized(o, "error", l.error, 300);
}

void lookup_name(Object& o, const TxtLookup& l) { o.string("name", l.name); }

void lookup_records(Object& o, const TxtLookup& l) { write_sanitized(o.key("records"), l.records, 4096); }

void lookup_status(Object& o, const TxtLookup& l) { o.string("status", dns::to_string(l.status)); }

void write_spf_node(std::string& out, const SpfNode& n) {
  Object o(out);
  o.integer("depth", n.depth);
  sanitized(o, "domain", n.domain, 300);
  if (n.lookup.records.size() == 1) sanitized(o, "record", n.lookup.records[0], 4096);
  else o.null("record");
  o.string("status", dns::to_string(n.lookup.status));
  sanitized(o, "via", n.via, 300);
}

void write_spf(std::string& out, const SpfCheck& spf) {
  const auto& rec = spf.record;
  Object o(out);
  if (rec) {
    if (rec->all) o.string("all", std::string_view(&*rec->all, 1));
    else o.null("all");
  }
  lookup_error(o, spf.top);
  if (rec) write_strings(o.key("errors"), rec->errors);
  o.boolean("lookup_limit_exceeded", spf.lookups > kSpfLookupLimit);
  o.integer("lookups", spf.lookups);
  lookup_name(o, spf.top);
  lookup_records(o, spf.top);
  lookup_status(o, spf.top);
  if (rec) {
    Array terms(o.key("terms"));
    for (const auto& t : rec->terms) append_sanitized(terms.item(), t.text, 300);
  }
  {
    Array tree(o.key("tree"));
    for (const auto& n : spf.nodes) write_spf_node(tree.item(), n);
  }
  o.integer("void_lookups", spf.void_lookups);
  o.boolean("walk_truncated", spf.truncated);
}

void write_dmarc(std::string& out, const TxtLookup& l) {
  const bool parsed = l.records.size() == 1;
  const auto rec = parsed ? dns::parse_dmarc(l.records.front()) : dns::DmarcRecord{};
  Object o(out);
  if (parsed) {
    o.string("adkim", std::string_view(&rec.adkim, 1));
    o.string("aspf", std::string_view(&rec.aspf, 1));
  }
  lookup_error(o, l);
  if (parsed) write_strings(o.key("errors"), rec.errors);
  lookup_name(o, l);
  if (parsed) {
    o.integer("pct", rec.pct);
    o.string("policy", rec.policy);
  }
  lookup_records(o, l);
  if (parsed) {
    write_strings(o.key("rua"), rec.rua);
    write_strings(o.key("ruf"), rec.ruf);
  }
  lookup_status(o, l);
  if (parsed) {
    o.string("subdomain_policy", rec.subdomain_policy);
    o.boolean("valid", rec.valid());
  }
}

void write_mta_sts(std::string& out, const TxtLookup& l) {
  Object o(out);
  lookup_error(o, l);
  if (l.records.size() == 1) sanitized(o, "id", dns::parse_mta_sts(l.records[0]).id, 64);
  lookup_name(o, l);
  lookup_records(o, l);
  lookup_status(o, l);
}

void write_tls_rpt(std::string& out, const TxtLookup& l) {
  Object o(out);
  lookup_error(o, l);
  lookup_name(o, l);
  lookup_records(o, l);
  if (l.records.size() == 1) write_strings(o.key("rua"), dns::parse_tls_rpt(l.records[0]).rua);
  lookup_status(o, l);
}

// ---- the exchangers ----------------------------------------------------------------------------

void write_dnsbl(std::string& out, const DnsblCheck& b) {
  Object o(out);
  {
    Array codes(o.key("codes"));
    for (const auto& c : b.result.codes) append_string(codes.item(), c.to_string());
  }
  o.string("meaning", b.result.meaning);
  o.string("reason", b.reason);
  o.string("verdict", dns::to_string(b.result.verdict));
  o.string("zone", b.zone);
}

void write_ptr(std::string& out, const PtrCheck& p) {
  Object o(out);
  if (p.status == dns::Status::ok) o.boolean("fcrdns", p.confirmed.value_or(false));
  else o.null("fcrdns");
  write_sanitized(o.key("names"), p.names, 300);
  o.string("status", dns::to_string(p.status));
}

void write_address(std::string& out, const AddressCheck& ac, const Settings& s) {
  Object o(out);
  o.string("address", ac.address.to_string());
  if (!ac.dnsbl.empty()) {
    Array lists(o.key("dnsbl"));
    for (const auto& b : ac.dnsbl) write_dnsbl(lists.item(), b);
  }
  o.integer("family", ac.address.is_v4() ? 4 : 6);
  if (s.checks.ptr) write_ptr(o.key("ptr"), ac.ptr);
  o.string("scope", dns::to_string(ac.address.scope()));
}

void write_tlsa(std::string& out, const dns::Answer& a) {
  Object o(out);
  o.boolean("authentic_data", a.authentic_data);
  {
    Array records(o.key("records"));
    for (const auto& t : a.tlsa()) {
      Object r(records.item());
      r.string("data", t.data_hex());
      r.integer("matching_type", t.matching_type);
      r.integer("selector", t.selector);
      r.integer("usage", t.usage);
    }
  }
  o.string("resolver", a.resolver);
  o.string("status", dns::to_string(a.status));
}

void write_host(std::string& out, const DomainResult& d, std::size_t h, const Settings& s) {
  const auto& host = d.mx->hosts[h];
  const ExchangerCheck* ex = h < d.exchangers.size() ? &d.exchangers[h] : nullptr;
  Object o(out);
  o.string("address_status", dns::to_string(host.addresses.status));
  {
    Array addresses(o.key("addresses"));
    if (ex != nullptr) {
      for (const auto& ac : ex->addresses) write_address(addresses.item(), ac, s);
    }
  }
  write_strings(o.key("cname_chain"), host.addresses.cname_chain);
  sanitized(o, "exchange", host.name, 300);
  if (dns::has_a_label(host.name)) sanitized(o, "exchange_unicode", dns::to_unicode(host.name), 300);
  else sanitized(o, "exchange_unicode", host.name, 300);  // to_unicode would copy it unchanged
  o.boolean("ip_literal", host.ip_literal);
  o.integer("preference", host.preference);
  if (ex != nullptr && ex->tlsa) write_tlsa(o.key("tlsa"), *ex->tlsa);
}

void write_mx(std::string& out, const DomainResult& d, const Settings& s) {
  if (!d.mx) {
    out += "null";
    return;
  }
  const auto& mx = *d.mx;
  Object o(out);
  o.boolean("authentic_data", mx.mx_answer.authentic_data);
  if (!mx.error.empty()) sanitized(o, "error", mx.error, 300);
  {
    Array hosts(o.key("hosts"));
    for (std::size_t h = 0; h < mx.hosts.size(); ++h) write_host(hosts.item(), d, h, s);
  }
  o.boolean("implicit", mx.implicit);
  o.boolean("null_mx", mx.null_mx);
  o.string("status", dns::to_string(mx.status));
}

void write_compare(std::string& out, const std::vector<ResolverView>& views) {
  Array a(out);
  for (const auto& v : views) {
    Object o(a.item());
    o.string("mx", v.mx ? mx_set_text(*v.mx) : std::string());
    o.string("resolver", v.resolver);
    o.string("status", v.mx ? dns::to_string(v.mx->status) : std::string_view("unfinished"));
  }
}

/// `write(out)` when the check ran, else null.
template <class Write>
void checked(Object& o, std::string_view key, bool ran, Write write) {
  auto& out = o.key(key);
  if (ran) write(out);
  else out += "null";
}

}  // namespace

void write_data(std::string& out, const DomainResult& d, const Settings& s) {
  Object o(out);
  if (!d.compare.empty()) write_compare(o.key("compare"), d.compare);
  o.boolean("deadline_hit", d.deadline_hit);
  checked(o, "dmarc", s.checks.dmarc, [&](std::string& v) { write_dmarc(v, d.dmarc); });
  o.string("domain", d.name.ascii);
  o.string("domain_unicode", d.name.unicode);
  o.number("elapsed_ms", std::round(d.elapsed_ms * 10) / 10);
  sanitized(o, "input", d.input, 300);
  checked(o, "mta_sts", s.checks.mta_sts, [&](std::string& v) { write_mta_sts(v, d.mta_sts); });
  write_mx(o.key("mx"), d, s);
  o.string("resolver", d.resolver);
  checked(o, "spf", s.checks.spf, [&](std::string& v) { write_spf(v, d.spf); });
  checked(o, "tls_rpt", s.checks.tls_rpt, [&](std::string& v) { write_tls_rpt(v, d.tls_rpt); });
}

void write_invalid_data(std::string& out, std::string_view input, const InvalidInput& why) {
  Object o(out);
  o.null("domain");
  sanitized(o, "error", why.error, 300);
  sanitized(o, "input", input, 300);
}

}  // namespace maildiag::app::mx_detail
