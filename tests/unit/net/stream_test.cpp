#include "maildiag/net/stream.hpp"

#include "../tls/test_pki.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

using namespace maildiag;
using namespace maildiag::net;
using namespace std::chrono_literals;

namespace {

struct Pki {
  test::TestCert ca = test::make_ca();
  test::TestCert leaf = test::make_cert(test::CertSpec{}, &ca);
  std::string ca_file = test::write_temp("stream-ca.pem", ca.cert_pem());
};
Pki& pki() {
  static Pki p;
  return p;
}

/// The far end of a socketpair, driven by the same loop: optionally a TLS server.
struct Peer {
  EventLoop& loop;
  int fd;
  std::unique_ptr<tls::TlsSession> tls;
  std::string received;  // plaintext
  Peer(EventLoop& l, int f) : loop(l), fd(f) {}
  ~Peer() {
    loop.unwatch(fd);
    if (fd >= 0) ::close(fd);
  }
  void send_raw(std::string_view s) const { REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size())); }
  void send(std::string_view s) {
    if (!tls) return send_raw(s);
    REQUIRE(tls->write(s) == tls::TlsSession::Status::ok);
    send_raw(tls->take_output());
  }
  void serve_tls() {
    std::string err;
    tls = tls::TlsSession::server({pki().leaf.cert_pem(), pki().leaf.key_pem()}, &err);
    REQUIRE(tls);
    loop.watch(fd, true, false, [this](int, bool, bool) { on_read(); });
  }
  void on_read() {
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) {
      loop.unwatch(fd);
      return;
    }
    tls->feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (!tls->handshake_done()) {
      tls->handshake();
    }
    if (tls->handshake_done()) tls->read(received, 4096);
    const auto out = tls->take_output();
    if (!out.empty()) send_raw(out);
  }
};

struct Pair {
  EventLoop loop;
  std::unique_ptr<Stream> stream;
  std::unique_ptr<Peer> peer;
  Pair() {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    stream = std::make_unique<Stream>(loop, sv[0]);
    peer = std::make_unique<Peer>(loop, sv[1]);
  }
};

tls::TlsOptions tls_options() {
  tls::TlsOptions o;
  o.sni = "mx.test";
  o.names = {"mx.test"};
  o.ca_file = pki().ca_file;
  return o;
}

}  // namespace

TEST_CASE("plain read_some and write_all", "[net][stream]") {
  Pair p;
  p.peer->send("220 hello\r\n");
  std::string got;
  auto st = p.stream->read_some(got, 4096, Clock::now() + 1s);
  CHECK(st.ok());
  CHECK(got == "220 hello\r\n");
  CHECK(p.stream->write_all("QUIT\r\n", Clock::now() + 1s).ok());
  char buf[16];
  CHECK(::recv(p.peer->fd, buf, sizeof buf, 0) == 6);
}

TEST_CASE("read_some honours max and the deadline", "[net][stream]") {
  Pair p;
  p.peer->send("abcdef");
  std::string got;
  CHECK(p.stream->read_some(got, 2, Clock::now() + 1s).ok());
  CHECK(got == "ab");
  CHECK(p.stream->read_some(got, 100, Clock::now() + 1s).ok());
  CHECK(got == "abcdef");
  const auto start = Clock::now();
  const auto st = p.stream->read_some(got, 100, Clock::now() + 50ms);
  CHECK(st.kind == IoStatus::Kind::timeout);
  CHECK(Clock::now() - start >= 50ms);
  CHECK(Clock::now() - start < 500ms);
}

TEST_CASE("peer close is eof", "[net][stream]") {
  Pair p;
  ::shutdown(p.peer->fd, SHUT_WR);
  std::string got;
  CHECK(p.stream->read_some(got, 100, Clock::now() + 1s).kind == IoStatus::Kind::eof);
}

