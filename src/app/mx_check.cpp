// One domain's lookups, all in flight at once on the shared loop: MX and exchanger addresses
// (dns::resolve_mx_hosts), then per address PTR + forward confirmation and DNSBL queries, per
// exchanger TLSA; in parallel the policy TXT records and, with --compare, the other resolvers.

#include "mx_internal.hpp"

#include "maildiag/dns/policy.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::app::mx_detail {

void DomainCheck::start(net::EventLoop& loop, const std::vector<dns::Resolver*>& resolvers, const Settings& settings,
                        std::string input, dns::DomainName name, Done done) {
  auto c = std::make_shared<DomainCheck>(loop, resolvers, settings, std::move(done));
  c->result_.input = std::move(input);
  c->result_.name = std::move(name);
  c->result_.resolver = resolvers.front()->description();
  c->begin();
}

void DomainCheck::begin() {
  started_ = net::Clock::now();
  std::weak_ptr<DomainCheck> weak = shared_from_this();
  deadline_ = loop_.add_timer(settings_.deadline, [weak] {
    if (auto self = weak.lock()) {
      self->deadline_ = 0;
      self->result_.deadline_hit = true;
      self->finish();
    }
  });
  ++pending_;  // held until every lookup below is started, so none can finish the check early
  const auto& domain = result_.name.ascii;
  dns::resolve_mx_hosts(resolver(), domain, settings_.families,
                        track([this](dns::MxHosts mx) { on_mx(std::move(mx)); }));
  if (settings_.checks.spf) start_spf(shared_from_this());
  if (settings_.checks.dmarc) lookup_txt(result_.dmarc, "_dmarc." + domain, &dns::is_dmarc_record);
  if (settings_.checks.mta_sts) lookup_txt(result_.mta_sts, "_mta-sts." + domain, &dns::is_mta_sts_record);
  if (settings_.checks.tls_rpt) lookup_txt(result_.tls_rpt, "_smtp._tls." + domain, &dns::is_tls_rpt_record);
  if (settings_.compare) {
    result_.compare.resize(resolvers_.size());
    for (std::size_t i = 0; i < resolvers_.size(); ++i) {
      result_.compare[i].resolver = resolvers_[i]->description();
      dns::resolve_mx_hosts(*resolvers_[i], domain, settings_.families,
                            track([this, i](dns::MxHosts mx) { result_.compare[i].mx = std::move(mx); }));
    }
  }
  end();
}

void DomainCheck::end() {
  if (--pending_ == 0) finish();
}

void DomainCheck::finish() {
  if (finished_) return;
  finished_ = true;
  if (deadline_ != 0) loop_.cancel_timer(deadline_);
  deadline_ = 0;
  result_.elapsed_ms = std::chrono::duration<double, std::milli>(net::Clock::now() - started_).count();
  auto done = std::move(done_);
  done(std::move(result_));
}

void DomainCheck::lookup_txt(TxtLookup& slot, std::string name, bool (*is_record)(std::string_view)) {
  slot.name = name;
  resolver().query(std::move(name), dns::RRType::txt, track([&slot, is_record](const dns::Answer& a) {
    slot.done = true;
    slot.status = a.status;
    slot.error = a.error;
    for (auto& t : a.txt()) {
      if (is_record(t)) slot.records.push_back(std::move(t));
    }
  }));
}

void DomainCheck::on_mx(dns::MxHosts mx) {
  result_.mx = std::move(mx);
  const auto& hosts = result_.mx->hosts;
  result_.exchangers.resize(hosts.size());
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    auto& ex = result_.exchangers[h];
    for (const auto& a : hosts[h].addresses.addresses) {
      const bool seen = std::any_of(ex.addresses.begin(), ex.addresses.end(),
                                    [&](const AddressCheck& c) { return c.address == a; });
      if (!seen) ex.addresses.push_back(AddressCheck{a, {}, {}});
    }
    for (std::size_t i = 0; i < ex.addresses.size(); ++i) check_address(h, i);
    if (settings_.checks.tlsa && !hosts[h].ip_literal && dns::is_queryable_name(hosts[h].name)) {
      resolver().query("_25._tcp." + hosts[h].name, dns::RRType::tlsa,
                       track([this, h](const dns::Answer& a) { result_.exchangers[h].tlsa = a; }));
    }
  }
}

void DomainCheck::check_address(std::size_t h, std::size_t i) {
  auto& ac = result_.exchangers[h].addresses[i];
  if (settings_.checks.ptr) {
    resolver().query(ac.address.reverse_name(), dns::RRType::ptr, track([this, h, i](const dns::Answer& a) {
      auto& ptr = result_.exchangers[h].addresses[i].ptr;
      ptr.status = a.status;
      ptr.error = a.error;
      ptr.names = a.names();
      ptr.done = true;
      if (a.status != dns::Status::ok) return;
      ptr.confirmed = false;
      for (std::size_t n = 0; n < ptr.names.size() && n < kMaxPtrNames; ++n) confirm_ptr(h, i, ptr.names[n]);
    }));
  }
  ac.dnsbl.resize(settings_.dnsbl_zones.size());
  for (std::size_t z = 0; z < settings_.dnsbl_zones.size(); ++z) check_dnsbl(h, i, z);
}

// FCrDNS: the PTR name's A (or AAAA) records must include the address itself.
void DomainCheck::confirm_ptr(std::size_t h, std::size_t i, const std::string& name) {
  const auto& address = result_.exchangers[h].addresses[i].address;
  const auto type = address.is_v4() ? dns::RRType::a : dns::RRType::aaaa;
  resolver().query(name, type, track([this, h, i, name](const dns::Answer& a) {
    auto& ac = result_.exchangers[h].addresses[i];
    const auto addrs = a.addresses();
    if (std::find(addrs.begin(), addrs.end(), ac.address) != addrs.end() && !ac.ptr.confirmed.value_or(false)) {
      ac.ptr.confirmed = true;
      ac.ptr.confirmed_by = name;
    }
  }));
}

void DomainCheck::check_dnsbl(std::size_t h, std::size_t i, std::size_t z) {
  auto& slot = result_.exchangers[h].addresses[i].dnsbl[z];
  slot.zone = settings_.dnsbl_zones[z];
  slot.query = result_.exchangers[h].addresses[i].address.dnsbl_name(slot.zone);
  resolver().query(slot.query, dns::RRType::a, track([this, h, i, z](const dns::Answer& a) {
    auto& s = result_.exchangers[h].addresses[i].dnsbl[z];
    s.result = dns::interpret_dnsbl(s.zone, a);
    s.done = true;
    if (s.result.verdict != dns::DnsblVerdict::listed) return;
    resolver().query(s.query, dns::RRType::txt, track([this, h, i, z](const dns::Answer& t) {
      auto& slot2 = result_.exchangers[h].addresses[i].dnsbl[z];
      for (const auto& txt : t.txt()) slot2.reason += (slot2.reason.empty() ? "" : " / ") + util::sanitize(txt, 300);
    }));
  }));
}

}  // namespace maildiag::app::mx_detail
