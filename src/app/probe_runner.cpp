// `probe` runner: resolves targets, then runs every (host x address x port) attempt concurrently
// on one event loop: connect, implicit TLS where the port carries it, first reply, polite QUIT.
// Control hosts are probed on port 25 only when a target's SMTP port got no answer.

#include "probe_engine.hpp"

#include "interrupted.hpp"

#include "maildiag/app/resolver_config.hpp"
#include "maildiag/dns/mail.hpp"
#include "maildiag/dns/resolver.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/event_loop.hpp"
#include "maildiag/net/stream.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

namespace maildiag::app {

using namespace probe_detail;
using net::Clock;

namespace {

constexpr std::chrono::milliseconds kControlDelay{1000};
constexpr std::chrono::milliseconds kQuitBudget{500};

std::string_view quit_command(Protocol p) {
  switch (p) {
    case Protocol::smtp:
    case Protocol::smtps:
    case Protocol::submission:
    case Protocol::pop3:
    case Protocol::pop3s: return "QUIT\r\n";
    case Protocol::imap:
    case Protocol::imaps: return "Z LOGOUT\r\n";
    case Protocol::tcp: return "";
  }
  return "";
}

net::Address to_net(const dns::Address& a) {
  // Same bytes, two value types (dns keeps its own to stay free of socket headers).
  return *net::Address::parse(a.to_string());
}

bool family_allowed(const net::Address& a, Family f) {
  return f == Family::any || (f == Family::v4) == !a.is_v6();
}

class Prober {
 public:
  Prober(Run& run, const CommonOptions& common, dns::ResolverConfig dns_config)
      : run_(run), common_(common), dns_config_(std::move(dns_config)) {
    connect_options_.attempt_timeout = run.timeout;
    if (run.options.source) connect_options_.source = net::Address::parse(*run.options.source);
  }

  void go() {
    const auto start = Clock::now();
    for (std::size_t t = 0; t < run_.targets.size(); ++t) resolve_target(t);
    control_timer_ = loop_.add_timer(kControlDelay, [this] {
      control_timer_ = 0;
      control_delay_passed_ = true;
      maybe_start_controls();
    });
    loop_.run_until([this] { return done(); }, Clock::now() + std::chrono::hours(24));
    if (loop_.interrupted()) {
      // Ctrl-C: the connections still open are closed below without waiting for a greeting (no
      // QUIT is owed before one); what they got so far is reported, marked as cut short.
      run_.interrupted = true;
      for (auto& a : run_.attempts) {
        if (a.started && !a.finished) a.connect.detail = "interrupted before an answer";
      }
    }
    if (control_timer_ != 0) loop_.cancel_timer(control_timer_);
    flows_.clear();
    resolver_.reset();
    run_.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }

 private:
  struct Flow {
    std::unique_ptr<net::TcpConnect> connect;
    std::unique_ptr<net::Stream> stream;
    std::optional<BannerReader> reader;
    Clock::time_point deadline;
    Clock::time_point connected;
  };

  Run& run_;
  const CommonOptions& common_;
  dns::ResolverConfig dns_config_;
  net::EventLoop loop_;
  std::unique_ptr<dns::Resolver> resolver_;
  std::string resolver_error_;
  net::ConnectOptions connect_options_;
  std::deque<std::size_t> queue_;
  std::map<std::size_t, std::unique_ptr<Flow>> flows_;
  std::size_t pending_dns_ = 0;
  net::EventLoop::TimerId control_timer_ = 0;
  bool control_delay_passed_ = false;
  bool controls_started_ = false;

  [[nodiscard]] bool done() const { return pending_dns_ == 0 && queue_.empty() && flows_.empty(); }

  dns::Families families() const {
    return {common_.family != Family::v6, common_.family != Family::v4};
  }

  dns::Resolver* resolver() {
    if (resolver_ || !resolver_error_.empty()) return resolver_.get();
    try {
      resolver_ = std::make_unique<dns::Resolver>(loop_, dns_config_);
    } catch (const std::exception& e) {
      resolver_error_ = e.what();
    }
    return resolver_.get();
  }

  // ---- resolution ------------------------------------------------------------------------------

