// The c-ares resolver on the event loop, against a scripted DNS server on a 127.0.0.1 UDP socket
// in the same loop: every Status, the AD request bit, the in-flight cap, budgets and teardown.
#include "maildiag/dns/mail.hpp"
#include "maildiag/dns/resolver.hpp"
#include "maildiag/dns/wire.hpp"
#include "maildiag/net/event_loop.hpp"
#include "support/sockets.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <thread>
#include <vector>

using namespace maildiag::dns;
using maildiag::net::Clock;
using maildiag::net::EventLoop;
using namespace std::chrono_literals;

namespace {

/// Answers by the first label of the question: ok, nx, servfail, refused, silent, broken, mx.
class FakeServer {
 public:
  explicit FakeServer(EventLoop& loop, std::chrono::milliseconds delay = 0ms) : loop_(loop), delay_(delay) {
    const auto s = maildiag::test::bind_loopback(SOCK_DGRAM);
    fd_ = s.fd;
    port_ = s.port;
    loop_.watch(fd_, true, false, [this](int, bool, bool) { receive(); });
  }
  ~FakeServer() {
    loop_.unwatch(fd_);
    ::close(fd_);
  }
  [[nodiscard]] ServerAddress address() const { return ServerAddress{*Address::parse("127.0.0.1"), port_}; }

  int queries = 0;
  int outstanding = 0;
  int max_outstanding = 0;
  bool saw_ad = false;
  bool saw_opt = false;

 private:
  EventLoop& loop_;
  std::chrono::milliseconds delay_;
  int fd_ = -1;
  std::uint16_t port_ = 0;

  void receive() {
    std::vector<std::uint8_t> q(4096);
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const auto n = ::recvfrom(fd_, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) return;
    q.resize(static_cast<std::size_t>(n));
    ++queries;
    auto m = wire::Message::parse(q);
    REQUIRE(m);
    saw_ad = saw_ad || m->header().ad;
    saw_opt = saw_opt || m->has_opt();
    const auto& question = m->questions().at(0);
    const auto label = question.name.substr(0, question.name.find('.'));
    if (label == "silent") return;
    auto reply = respond(q, label, question.type, m->header().ad);
    ++outstanding;
    max_outstanding = std::max(max_outstanding, outstanding);
    loop_.add_timer(delay_, [this, reply, from] {
      --outstanding;
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<const sockaddr*>(&from), sizeof from);
    });
  }

  static std::vector<std::uint8_t> respond(const std::vector<std::uint8_t>& q, const std::string& label,
                                           std::uint16_t type, bool ad) {
    // header + question of the query, then our records; the query's OPT is dropped
    std::size_t end = wire::kHeaderSize;
    REQUIRE(wire::read_name(q, end));
    end += 4;
    std::vector<std::uint8_t> r(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(end));
    unsigned rcode = label == "nx" ? 3 : label == "servfail" ? 2 : label == "refused" ? 5 : 0;
    r[2] = static_cast<std::uint8_t>(r[2] | 0x80);
    r[3] = static_cast<std::uint8_t>(0x80 | (ad ? 0x20 : 0) | rcode);
    r[10] = r[11] = 0;
    const auto add = [&r](std::uint16_t t, std::vector<std::uint8_t> rdata) {
      r.insert(r.end(), {0xC0, 0x0C, static_cast<std::uint8_t>(t >> 8), static_cast<std::uint8_t>(t), 0, 1, 0, 0,
                         0, 60, 0, static_cast<std::uint8_t>(rdata.size())});
      r.insert(r.end(), rdata.begin(), rdata.end());
      r[7] = static_cast<std::uint8_t>(r[7] + 1);
    };
    if (label == "ok" && type == 1) add(1, {192, 0, 2, 1});
    if (label == "mx" && type == 15) add(15, {0, 10, 2, 'o', 'k', 0xC0, 0x0C});  // MX 10 ok.<qname>
    if (label == "broken") {
      add(1, {192, 0, 2, 1});
      r.resize(r.size() - 2);  // the rdata is cut short
    }
    return r;
  }
};

std::uint16_t closed_port() {
  const auto s = maildiag::test::bind_loopback(SOCK_DGRAM);
  ::close(s.fd);
  return s.port;
}

Answer ask(EventLoop& loop, Resolver& r, const std::string& name, RRType type) {
  std::optional<Answer> out;
  r.query(name, type, [&](const Answer& a) { out = a; });
  loop.run_until([&] { return out.has_value(); }, Clock::now() + 5s);
  REQUIRE(out);
  return *out;
}

}  // namespace

TEST_CASE("resolver: statuses from a scripted server", "[dns][resolver]") {
  EventLoop loop;
  FakeServer server(loop);
  ResolverConfig cfg;
  cfg.servers = {server.address()};
  cfg.budget = 300ms;
  Resolver r(loop, cfg);
  CHECK(r.description() == server.address().to_string());

  auto ok = ask(loop, r, "ok.example", RRType::a);
  CHECK(ok.status == Status::ok);
  CHECK(ok.addresses().at(0).to_string() == "192.0.2.1");
  CHECK(ok.resolver == r.description());
  CHECK(ok.authentic_data);  // we asked with AD=1 and the server echoed it
  CHECK(server.saw_ad);
  CHECK(server.saw_opt);
  CHECK(ask(loop, r, "ok.example", RRType::aaaa).status == Status::nodata);
  CHECK(ask(loop, r, "nx.example", RRType::a).status == Status::nxdomain);
  CHECK(ask(loop, r, "servfail.example", RRType::a).status == Status::servfail);
  CHECK(ask(loop, r, "refused.example", RRType::a).status == Status::refused);
  CHECK(ask(loop, r, "broken.example", RRType::a).status == Status::malformed);

  const auto start = Clock::now();
  const auto silent = ask(loop, r, "silent.example", RRType::a);
  const auto took = Clock::now() - start;
  CHECK(silent.status == Status::timeout);
  CHECK(took >= 250ms);
  CHECK(took < 1000ms);
  CHECK(r.stats().timeouts == 1);

  auto bad = ask(loop, r, "a\\032b.example", RRType::a);
  CHECK(bad.status == Status::error);
}

