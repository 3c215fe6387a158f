#include "maildiag/net/connect.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

using namespace maildiag::net;
using namespace std::chrono_literals;

namespace {

/// A listening socket on 127.0.0.1 (or ::1) with a kernel-chosen port.
struct Listener {
  int fd = -1;
  std::uint16_t port = 0;
  explicit Listener(const Address& addr, int backlog = 16) {
    fd = ::socket(addr.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    auto len = addr.to_sockaddr(0, reinterpret_cast<sockaddr*>(&ss));
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len)) == 0);
    REQUIRE(::listen(fd, backlog) == 0);
    socklen_t sl = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl);
    Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), &port);
  }
  ~Listener() { ::close(fd); }
};

/// A port on which nothing listens (bound, not listening: nobody else can take it meanwhile).
struct ClosedPort {
  int fd = -1;
  std::uint16_t port = 0;
  explicit ClosedPort(const Address& addr) {
    fd = ::socket(addr.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss{};
    auto len = addr.to_sockaddr(0, reinterpret_cast<sockaddr*>(&ss));
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len)) == 0);
    socklen_t sl = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl);
    Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), &port);
  }
  ~ClosedPort() { ::close(fd); }
};

bool have_ipv6() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_storage ss{};
  const auto len = Address::loopback_v6().to_sockaddr(0, reinterpret_cast<sockaddr*>(&ss));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len)) == 0;
  ::close(fd);
  return ok;
}

ConnectAttempt connect_once(const Address& a, std::uint16_t port, ConnectOptions o = {},
                            std::chrono::milliseconds budget = 2s, int* fd_out = nullptr) {
  EventLoop loop;
  std::optional<ConnectAttempt> got;
  TcpConnect c(loop, a, port, o, Clock::now() + budget, [&](const ConnectAttempt& at, int fd) {
    got = at;
    if (fd_out != nullptr) {
      *fd_out = fd;
    } else if (fd >= 0) {
      ::close(fd);
    }
  });
  loop.run_until([&] { return got.has_value(); }, Clock::now() + budget + 1s);
  REQUIRE(got);
  return *got;
}

}  // namespace

TEST_CASE("address parsing and printing", "[net][address]") {
  CHECK(Address::parse("127.0.0.1")->to_string() == "127.0.0.1");
  CHECK(Address::parse("[::1]")->to_string() == "::1");
  CHECK(Address::parse("2001:DB8:0:0::1")->to_string() == "2001:db8::1");
  CHECK(Address::parse("2001:db8::1")->to_string(25) == "[2001:db8::1]:25");
  CHECK(Address::parse("192.0.2.1")->to_string(587) == "192.0.2.1:587");
  CHECK_FALSE(Address::parse("mx.example.org"));
  CHECK_FALSE(Address::parse("256.1.1.1"));
  CHECK_FALSE(Address::parse(""));
  CHECK(is_ip_literal("::1"));
  CHECK_FALSE(is_ip_literal("localhost"));
}

TEST_CASE("host:port parsing", "[net][address]") {
  struct Case {
    const char* in;
    const char* host;
    int port;  // -1 none, -2 error
  };
  const Case cases[] = {
      {"mx.example.org", "mx.example.org", -1}, {"mx.example.org:2525", "mx.example.org", 2525},
      {"127.0.0.1:25", "127.0.0.1", 25},        {"[::1]:465", "::1", 465},
      {"[::1]", "::1", -1},                     {"2001:db8::25", "2001:db8::25", -1},
      {"host:0", "", -2},                       {"host:65536", "", -2},
      {"host:x", "", -2},                       {"[::1", "", -2},
      {":25", "", -2},                          {"[::1]x", "", -2},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    std::string err;
    auto hp = parse_host_port(c.in, &err);
    if (c.port == -2) {
      CHECK_FALSE(hp);
      CHECK_FALSE(err.empty());
      continue;
    }
    REQUIRE(hp);
    CHECK(hp->host == c.host);
    CHECK(hp->port.has_value() == (c.port >= 0));
    if (c.port >= 0) CHECK(*hp->port == c.port);
  }
}

TEST_CASE("families are interleaved, first family first", "[net][address]") {
  std::vector<Address> in;
  for (auto s : {"2001:db8::1", "2001:db8::2", "2001:db8::3", "192.0.2.1"}) in.push_back(*Address::parse(s));
  std::vector<std::string> out;
  for (const auto& a : interleave_families(in)) out.push_back(a.to_string());
  CHECK(out == std::vector<std::string>{"2001:db8::1", "192.0.2.1", "2001:db8::2", "2001:db8::3"});
}

TEST_CASE("errno maps to outcomes", "[net][connect]") {
  CHECK(outcome_from_errno(0) == ConnectOutcome::open);
  CHECK(outcome_from_errno(ECONNREFUSED) == ConnectOutcome::refused);
  CHECK(outcome_from_errno(ETIMEDOUT) == ConnectOutcome::filtered);
  CHECK(outcome_from_errno(EHOSTUNREACH) == ConnectOutcome::unreachable);
  CHECK(outcome_from_errno(ENETUNREACH) == ConnectOutcome::unreachable);
  CHECK(outcome_from_errno(EPERM) == ConnectOutcome::blocked);
  CHECK(outcome_from_errno(EADDRNOTAVAIL) == ConnectOutcome::error);
  CHECK(to_string(ConnectOutcome::filtered) == "filtered");
}

TEST_CASE("connect to a listener is open, with latency and local address", "[net][connect]") {
  Listener l(Address::loopback_v4());
  const auto a = connect_once(Address::loopback_v4(), l.port);
  CHECK(a.outcome == ConnectOutcome::open);
  CHECK(a.error == 0);
  CHECK(a.latency > 0us);
  CHECK(a.latency < 500ms);
  REQUIRE(a.local);
  CHECK(a.local->to_string() == "127.0.0.1");
}