  void resolve_target(std::size_t t) {
    Target& tg = run_.targets[t];
    if (tg.reading == "invalid") return;
    if (auto lit = net::Address::parse(tg.name)) {
      tg.reading = "address";
      add_host(t, Host{tg.name, std::nullopt, "literal", "", {*lit}, tg.ports});
      return;
    }
    if (util::iequals(tg.name, "localhost") || util::iequals(tg.name, "localhost.")) {
      tg.reading = "host";  // RFC 6761 §6.3: never sent to DNS
      add_host(t, Host{tg.name, std::nullopt, "localhost", "", {net::Address::loopback_v4(), net::Address::loopback_v6()}, tg.ports});
      return;
    }
    dns::Resolver* r = resolver();
    if (r == nullptr) {
      tg.dns_status = "error";
      tg.dns_error = "no DNS resolver: " + resolver_error_;
      return;
    }
    ++pending_dns_;
    if (tg.reading == "host") {
      dns::resolve_host(*r, tg.name, families(), [this, t](dns::HostAddresses h) {
        --pending_dns_;
        on_host_resolved(t, h, std::nullopt);
      });
      return;
    }
    dns::resolve_mx_hosts(*r, tg.name, families(), [this, t](dns::MxHosts mx) {
      --pending_dns_;
      on_mx_resolved(t, mx);
    });
  }

  void on_mx_resolved(std::size_t t, const dns::MxHosts& mx) {
    Target& tg = run_.targets[t];
    tg.dns_status = std::string(dns::to_string(mx.status));
    tg.dns_error = mx.error;
    if (mx.null_mx) {
      tg.reading = "null-mx";
      tg.resolved = true;
      return;
    }
    if (mx.implicit) {
      tg.reading = tg.reading == "mx" ? "implicit-mx" : "host";
      tg.dns_status = "ok";
    } else if (mx.status == dns::Status::ok) {
      tg.reading = "mx";
    } else {
      tg.resolved = true;
      return;
    }
    for (const auto& h : mx.hosts) {
      on_host_resolved(t, h.addresses, mx.implicit ? std::nullopt : std::optional<std::uint16_t>(h.preference));
    }
    tg.resolved = true;
  }

  void on_host_resolved(std::size_t t, const dns::HostAddresses& h, std::optional<std::uint16_t> pref) {
    Target& tg = run_.targets[t];
    Host host{h.host, pref, std::string(dns::to_string(h.status)), h.error, {}, tg.ports};
    for (const auto& a : h.addresses) host.addresses.push_back(to_net(a));
    if (tg.reading == "host") tg.dns_status = host.dns_status;
    add_host(t, std::move(host));
    tg.resolved = true;
  }

  void add_host(std::size_t t, Host host) {
    Target& tg = run_.targets[t];
    tg.resolved = true;
    tg.hosts.push_back(std::move(host));
    queue_attempts(Role::target, t, tg.hosts.size() - 1, tg.hosts.back());
  }

  void queue_attempts(Role role, std::size_t t, std::size_t h, const Host& host) {
    for (const auto& addr : host.addresses) {
      if (!family_allowed(addr, common_.family)) continue;
      for (const auto& port : host.ports) {
        Attempt a;
        a.role = role;
        a.target = t;
        a.host = h;
        a.port = port;
        a.connect.address = addr;
        a.connect.port = port.port;
        run_.attempts.push_back(std::move(a));
        queue_.push_back(run_.attempts.size() - 1);
      }
    }
    pump();
  }

  // ---- control hosts ---------------------------------------------------------------------------

  /// Starts the control probes once some target's SMTP port is known (or suspected) to get no answer.
  void maybe_start_controls() {
    if (controls_started_ || run_.options.controls.empty()) return;
    for (std::size_t t = 0; t < run_.targets.size(); ++t) {
      std::vector<Reach> finished;
      std::size_t pending = 0;
      bool any = false;
      for (const auto& a : run_.attempts) {
        if (a.role != Role::target || a.target != t || a.port.protocol != Protocol::smtp) continue;
        any = true;
        if (a.finished) finished.push_back(reach_of(a.connect.outcome));
        else ++pending;
      }
      if (!any) continue;
      const bool silent_so_far = finished.empty() || controls_needed(finished);
      if (silent_so_far && ((pending == 0 && !finished.empty()) || (pending > 0 && control_delay_passed_))) {
        start_controls();
        return;
      }
    }
  }

  void start_controls() {
    controls_started_ = true;
    run_.controls_probed = true;
    for (std::size_t i = 0; i < run_.control_hosts.size(); ++i) {
      Host& h = run_.control_hosts[i];
      if (!h.addresses.empty()) {
        queue_attempts(Role::control, 0, i, h);
        continue;
      }
      dns::Resolver* r = resolver();
      if (r == nullptr) {
        h.dns_status = "error";
        h.dns_error = resolver_error_;
        continue;
      }
      ++pending_dns_;
      dns::resolve_host(*r, h.name, families(), [this, i](dns::HostAddresses ha) {
        --pending_dns_;
        Host& host = run_.control_hosts[i];
        host.dns_status = std::string(dns::to_string(ha.status));
        host.dns_error = ha.error;
        for (const auto& a : ha.addresses) host.addresses.push_back(to_net(a));
        queue_attempts(Role::control, 0, i, host);
      });
    }
  }