TEST_CASE("async handlers never run inside the call", "[net][stream]") {
  Pair p;
  p.peer->send("x");
  bool called = false;
  p.stream->async_read(10, Clock::now() + 1s, [&](const IoStatus&, std::string_view) { called = true; });
  CHECK_FALSE(called);
  p.loop.run_until([&] { return called; }, Clock::now() + 1s);
  CHECK(called);
}

TEST_CASE("a handler may destroy its stream", "[net][stream]") {
  Pair p;
  p.peer->send("x");
  bool called = false;
  p.stream->async_read(10, Clock::now() + 1s, [&](const IoStatus&, std::string_view d) {
    CHECK(d == "x");
    p.stream.reset();
    called = true;
  });
  p.loop.run_until([&] { return called; }, Clock::now() + 1s);
  CHECK(called);
  CHECK_FALSE(p.stream);
}

TEST_CASE("STARTTLS-style upgrade: handshake then encrypted dialog", "[net][stream][tls]") {
  Pair p;
  p.peer->serve_tls();
  const auto r = p.stream->start_tls(tls_options(), Clock::now() + 2s);
  REQUIRE(r.ok);
  CHECK(r.injected.empty());
  CHECK(r.report.verified());
  CHECK(r.report.handshake_ms > 0);
  CHECK(p.stream->tls_active());
  // The client is done first (TLS 1.3); let the server read the client's Finished.
  p.loop.run_until([&] { return p.peer->tls->handshake_done(); }, Clock::now() + 1s);
  p.peer->send("220 secure\r\n");
  std::string got;
  CHECK(p.stream->read_some(got, 100, Clock::now() + 1s).ok());
  CHECK(got == "220 secure\r\n");
  CHECK(p.stream->write_all("EHLO me\r\n", Clock::now() + 1s).ok());
  p.loop.run_until([&] { return !p.peer->received.empty(); }, Clock::now() + 1s);
  CHECK(p.peer->received == "EHLO me\r\n");
}

TEST_CASE("plaintext waiting when TLS starts is reported, never fed to TLS", "[net][stream][tls]") {
  Pair p;
  p.peer->send_raw("250 injected\r\n");
  p.loop.run_once(Clock::now() + 10ms);
  CHECK(p.stream->pending_plaintext() == 14);
  p.peer->serve_tls();
  const auto r = p.stream->start_tls(tls_options(), Clock::now() + 2s);
  CHECK(r.ok);  // the handshake itself is clean because the bytes were taken out
  CHECK(r.injected == "250 injected\r\n");
}

TEST_CASE("a plaintext answer on a TLS connection is named in the error", "[net][stream][tls]") {
  Pair p;
  bool done = false;
  TlsResult res;
  p.stream->async_start_tls(tls_options(), Clock::now() + 2s, [&](TlsResult r) {
    res = std::move(r);
    done = true;
  });
  p.loop.run_once(Clock::now() + 50ms);  // the ClientHello goes out
  p.peer->send_raw("220 mx.test ESMTP Postfix\r\n");
  p.loop.run_until([&] { return done; }, Clock::now() + 2s);
  REQUIRE(done);
  CHECK_FALSE(res.ok);
  CHECK_THAT(res.error, Catch::Contains("the server answered in plaintext: \"220 mx.test ESMTP Postfix"));
  CHECK_FALSE(res.report.handshake_ok);
}

TEST_CASE("a silent peer times the handshake out", "[net][stream][tls]") {
  Pair p;
  const auto start = Clock::now();
  const auto r = p.stream->start_tls(tls_options(), Clock::now() + 100ms);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::StartsWith("timeout"));
  CHECK(Clock::now() - start < 1s);
}

TEST_CASE("peer closing during the handshake", "[net][stream][tls]") {
  Pair p;
  ::shutdown(p.peer->fd, SHUT_RDWR);
  const auto r = p.stream->start_tls(tls_options(), Clock::now() + 1s);
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.error.empty());
}
