// The shared TLS layer against the test bed's real servers: STARTTLS over net::Stream (the way
// smtp-test, pop3-test and imap-test use it), the four certificates, DANE with the bed's TLSA
// data, and the STARTTLS injection and garbage modes of the hostile server.

#include "maildiag/net/connect.hpp"
#include "maildiag/net/stream.hpp"
#include "maildiag/tls/report.hpp"
#include "maildiag/util/line_reader.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>

using namespace maildiag;
using namespace std::chrono_literals;
using net::Clock;
using tls::VerdictStatus;

namespace {

/// A sequential SMTP dialog on the sync Stream helpers.
struct Dialog {
  net::EventLoop loop;
  std::unique_ptr<net::Stream> stream;
  util::LineReader reader;
  Clock::time_point deadline = Clock::now() + 5s;

  explicit Dialog(std::uint16_t port, std::optional<net::Address> source = std::nullopt) {
    net::ConnectOptions o;
    o.source = source;
    auto c = net::connect_sync(loop, {net::Address::loopback_v4()}, port, o, deadline);
    REQUIRE(c.ok());
    stream = std::make_unique<net::Stream>(loop, c.fd);
  }
  /// Reads one SMTP reply (up to its "NNN " line); returns its lines.
  std::vector<std::string> reply() {
    std::vector<std::string> lines;
    while (true) {
      while (auto l = reader.next()) {
        lines.push_back(l->text);
        if (l->text.size() < 4 || l->text[3] != '-') return lines;
      }
      std::string buf;
      const auto st = stream->read_some(buf, 4096, deadline);
      if (!st.ok()) FAIL("read: " << net::to_string(st.kind) << " " << st.detail);
      reader.feed(buf);
    }
  }
  void send(std::string_view line) { REQUIRE(stream->write_all(std::string(line) + "\r\n", deadline).ok()); }

  /// Banner, EHLO, STARTTLS; returns the STARTTLS reply.
  std::string starttls() {
    CHECK(reply().front().rfind("220 ", 0) == 0);
    send("EHLO tls-test.example");
    const auto caps = reply();
    CHECK(std::any_of(caps.begin(), caps.end(),
                      [](const std::string& l) { return l.size() > 4 && l.substr(4) == "STARTTLS"; }));
    send("STARTTLS");
    return reply().front();
  }
};

tls::TlsOptions options(const test::Testbed& tb, std::string name = "mx1.mail.test") {
  tls::TlsOptions o;
  o.sni = tls::default_sni(name);
  o.names = {name};
  o.ca_file = tb.get("CA_FILE");
  return o;
}

net::TlsResult upgrade(const test::Testbed& tb, const std::string& port_key, const tls::TlsOptions& o) {
  Dialog d(static_cast<std::uint16_t>(std::stoi(tb.get(port_key))));
  CHECK(d.starttls().rfind("220 ", 0) == 0);
  CHECK(d.reader.buffered() == 0);
  auto r = d.stream->start_tls(o, d.deadline);
  REQUIRE(r.ok);
  CHECK(r.injected.empty());
  // The dialog goes on encrypted.
  d.send("EHLO tls-test.example");
  CHECK(d.reply().back().rfind("250 ", 0) == 0);
  d.send("QUIT");
  CHECK(d.reply().front().rfind("221", 0) == 0);
  return r;
}

}  // namespace

TEST_CASE("STARTTLS with the valid certificate: every verdict passes", "[integration][tls]") {
  auto tb = test::testbed();
  if (!tb) return;
  const auto r = upgrade(*tb, "SMTP_PORT", options(*tb));
  CHECK(r.report.verified());
  CHECK(r.report.chain_verdict.status == VerdictStatus::pass);
  CHECK(r.report.name_verdict.status == VerdictStatus::pass);
  CHECK(r.report.expiry_verdict.status == VerdictStatus::pass);
  CHECK(r.report.version.rfind("TLSv1.", 0) == 0);
  REQUIRE(r.report.leaf() != nullptr);
  CHECK(r.report.leaf()->key_type == "EC (prime256v1)");
}

