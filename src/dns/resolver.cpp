// The only file that talks to c-ares. c-ares 1.18.1 is driven through ARES_OPT_SOCK_STATE_CB
// (which sockets to watch), ares_process_fd (on readiness and on our timer) and ares_send
// (queries built with ares_create_query so that AD=1 can be set); its UDP sends go through
// UdpBatch (udp_batch.hpp: one sendmmsg per socket and loop turn). See docs/mx.md, "DNS core".

#include "maildiag/dns/resolver.hpp"

#include "maildiag/net/event_loop.hpp"
#include "udp_batch.hpp"

#include <ares.h>
#include <fmt/format.h>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <unordered_set>

namespace maildiag::dns {

namespace {

/// ares_library_init once per process (it is not thread safe; the first Resolver does it).
struct AresLibrary {
  int status;
  AresLibrary() : status(ares_library_init(ARES_LIB_INIT_ALL)) {}
  ~AresLibrary() {
    if (status == ARES_SUCCESS) ares_library_cleanup();
  }
  AresLibrary(const AresLibrary&) = delete;
  AresLibrary& operator=(const AresLibrary&) = delete;
};

void ensure_library() {
  static const AresLibrary lib;
  if (lib.status != ARES_SUCCESS)
    throw std::runtime_error(std::string("c-ares initialisation failed: ") + ares_strerror(lib.status));
}

Status status_of_ares(int status) {
  switch (status) {
    case ARES_ETIMEOUT: return Status::timeout;
    case ARES_ECONNREFUSED: return Status::conn_refused;
    case ARES_EBADRESP: return Status::malformed;
    case ARES_ESERVFAIL: return Status::servfail;
    case ARES_EREFUSED: return Status::refused;
    case ARES_ENOTFOUND: return Status::nxdomain;
    case ARES_ENODATA: return Status::nodata;
    default: return Status::error;
  }
}

constexpr int kClassIn = 1;

}  // namespace

std::string ServerAddress::to_string() const {
  return address.is_v4() ? fmt::format("{}:{}", address.to_string(), port)
                         : fmt::format("[{}]:{}", address.to_string(), port);
}

std::optional<ServerAddress> parse_server(std::string_view text, std::string* error) {
  const auto fail = [&](std::string_view why) -> std::optional<ServerAddress> {
    if (error != nullptr) *error = fmt::format("bad DNS server \"{}\": {}", text.substr(0, 80), why);
    return std::nullopt;
  };
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']'");
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("expected ':PORT' after ']'");
      port = rest.substr(1);
      if (port.empty()) return fail("empty port");
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return fail("empty port");
  }
  auto addr = Address::parse(host);
  if (!addr) return fail("not an IP address (give the resolver's address, e.g. 127.0.0.1:5353 or [::1]:5353)");
  ServerAddress s{*addr, 53};
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return fail("port must be 1-65535");
    s.port = static_cast<std::uint16_t>(value);
  }
  return s;
}

std::optional<std::vector<ServerAddress>> parse_server_list(std::string_view text, std::string* error) {
  std::vector<ServerAddress> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const auto item = text.substr(start, comma - start);
    if (!item.empty()) {
      auto s = parse_server(item, error);
      if (!s) return std::nullopt;
      out.push_back(*s);
    }
    start = comma + 1;
  }
  if (out.empty()) {
    if (error != nullptr) *error = "empty DNS server list";
    return std::nullopt;
  }
  return out;
}

