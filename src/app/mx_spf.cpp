// The SPF walk: the domain's SPF record, then every include: and redirect= target it names,
// counting the DNS-lookup terms against RFC 7208's limit of 10 (§4.6.4) and the void lookups
// against 2. Bounded: stops following once the limit is passed, at depth 10, after 20 fetches,
// and never fetches a domain twice (include loops).

#include "mx_internal.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::app::mx_detail {

namespace {

void fetch_node(const std::shared_ptr<DomainCheck>& check, std::size_t node);

void follow(const std::shared_ptr<DomainCheck>& check, const dns::SpfRecord& rec, int depth) {
  auto& spf = check->result().spf;
  spf.lookups += rec.lookup_terms();
  for (const auto& t : rec.terms) {
    const bool include = t.kind == dns::SpfTerm::Kind::mechanism && t.name == "include";
    const bool redirect = t.kind == dns::SpfTerm::Kind::modifier && t.name == "redirect" && !rec.all;
    if ((!include && !redirect) || t.has_macro() || t.value.empty()) continue;
    auto target = util::to_lower(t.value);
    if (target.size() > 1 && target.back() == '.') target.pop_back();
    if (spf.lookups > kSpfLookupLimit || depth >= kSpfMaxDepth || spf.nodes.size() >= kSpfMaxFetches) {
      spf.truncated = true;
      continue;
    }
    if (!spf.visited.insert(target).second) continue;  // loop or repeat: counted, not fetched again
    SpfNode node;
    node.domain = target;
    node.via = t.text;
    node.depth = depth + 1;
    node.lookup.name = target;
    spf.nodes.push_back(std::move(node));
    fetch_node(check, spf.nodes.size() - 1);
  }
}

std::vector<std::string> spf_records(const dns::Answer& a) {
  std::vector<std::string> out;
  for (auto& t : a.txt()) {
    if (dns::is_spf_record(t)) out.push_back(std::move(t));
  }
  return out;
}

void fetch_node(const std::shared_ptr<DomainCheck>& check, std::size_t node) {
  const auto name = check->result().spf.nodes[node].domain;
  if (!dns::is_queryable_name(name)) {
    auto& n = check->result().spf.nodes[node];
    n.lookup.done = true;
    n.lookup.status = dns::Status::error;
    n.lookup.error = "not a valid domain name";
    return;
  }
  std::weak_ptr<DomainCheck> weak = check;
  check->resolver().query(name, dns::RRType::txt, check->track([weak, node](const dns::Answer& a) {
    auto c = weak.lock();
    if (!c) return;
    auto& spf = c->result().spf;
    auto& n = spf.nodes[node];
    n.lookup.done = true;
    n.lookup.status = a.status;
    n.lookup.error = a.error;
    n.lookup.records = spf_records(a);
    if (a.status == dns::Status::nxdomain || a.status == dns::Status::nodata) ++spf.void_lookups;
    if (n.lookup.records.size() != 1) return;
    n.record = dns::parse_spf(n.lookup.records.front());
    const int depth = n.depth;
    const auto rec = *n.record;  // copy: follow() may grow spf.nodes
    follow(c, rec, depth);
  }));
}

}  // namespace

void start_spf(const std::shared_ptr<DomainCheck>& check) {
  auto& top = check->result().spf.top;
  top.name = check->result().name.ascii;
  check->result().spf.visited.insert(top.name);
  std::weak_ptr<DomainCheck> weak = check;
  check->resolver().query(top.name, dns::RRType::txt, check->track([weak](const dns::Answer& a) {
    auto c = weak.lock();
    if (!c) return;
    auto& spf = c->result().spf;
    spf.top.done = true;
    spf.top.status = a.status;
    spf.top.error = a.error;
    spf.top.records = spf_records(a);
    if (spf.top.records.size() != 1) return;
    spf.record = dns::parse_spf(spf.top.records.front());
    const auto rec = *spf.record;
    follow(c, rec, 0);
  }));
}

}  // namespace maildiag::app::mx_detail
