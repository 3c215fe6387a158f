#include "maildiag/dns/mail.hpp"

#include "maildiag/dns/wire.hpp"
#include "maildiag/net/event_loop.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace maildiag::dns {

namespace {

/// How bad a non-ok status is for "can we reach this host": DNS failures outrank "does not exist".
int failure_rank(Status s) {
  switch (s) {
    case Status::ok: return 0;
    case Status::nodata: return 1;
    case Status::nxdomain: return 2;
    default: return 3;
  }
}

bool is_ip_literal(std::string_view name) {
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') return true;
  return Address::parse(name).has_value();
}

}  // namespace

bool MxHosts::routable() const {
  return std::any_of(hosts.begin(), hosts.end(), [](const MxHost& h) { return !h.addresses.addresses.empty(); });
}

HostAddresses combine_addresses(std::string host, std::optional<Answer> a, std::optional<Answer> aaaa) {
  HostAddresses out;
  out.host = std::move(host);
  out.a = std::move(a);
  out.aaaa = std::move(aaaa);
  Status worst = Status::ok;
  bool any = false;
  for (const auto* ans : {out.a ? &*out.a : nullptr, out.aaaa ? &*out.aaaa : nullptr}) {
    if (ans == nullptr) continue;
    for (const auto& addr : ans->addresses()) out.addresses.push_back(addr);
    if (out.cname_chain.empty()) out.cname_chain = ans->cname_chain;
    if (ans->ok()) {
      any = true;
    } else if (worst == Status::ok || failure_rank(ans->status) > failure_rank(worst)) {
      worst = ans->status;
      out.error = ans->error.empty() ? std::string(describe(ans->status)) : ans->error;
    }
  }
  if (any) {
    out.status = Status::ok;
  } else if (worst == Status::ok) {  // nothing was asked
    out.status = Status::nodata;
  } else {
    out.status = worst;
  }
  return out;
}

void resolve_host(Resolver& resolver, std::string host, Families families, std::function<void(HostAddresses)> done) {
  struct State {
    std::string host;
    int waiting = 0;
    std::optional<Answer> a, aaaa;
    std::function<void(HostAddresses)> done;
  };
  auto st = std::make_shared<State>();
  st->host = host;
  st->done = std::move(done);
  if (!families.v4 && !families.v6) families = Families{};
  st->waiting = (families.v4 ? 1 : 0) + (families.v6 ? 1 : 0);
  const auto finish = [st] {
    if (--st->waiting == 0) st->done(combine_addresses(st->host, std::move(st->a), std::move(st->aaaa)));
  };
  if (families.v4) resolver.query(host, RRType::a, [st, finish](const Answer& ans) { st->a = ans; finish(); });
  if (families.v6) resolver.query(host, RRType::aaaa, [st, finish](const Answer& ans) { st->aaaa = ans; finish(); });
}

namespace {

struct MxState {
  MxHosts result;
  std::size_t waiting = 0;
  std::function<void(MxHosts)> done;
  void complete() { done(std::move(result)); }
};

void resolve_exchangers(Resolver& resolver, const std::shared_ptr<MxState>& st, Families families) {
  for (const auto& mx : st->result.mx_answer.mx()) {
    if (mx.exchange == ".") {
      st->result.null_mx = true;
      continue;
    }
    MxHost h;
    h.preference = mx.preference;
    h.name = mx.exchange;
    h.ip_literal = is_ip_literal(mx.exchange);
    if (h.ip_literal) {
      h.addresses.host = mx.exchange;
      h.addresses.status = Status::error;
      h.addresses.error = "the exchange is an IP address literal, not a host name";
    }
    st->result.hosts.push_back(std::move(h));
  }
  for (std::size_t i = 0; i < st->result.hosts.size(); ++i) {
    if (!st->result.hosts[i].ip_literal) ++st->waiting;
  }
  if (st->waiting == 0) {
    st->complete();
    return;
  }
  for (std::size_t i = 0; i < st->result.hosts.size(); ++i) {
    if (st->result.hosts[i].ip_literal) continue;
    resolve_host(resolver, st->result.hosts[i].name, families, [st, i](HostAddresses addrs) {
      st->result.hosts[i].addresses = std::move(addrs);
      if (--st->waiting == 0) st->complete();
    });
  }
}

}  // namespace

void resolve_mx_hosts(Resolver& resolver, std::string domain, Families families, std::function<void(MxHosts)> done) {
  auto st = std::make_shared<MxState>();
  st->result.domain = domain;
  st->done = std::move(done);
  auto* r = &resolver;
  resolver.query(domain, RRType::mx, [st, r, families](const Answer& ans) {
    st->result.mx_answer = ans;
    st->result.status = ans.status;
    st->result.error = ans.error;
    if (ans.status == Status::ok) {
      resolve_exchangers(*r, st, families);
      return;
    }
    if (ans.status != Status::nodata) {
      st->complete();
      return;
    }
    // No MX: RFC 5321 §5.1 implicit MX — the domain's own addresses with preference 0.
    resolve_host(*r, st->result.domain, families, [st](HostAddresses addrs) {
      if (!addrs.addresses.empty()) {
        st->result.implicit = true;
        st->result.hosts.push_back(MxHost{0, st->result.domain, false, std::move(addrs)});
      } else if (is_failure(addrs.status)) {
        st->result.error = addrs.error;
      }
      st->complete();
    });
  });
}

namespace {

template <typename Result, typename Start>
Result run_blocking(const ResolverConfig& config, std::chrono::milliseconds budget, Result on_timeout, Start start) {
  net::EventLoop loop;
  ResolverConfig c = config;
  if (c.budget.count() == 0) c.budget = budget / 2;
  std::optional<Result> out;
  try {
    Resolver resolver(loop, c);
    start(resolver, [&out](Result r) { out = std::move(r); });
    loop.run_until([&out] { return out.has_value(); }, loop.now() + budget);
  } catch (const std::runtime_error& e) {
    on_timeout.status = Status::error;
    on_timeout.error = e.what();
    return on_timeout;
  }
  if (out) return std::move(*out);
  on_timeout.status = Status::timeout;
  on_timeout.error = "the lookups did not finish within the time budget";
  return on_timeout;
}

}  // namespace

HostAddresses resolve_host(const ResolverConfig& config, std::string_view host, Families families,
                           std::chrono::milliseconds budget) {
  HostAddresses fallback;
  fallback.host = std::string(host);
  return run_blocking<HostAddresses>(config, budget, fallback, [&](Resolver& r, auto done) {
    resolve_host(r, std::string(host), families, done);
  });
}

MxHosts resolve_mx_hosts(const ResolverConfig& config, std::string_view domain, Families families,
                         std::chrono::milliseconds budget) {
  MxHosts fallback;
  fallback.domain = std::string(domain);
  return run_blocking<MxHosts>(config, budget, fallback, [&](Resolver& r, auto done) {
    resolve_mx_hosts(r, std::string(domain), families, done);
  });
}

}  // namespace maildiag::dns