TEST_CASE("connect to a closed port is refused", "[net][connect]") {
  ClosedPort p(Address::loopback_v4());
  const auto a = connect_once(Address::loopback_v4(), p.port);
  CHECK(a.outcome == ConnectOutcome::refused);
  CHECK(a.error == ECONNREFUSED);
  CHECK(a.detail == "Connection refused");
}

TEST_CASE("connect over IPv6 loopback", "[net][connect]") {
  if (!have_ipv6()) {
    WARN("no ::1 on this host; skipped");
    return;
  }
  Listener l(Address::loopback_v6());
  CHECK(connect_once(Address::loopback_v6(), l.port).outcome == ConnectOutcome::open);
  ClosedPort p(Address::loopback_v6());
  CHECK(connect_once(Address::loopback_v6(), p.port).outcome == ConnectOutcome::refused);
}

TEST_CASE("a full accept queue drops SYNs: filtered at the attempt deadline", "[net][connect]") {
  Listener l(Address::loopback_v4(), 0);
  // Fill the queue (backlog 0 admits one, sometimes two) without accepting.
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    int fd = -1;
    const auto a = connect_once(Address::loopback_v4(), l.port, {}, 100ms, &fd);
    if (a.outcome != ConnectOutcome::open) break;
    fillers.push_back(fd);
  }
  ConnectOptions o;
  o.attempt_timeout = 150ms;
  const auto start = Clock::now();
  const auto a = connect_once(Address::loopback_v4(), l.port, o, 2s);
  const auto took = Clock::now() - start;
  CHECK(a.outcome == ConnectOutcome::filtered);
  CHECK(a.detail.rfind("no answer within", 0) == 0);
  CHECK(took >= 150ms);
  CHECK(took < 1s);
  for (int fd : fillers) ::close(fd);
}

TEST_CASE("source address binding", "[net][connect]") {
  Listener l(*Address::parse("127.0.0.1"));
  ConnectOptions o;
  o.source = *Address::parse("127.0.0.2");
  const auto a = connect_once(Address::loopback_v4(), l.port, o);
  CHECK(a.outcome == ConnectOutcome::open);
  REQUIRE(a.local);
  CHECK(a.local->to_string() == "127.0.0.2");

  o.source = *Address::parse("192.0.2.77");  // not ours
  const auto b = connect_once(Address::loopback_v4(), l.port, o);
  CHECK(b.outcome == ConnectOutcome::error);
  CHECK_THAT(b.detail, Catch::StartsWith("cannot use source address 192.0.2.77"));
}

TEST_CASE("happy eyeballs: a refused address does not wait for the stagger", "[net][connect]") {
  Listener l(*Address::parse("127.0.0.3"));
  // Nothing listens on 127.0.0.4 at that port: refused at once, then 127.0.0.3 opens.
  std::vector<Address> addrs = {*Address::parse("127.0.0.4"), *Address::parse("127.0.0.3")};
  EventLoop loop;
  ConnectOptions o;
  o.stagger = 2s;  // if the failure did not start the next attempt, this test would take 2 s
  const auto start = Clock::now();
  auto r = connect_sync(loop, addrs, l.port, o, Clock::now() + 5s);
  CHECK(Clock::now() - start < 1s);
  REQUIRE(r.ok());
  REQUIRE(r.attempts.size() == 2);
  CHECK(r.attempts[0].outcome == ConnectOutcome::refused);
  CHECK(r.attempts[1].outcome == ConnectOutcome::open);
  CHECK(*r.winner == 1);
  ::close(r.fd);
}

TEST_CASE("happy eyeballs: a silent address is overtaken after the stagger", "[net][connect]") {
  Listener full(Address::loopback_v4(), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    int fd = -1;
    if (connect_once(Address::loopback_v4(), full.port, {}, 100ms, &fd).outcome != ConnectOutcome::open) break;
    fillers.push_back(fd);
  }
  // A working listener on the same port of another loopback address.
  int fd5 = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  auto len = Address::parse("127.0.0.5")->to_sockaddr(full.port, reinterpret_cast<sockaddr*>(&ss));
  if (::bind(fd5, reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len)) != 0 || ::listen(fd5, 4) != 0) {
    ::close(fd5);
    for (int fd : fillers) ::close(fd);
    WARN("port not free on 127.0.0.5; skipped");
    return;
  }
  EventLoop loop;
  ConnectOptions o;
  o.stagger = 100ms;
  const auto start = Clock::now();
  auto r = connect_sync(loop, {Address::loopback_v4(), *Address::parse("127.0.0.5")}, full.port, o, Clock::now() + 3s);
  const auto took = Clock::now() - start;
  REQUIRE(r.ok());
  CHECK(*r.winner == 1);
  CHECK(took >= 100ms);
  CHECK(took < 1s);
  CHECK(r.attempts[0].detail == "abandoned: another address connected first");
  ::close(r.fd);
  ::close(fd5);
  for (int fd : fillers) ::close(fd);
}

TEST_CASE("connect_sync with no addresses and with every address failing", "[net][connect]") {
  EventLoop loop;
  auto r = connect_sync(loop, {}, 25, {}, Clock::now() + 1s);
  CHECK_FALSE(r.ok());
  CHECK(r.attempts.empty());
  ClosedPort p(Address::loopback_v4());
  r = connect_sync(loop, {Address::loopback_v4(), *Address::parse("127.0.0.1")}, p.port, {}, Clock::now() + 1s);
  CHECK_FALSE(r.ok());
  CHECK(r.attempts.size() == 2);
  CHECK(r.summary() == ConnectOutcome::refused);
}