TEST_CASE("STARTTLS: expired, wrong-name and self-signed certificates", "[integration][tls]") {
  auto tb = test::testbed();
  if (!tb) return;
  const auto expired = upgrade(*tb, "SMTP_EXPIRED_PORT", options(*tb));
  CHECK(expired.report.expiry_verdict.status == VerdictStatus::fail);
  CHECK(expired.report.leaf()->days_left < 0);
  CHECK(expired.report.name_verdict.status == VerdictStatus::pass);

  const auto wrong = upgrade(*tb, "SMTP_WRONGNAME_PORT", options(*tb));
  CHECK(wrong.report.name_verdict.status == VerdictStatus::fail);
  CHECK(wrong.report.chain_verdict.status == VerdictStatus::pass);

  const auto self = upgrade(*tb, "SMTP_SELFSIGNED_PORT", options(*tb));
  CHECK(self.report.chain_verdict.status == VerdictStatus::fail);
  CHECK(self.report.leaf()->self_signed);

  auto no_ca = options(*tb);
  no_ca.ca_file.clear();
  const auto untrusted = upgrade(*tb, "SMTP_PORT", no_ca);
  CHECK(untrusted.report.chain_verdict.status == VerdictStatus::fail);
}

TEST_CASE("DANE with the test bed's TLSA data", "[integration][tls][dane]") {
  auto tb = test::testbed();
  if (!tb) return;
  auto o = options(*tb);
  o.tlsa = {*tls::TlsaRecord::parse("3 1 1 " + tb->get("TLSA_SHA256"))};
  auto r = upgrade(*tb, "SMTP_PORT", o);
  CHECK(r.report.dane_verdict.status == VerdictStatus::pass);
  REQUIRE(r.report.dane_match);
  CHECK(r.report.dane_match->depth == 0);

  o.tlsa = {*tls::TlsaRecord::parse("3 1 1 " + tb->get("TLSA_OTHER_SHA256"))};
  r = upgrade(*tb, "SMTP_PORT", o);
  CHECK(r.report.dane_verdict.status == VerdictStatus::fail);
  CHECK_FALSE(r.report.verified());
}

TEST_CASE("STARTTLS injection is visible before TLS starts", "[integration][tls][hostile]") {
  auto tb = test::testbed();
  if (!tb) return;
  Dialog d(static_cast<std::uint16_t>(std::stoi(tb->get("HOSTILE_STARTTLS_INJECT_PORT"))));
  const auto ready = d.starttls();
  CHECK(ready.rfind("220 ", 0) == 0);
  // "250 injected\r\n" came in the same write as the 220: it sits in the framer, never in TLS.
  CHECK(d.reader.buffered() + d.stream->pending_plaintext() > 0);
  const std::string leftover = d.reader.take_buffered();
  auto r = d.stream->start_tls(options(*tb, "127.0.0.1"), d.deadline);
  CHECK((leftover + r.injected) == "250 injected\r\n");
  CHECK(r.ok);  // dropping the injected bytes lets the real handshake succeed
}

TEST_CASE("garbage instead of a TLS handshake fails with a reason", "[integration][tls][hostile]") {
  auto tb = test::testbed();
  if (!tb) return;
  Dialog d(static_cast<std::uint16_t>(std::stoi(tb->get("HOSTILE_STARTTLS_GARBAGE_PORT"))));
  CHECK(d.starttls().rfind("220 ", 0) == 0);
  d.reader.take_buffered();
  const auto start = Clock::now();
  const auto r = d.stream->start_tls(options(*tb), Clock::now() + 3s);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("the server answered in plaintext: \"this is not a TLS handshake") != std::string::npos);
  CHECK_FALSE(r.report.handshake_ok);
  CHECK(Clock::now() - start < 3500ms);
}

TEST_CASE("a client bound to 127.0.0.2 is seen from there", "[integration][net]") {
  auto tb = test::testbed();
  if (!tb) return;
  Dialog d(static_cast<std::uint16_t>(std::stoi(tb->get("POP3_PORT"))), net::Address::parse(tb->get("ALT_SOURCE")));
  CHECK(d.stream->local_address()->to_string() == tb->get("ALT_SOURCE"));
  std::string buf;
  CHECK(d.stream->read_some(buf, 512, d.deadline).ok());
  CHECK(buf.rfind("+OK", 0) == 0);
}