  // ---- attempts --------------------------------------------------------------------------------

  void pump() {
    while (!queue_.empty() && flows_.size() < std::max<std::size_t>(run_.options.concurrency, 1)) {
      const auto i = queue_.front();
      queue_.pop_front();
      start_attempt(i);
    }
  }

  void start_attempt(std::size_t i) {
    Attempt& a = run_.attempts[i];
    a.started = true;
    auto flow = std::make_unique<Flow>();
    flow->deadline = Clock::now() + run_.timeout;
    Flow& f = *flow;
    flows_[i] = std::move(flow);
    f.connect = std::make_unique<net::TcpConnect>(loop_, a.connect.address, a.port.port, connect_options_, f.deadline,
                                                  [this, i](const net::ConnectAttempt& at, int fd) { on_connected(i, at, fd); });
  }

  void on_connected(std::size_t i, const net::ConnectAttempt& at, int fd) {
    Attempt& a = run_.attempts[i];
    Flow& f = *flows_[i];
    a.connect = at;
    if (fd < 0) {
      finish(i);
      return;
    }
    f.connected = Clock::now();
    f.stream = std::make_unique<net::Stream>(loop_, fd);
    if (!run_.options.banner) {
      finish(i);
      return;
    }
    f.reader.emplace(a.port.protocol);
    if (!implicit_tls(a.port.protocol)) {
      read_more(i);
      return;
    }
    f.stream->async_start_tls(tls_options(a), f.deadline, [this, i](net::TlsResult r) {
      Attempt& at2 = run_.attempts[i];
      at2.tls = std::move(r.report);
      at2.injected = util::sanitize(r.injected, 200);
      if (!r.ok) {
        at2.banner.status = BannerStatus::tls_failed;
        at2.banner.detail = r.error;
        finish(i);
        return;
      }
      read_more(i);
    });
  }

  tls::TlsOptions tls_options(const Attempt& a) const {
    const Host& h = host_of(a);
    tls::TlsOptions o;
    o.names = {h.name};
    o.sni = run_.options.sni.empty() ? tls::default_sni(h.name) : run_.options.sni;
    o.ca_file = run_.options.ca_file;
    o.verify = !run_.options.no_verify;
    o.expiry_warn_days = run_.options.expiry_warn_days;
    return o;
  }

  const Host& host_of(const Attempt& a) const {
    return a.role == Role::control ? run_.control_hosts[a.host] : run_.targets[a.target].hosts[a.host];
  }

  void read_more(std::size_t i) {
    Flow& f = *flows_[i];
    f.stream->async_read(16 * 1024, f.deadline, [this, i](const net::IoStatus& st, std::string_view data) {
      Attempt& a = run_.attempts[i];
      Flow& fl = *flows_[i];
      if (st.ok()) {
        if (!fl.reader->feed(data)) {
          read_more(i);
          return;
        }
        record_banner(a, fl, fl.reader->status(), {});
        say_goodbye(i);
        return;
      }
      BannerStatus s = BannerStatus::error;
      if (st.kind == net::IoStatus::Kind::timeout) {
        s = fl.reader->bytes() == 0 ? BannerStatus::timeout_silent : BannerStatus::timeout_partial;
      } else if (st.kind == net::IoStatus::Kind::eof) {
        s = BannerStatus::eof;
      }
      record_banner(a, fl, s, st.detail);
      finish(i);
    });
  }

  static void record_banner(Attempt& a, const Flow& f, BannerStatus s, std::string detail) {
    a.banner.status = s;
    a.banner.lines = f.reader->lines();
    a.banner.partial = std::string(f.reader->partial().substr(0, 200));
    a.banner.bytes = f.reader->bytes();
    a.banner.ms = std::chrono::duration<double, std::milli>(Clock::now() - f.connected).count();
    a.banner.detail = std::move(detail);
  }

  /// QUIT (LOGOUT) after a complete greeting, without waiting for the answer: testers that just
  /// drop connections get listed (peers.md). Bounded by kQuitBudget.
  void say_goodbye(std::size_t i) {
    Attempt& a = run_.attempts[i];
    const auto cmd = quit_command(a.port.protocol);
    if (cmd.empty() || a.banner.status != BannerStatus::complete) {
      finish(i);
      return;
    }
    Flow& f = *flows_[i];
    f.stream->async_write(std::string(cmd), std::min(f.deadline, Clock::now() + kQuitBudget),
                          [this, i](const net::IoStatus&) { finish(i); });
  }