bool is_queryable_name(std::string_view name) {
  if (name.empty() || name == ".") return false;
  if (name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '*';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

struct Resolver::Impl {
  struct Pending {
    Impl* impl = nullptr;
    std::string name;
    RRType type = RRType::a;
    Callback done;
    net::Clock::time_point start;
  };

  net::EventLoop& loop;
  ResolverConfig config;
  // Declared before the channel it serves, destroyed after it. A send that failed is read by
  // c-ares at once, as it would have met the error sending.
  UdpBatch batch{loop, config.udp_receive_buffer, [this](ares_socket_t fd) { process(fd, ARES_SOCKET_BAD); }};
  ares_channel channel = nullptr;
  std::string description;
  std::chrono::milliseconds try_timeout{0};
  std::deque<std::unique_ptr<Pending>> queue;
  std::size_t in_flight = 0;
  net::EventLoop::TimerId timer = 0;
  std::unordered_set<net::EventLoop::TimerId> deferred;
  std::unordered_set<int> fds;  ///< descriptors c-ares asked us to watch  ///< failures reported on the next loop turn
  bool destroying = false;
  Stats stats;

  Impl(net::EventLoop& l, ResolverConfig c) : loop(l), config(std::move(c)) {}

  void init_channel(std::chrono::milliseconds timeout);
  [[nodiscard]] std::size_t server_count() const;
  void describe();
  void send(std::unique_ptr<Pending> p);
  void pump();
  void arm_timer();
  void process(ares_socket_t read_fd, ares_socket_t write_fd);
  void finish(Pending& p, Answer a);
  void defer(std::unique_ptr<Pending> p, Answer a);

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
};

void Resolver::Impl::init_channel(std::chrono::milliseconds timeout) {
  ares_options opts{};
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_DOMAINS |
             ARES_OPT_LOOKUPS | ARES_OPT_NOROTATE;
  // NOCHECKRESP: without it SERVFAIL and REFUSED both come back as ECONNREFUSED (docs/mx.md).
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;
  if (config.edns_payload > 0) {
    opts.flags |= ARES_FLAG_EDNS;
    mask |= ARES_OPT_EDNSPSZ;
    opts.ednspsz = config.edns_payload;
  }
  opts.timeout = static_cast<int>(std::max<long long>(timeout.count(), 1));
  opts.tries = std::max(config.tries, 1);
  opts.sock_state_cb = &Impl::on_sock_state;
  opts.sock_state_cb_data = this;
  opts.domains = nullptr;  // no search list, ever (1.18 getaddrinfo ignores NOSEARCH otherwise)
  opts.ndomains = 0;
  static char lookups[] = "b";  // DNS only, never /etc/hosts
  opts.lookups = lookups;
  if (config.udp_receive_buffer > 0) {
    mask |= ARES_OPT_SOCK_RCVBUF;
    opts.socket_receive_buffer_size = config.udp_receive_buffer;
  }
  if (int rc = ares_init_options(&channel, &opts, mask); rc != ARES_SUCCESS) {
    channel = nullptr;
    throw std::runtime_error(std::string("cannot create a DNS resolver: ") + ares_strerror(rc));
  }
  batch.install(channel);
  if (!config.servers.empty()) {
    std::string csv;
    for (const auto& s : config.servers) csv += (csv.empty() ? "" : ",") + s.to_string();
    if (int rc = ares_set_servers_ports_csv(channel, csv.c_str()); rc != ARES_SUCCESS) {
      ares_destroy(channel);
      channel = nullptr;
      throw std::runtime_error(fmt::format("cannot use DNS servers {}: {}", csv, ares_strerror(rc)));
    }
  }
  try_timeout = std::chrono::milliseconds(opts.timeout);
}

std::size_t Resolver::Impl::server_count() const {
  ares_addr_port_node* list = nullptr;
  if (ares_get_servers_ports(channel, &list) != ARES_SUCCESS) return 1;
  std::size_t n = 0;
  for (auto* s = list; s != nullptr; s = s->next) ++n;
  ares_free_data(list);
  return std::max<std::size_t>(n, 1);
}

void Resolver::Impl::describe() {
  if (!config.servers.empty()) {
    for (const auto& s : config.servers) description += (description.empty() ? "" : ",") + s.to_string();
    return;
  }
  ares_addr_port_node* list = nullptr;
  description = "system";
  if (ares_get_servers_ports(channel, &list) != ARES_SUCCESS) return;
  std::string names;
  for (auto* s = list; s != nullptr; s = s->next) {
    std::optional<Address> a;
    if (s->family == AF_INET) {
      std::array<std::uint8_t, 4> b{};
      std::memcpy(b.data(), &s->addr.addr4, 4);
      a = Address::v4(b);
    } else if (s->family == AF_INET6) {
      std::array<std::uint8_t, 16> b{};
      std::memcpy(b.data(), &s->addr.addr6, 16);
      a = Address::v6(b);
    }
    if (!a) continue;
    const auto port = static_cast<std::uint16_t>(s->udp_port == 0 ? 53 : s->udp_port);
    names += (names.empty() ? "" : ",") + ServerAddress{*a, port}.to_string();
  }
  ares_free_data(list);
  if (!names.empty()) description += " (" + names + ")";
}

void Resolver::Impl::on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto* self = static_cast<Impl*>(data);
  if (readable == 0 && writable == 0) {
    self->loop.unwatch(fd);
    self->fds.erase(fd);
    return;
  }
  self->fds.insert(fd);
  self->loop.watch(fd, readable != 0, writable != 0, [self](int ready_fd, bool r, bool w) {
    self->process(r ? ready_fd : ARES_SOCKET_BAD, w ? ready_fd : ARES_SOCKET_BAD);
  });
}

void Resolver::Impl::process(ares_socket_t read_fd, ares_socket_t write_fd) {
  ares_process_fd(channel, read_fd, write_fd);
  arm_timer();
}

// The timer fires at the earliest c-ares deadline but never later than one base timeout from
// when it was armed, so a deadline added afterwards (a new query, a retry) is never missed and
// the O(n) ares_timeout() runs once per timer, not once per packet.
void Resolver::Impl::arm_timer() {
  if (in_flight == 0) {
    if (timer != 0) loop.cancel_timer(timer);
    timer = 0;
    return;
  }
  if (timer != 0) return;
  timeval cap{};
  cap.tv_sec = static_cast<decltype(cap.tv_sec)>(try_timeout.count() / 1000);
  cap.tv_usec = static_cast<decltype(cap.tv_usec)>((try_timeout.count() % 1000) * 1000);
  timeval tv{};
  const timeval* next = ares_timeout(channel, &cap, &tv);
  const auto wait = next == nullptr ? try_timeout
                                    : std::chrono::milliseconds(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
  timer = loop.add_timer(wait, [this] {
    timer = 0;
    process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  });
}

void Resolver::Impl::send(std::unique_ptr<Pending> p) {
  unsigned char* buf = nullptr;
  int len = 0;
  const int rc = ares_create_query(p->name.c_str(), kClassIn, static_cast<int>(p->type), 0, 1, &buf, &len,
                                   config.edns_payload);
  if (rc != ARES_SUCCESS || buf == nullptr || len < 12) {
    if (buf != nullptr) ares_free_string(buf);
    Answer a;
    a.qname = p->name;
    a.qtype = p->type;
    a.status = Status::error;
    a.error = std::string("cannot build the query: ") + ares_strerror(rc);
    defer(std::move(p), std::move(a));
    return;
  }
  if (config.request_ad) buf[3] = static_cast<unsigned char>(buf[3] | 0x20);
  p->start = net::Clock::now();
  ++in_flight;
  ++stats.sent;
  auto* raw = p.release();
  ares_send(channel, buf, len, &Impl::on_answer, raw);
  ares_free_string(buf);
  arm_timer();
}

void Resolver::Impl::pump() {
  while (!destroying && in_flight < std::max<std::size_t>(config.max_in_flight, 1) && !queue.empty()) {
    auto p = std::move(queue.front());
    queue.pop_front();
    send(std::move(p));
  }
}

void Resolver::Impl::finish(Pending& p, Answer a) {
  a.resolver = description;
  auto done = std::move(p.done);
  if (done) done(a);
}

// Callbacks never run inside query(): a failure known at once is reported on the next loop turn.
void Resolver::Impl::defer(std::unique_ptr<Pending> p, Answer a) {
  auto shared = std::shared_ptr<Pending>(std::move(p));
  auto id = std::make_shared<net::EventLoop::TimerId>(0);
  *id = loop.add_timer(std::chrono::milliseconds(0), [this, shared, id, a = std::move(a)]() mutable {
    deferred.erase(*id);
    finish(*shared, std::move(a));
  });
  deferred.insert(*id);
}

void Resolver::Impl::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
  Impl* self = p->impl;
  --self->in_flight;
  if (status == ARES_EDESTRUCTION || self->destroying) return;
  Answer a;
  if (status == ARES_SUCCESS && abuf != nullptr && alen > 0) {
    ++self->stats.answered;
    a = decode_answer(std::span<const std::uint8_t>(abuf, static_cast<std::size_t>(alen)), p->name, p->type);
  } else {
    a.qname = p->name;
    a.qtype = p->type;
    a.status = status_of_ares(status);
    a.error = ares_strerror(status);
    if (a.status == Status::timeout) ++self->stats.timeouts;
  }
  a.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(net::Clock::now() - p->start);
  self->pump();
  self->finish(*p, std::move(a));
}

Resolver::Resolver(net::EventLoop& loop, ResolverConfig config) : impl_(std::make_unique<Impl>(loop, std::move(config))) {
  ensure_library();
  auto& cfg = impl_->config;
  cfg.tries = std::clamp(cfg.tries, 1, 8);
  const int tries = cfg.tries;
  impl_->init_channel(cfg.timeout);
  if (cfg.budget.count() > 0) {
    const auto rounds = static_cast<long long>((1U << tries) - 1);
    const auto n = static_cast<long long>(impl_->server_count());
    const auto per_try = std::chrono::milliseconds(std::max<long long>(cfg.budget.count() / (n * rounds), 20));
    if (per_try != impl_->try_timeout) {
      ares_destroy(impl_->channel);
      impl_->channel = nullptr;
      impl_->init_channel(per_try);
    }
  }
  impl_->describe();
}

Resolver::~Resolver() {
  impl_->destroying = true;
  impl_->queue.clear();
  if (impl_->timer != 0) impl_->loop.cancel_timer(impl_->timer);
  for (const auto id : impl_->deferred) impl_->loop.cancel_timer(id);
  if (impl_->channel != nullptr) ares_destroy(impl_->channel);  // callbacks see ARES_EDESTRUCTION
  for (const int fd : impl_->fds) impl_->loop.unwatch(fd);
}

void Resolver::query(std::string name, RRType type, Callback done) {
  auto p = std::make_unique<Impl::Pending>();
  p->impl = impl_.get();
  p->type = type;
  p->done = std::move(done);
  if (!is_queryable_name(name)) {
    Answer a;
    a.qname = name;
    a.qtype = type;
    a.status = Status::error;
    a.error = "not a valid DNS name for a query";
    p->name = std::move(name);
    impl_->defer(std::move(p), std::move(a));
    return;
  }
  p->name = std::move(name);
  impl_->queue.push_back(std::move(p));
  impl_->pump();
}

std::size_t Resolver::pending() const { return impl_->in_flight + impl_->queue.size(); }
const std::string& Resolver::description() const { return impl_->description; }
const ResolverConfig& Resolver::config() const { return impl_->config; }
std::chrono::milliseconds Resolver::try_timeout() const { return impl_->try_timeout; }
Resolver::Stats Resolver::stats() const {
  auto s = impl_->stats;
  s.udp_sends = impl_->batch.system_calls();
  return s;
}

}  // namespace maildiag::dns