TEST_CASE("resolver: closed port is connection-refused, not a timeout", "[dns][resolver]") {
  EventLoop loop;
  ResolverConfig cfg;
  cfg.servers = {ServerAddress{*Address::parse("127.0.0.1"), closed_port()}};
  cfg.budget = 2000ms;
  Resolver r(loop, cfg);
  const auto start = Clock::now();
  CHECK(ask(loop, r, "ok.example", RRType::a).status == Status::conn_refused);
  CHECK(Clock::now() - start < 1500ms);
}

TEST_CASE("resolver: callbacks run on the loop, never inside query()", "[dns][resolver]") {
  EventLoop loop;
  FakeServer server(loop);
  Resolver r(loop, ResolverConfig{{server.address()}});
  bool called = false;
  r.query("bad..name", RRType::a, [&](const Answer&) { called = true; });
  CHECK_FALSE(called);
  loop.run_until([&] { return called; }, Clock::now() + 1s);
  CHECK(called);
}

TEST_CASE("resolver: in-flight cap queues queries", "[dns][resolver]") {
  EventLoop loop;
  FakeServer server(loop, 5ms);
  ResolverConfig cfg;
  cfg.servers = {server.address()};
  cfg.max_in_flight = 8;
  Resolver r(loop, cfg);
  int answered = 0;
  for (int i = 0; i < 100; ++i) {
    r.query("ok.q" + std::to_string(i) + ".example", RRType::a, [&](const Answer& a) {
      CHECK(a.status == Status::ok);
      ++answered;
    });
  }
  CHECK(r.pending() == 100);
  loop.run_until([&] { return answered == 100; }, Clock::now() + 10s);
  CHECK(answered == 100);
  CHECK(server.max_outstanding <= 8);
  CHECK(server.max_outstanding >= 2);
  CHECK(r.pending() == 0);
}

TEST_CASE("resolver: the queries of one loop turn leave in one sendmmsg", "[dns][resolver]") {
  EventLoop loop;
  FakeServer server(loop);
  Resolver r(loop, ResolverConfig{{server.address()}});
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    r.query("ok.b" + std::to_string(i) + ".example", RRType::a, [&](const Answer& a) {
      CHECK(a.status == Status::ok);
      ++answered;
    });
  }
  loop.run_until([&] { return answered == 20; }, Clock::now() + 5s);
  CHECK(answered == 20);
  CHECK(server.queries == 20);
  CHECK(r.stats().sent == 20);
  CHECK(r.stats().udp_sends == 1);
}

TEST_CASE("resolver: destroying with queries pending calls nothing", "[dns][resolver]") {
  EventLoop loop;
  FakeServer server(loop);
  bool called = false;
  {
    Resolver r(loop, ResolverConfig{{server.address()}});
    r.query("silent.example", RRType::a, [&](const Answer&) { called = true; });
    r.query("bad..name", RRType::a, [&](const Answer&) { called = true; });  // deferred to the next turn
  }
  {
    Resolver r(loop, ResolverConfig{{server.address()}});
    r.query("silent.example", RRType::a, [&](const Answer&) { called = true; });
    loop.run(Clock::now() + 50ms);  // sent, unanswered
  }
  loop.run(Clock::now() + 100ms);
  CHECK_FALSE(called);
  // The first resolver is gone before its turn's datagrams are flushed: nothing is sent for it.
  CHECK(server.queries == 1);
}

TEST_CASE("mail: MX hosts with addresses through the async API", "[dns][mail]") {
  EventLoop loop;
  FakeServer server(loop);
  Resolver r(loop, ResolverConfig{{server.address()}});
  std::optional<MxHosts> got;
  resolve_mx_hosts(r, "mx.example", Families{true, false}, [&](MxHosts m) { got = std::move(m); });
  loop.run_until([&] { return got.has_value(); }, Clock::now() + 5s);
  REQUIRE(got);
  CHECK(got->status == Status::ok);
  REQUIRE(got->hosts.size() == 1);
  CHECK(got->hosts[0].name == "ok.mx.example");
  CHECK(got->hosts[0].preference == 10);
  REQUIRE(got->hosts[0].addresses.addresses.size() == 1);
  CHECK(got->routable());

}

TEST_CASE("mail: blocking convenience forms", "[dns][mail]") {
  // the server runs its own loop in a thread; the blocking call makes its own loop
  EventLoop server_loop;
  FakeServer server(server_loop);
  std::thread t([&] { server_loop.run(Clock::now() + 1500ms); });
  const auto nx = resolve_mx_hosts(ResolverConfig{{server.address()}}, "nx.example", Families{}, 1000ms);
  const auto host = resolve_host(ResolverConfig{{server.address()}}, "ok.example", Families{true, false}, 1000ms);
  const auto start = Clock::now();
  const auto silent = resolve_host(ResolverConfig{{server.address()}}, "silent.example", Families{}, 400ms);
  const auto took = Clock::now() - start;
  t.join();
  CHECK(nx.status == Status::nxdomain);
  CHECK_FALSE(nx.routable());
  CHECK(host.status == Status::ok);
  CHECK(host.addresses.size() == 1);
  CHECK(silent.status == Status::timeout);
  CHECK(took < 700ms);
}