  void finish(std::size_t i) {
    Attempt& a = run_.attempts[i];
    a.finished = true;
    auto it = flows_.find(i);
    if (it != flows_.end()) {
      if (it->second->stream) it->second->stream->close();
      flows_.erase(it);  // safe inside the flow's own handlers (see net::Stream, net::TcpConnect)
    }
    if (a.role == Role::target && a.port.protocol == Protocol::smtp) maybe_start_controls();
    pump();
  }
};

/// Splits "HOST[:PORT][/PROTO]" and decides the ports of a target.
Target make_target(const std::string& input, const ProbeOptions& o, std::string* error) {
  Target t;
  t.input = input;
  std::string_view text = util::trim(input);
  std::optional<Protocol> proto;
  if (const auto slash = text.rfind('/'); slash != std::string_view::npos) {
    proto = protocol_from_name(text.substr(slash + 1));
    if (!proto) {
      *error = "bad target \"" + util::sanitize(input, 80) + "\": unknown protocol after '/'";
      t.reading = "invalid";
      return t;
    }
    text = text.substr(0, slash);
  }
  auto hp = net::parse_host_port(text, error);
  if (!hp) {
    *error = "bad target \"" + util::sanitize(input, 80) + "\": " + *error;
    t.reading = "invalid";
    return t;
  }
  t.name = hp->host;
  if (hp->port) {
    PortSpec spec{*hp->port, proto.value_or(protocol_for_port(*hp->port))};
    if (!proto) {
      for (const auto& p : o.ports) {
        if (p.port == *hp->port) spec.protocol = p.protocol;
      }
    }
    t.ports = {spec};
    t.explicit_ports = true;
    t.reading = "host";  // a port names a host, never a mail domain
  } else {
    if (proto) {
      *error = "bad target \"" + util::sanitize(input, 80) + "\": /PROTO needs a port (HOST:PORT/PROTO)";
      t.reading = "invalid";
      return t;
    }
    t.ports = o.ports.empty() ? default_ports() : o.ports;
    t.explicit_ports = !o.ports.empty();
    t.reading = o.reading == TargetReading::host ? "host" : o.reading == TargetReading::mx ? "mx" : "auto";
  }
  if (o.reading == TargetReading::mx && hp->port) t.reading = "mx";
  return t;
}

}  // namespace

namespace probe_detail {

Reach reach_of(net::ConnectOutcome o) {
  switch (o) {
    case net::ConnectOutcome::open: return Reach::open;
    case net::ConnectOutcome::refused: return Reach::refused;
    case net::ConnectOutcome::filtered: return Reach::filtered;
    case net::ConnectOutcome::unreachable: return Reach::unreachable;
    case net::ConnectOutcome::blocked: return Reach::blocked;
    case net::ConnectOutcome::dns_failure:
    case net::ConnectOutcome::error: return Reach::error;
  }
  return Reach::error;
}

}  // namespace probe_detail

std::optional<std::vector<report::Report>> run_probe(const ProbeOptions& options, const CommonOptions& common,
                                                     std::string* error) {
  Run run;
  run.options = options;
  run.timeout = common.timeout;
  if (options.targets.empty()) {
    *error = "no target given";
    return std::nullopt;
  }
  if (options.source && !net::Address::parse(*options.source)) {
    *error = "--source must be an IP address of this host, not \"" + util::sanitize(*options.source, 60) + "\"";
    return std::nullopt;
  }
  for (const auto& in : options.targets) {
    std::string err;
    run.targets.push_back(make_target(in, options, &err));
    if (run.targets.back().reading == "invalid") {
      *error = err;
      return std::nullopt;
    }
  }
  for (const auto& c : options.controls) {
    std::string err;
    auto hp = net::parse_host_port(c, &err);
    if (!hp) {
      *error = "bad --control \"" + util::sanitize(c, 80) + "\": " + err;
      return std::nullopt;
    }
    Host h{hp->host, std::nullopt, "ok", "", {}, {PortSpec{hp->port.value_or(25), Protocol::smtp}}};
    if (auto lit = net::Address::parse(hp->host)) {
      h.addresses = {*lit};
      h.dns_status = "literal";
    }
    run.control_hosts.push_back(std::move(h));
  }
  auto dns_config = resolver_config(common, error);
  if (!dns_config) return std::nullopt;
  // Names are resolved within the timeout too (at most 10 s: a probe is not a DNS test).
  dns_config->budget = std::min<std::chrono::milliseconds>(common.timeout, std::chrono::seconds(10));
  Prober(run, common, std::move(*dns_config)).go();
  auto reports = build_reports(run);
  if (run.interrupted) {
    for (auto& r : reports) add_interrupted(r, "probe", i18n::msg("probe.interrupted.during"));
  }
  return reports;
}

}  // namespace maildiag::app
