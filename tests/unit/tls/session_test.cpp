#include "maildiag/tls/session.hpp"

#include "test_pki.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace maildiag;
using maildiag::test::CertSpec;
using maildiag::test::TestCert;
using tls::TlsSession;
using tls::VerdictStatus;

namespace {

struct Pki {
  TestCert ca = test::make_ca();
  std::string ca_file = test::write_temp("ca.pem", ca.cert_pem());
};

Pki& pki() {
  static Pki p;
  return p;
}

TestCert leaf(CertSpec spec = {}) { return test::make_cert(spec, &pki().ca); }

tls::TlsOptions client_options(std::vector<std::string> names = {"mx.test"}) {
  tls::TlsOptions o;
  o.sni = names.empty() ? "" : names.front();
  o.names = std::move(names);
  o.ca_file = pki().ca_file;
  return o;
}

/// Runs client and server sessions against each other in memory until both finish.
void pump(TlsSession& client, TlsSession& server) {
  for (int i = 0; i < 20; ++i) {
    const auto c = client.handshake();
    server.feed(client.take_output());
    const auto s = server.handshake();
    client.feed(server.take_output());
    if (c == TlsSession::Status::error || s == TlsSession::Status::error) return;
    if (client.handshake_done() && server.handshake_done() && !client.has_output() && !server.has_output()) return;
  }
}

tls::TlsReport handshake_with(const TestCert& server_cert, const tls::TlsOptions& opts,
                              const std::string& extra_chain = {}) {
  std::string err;
  auto server = TlsSession::server({server_cert.cert_pem() + extra_chain, server_cert.key_pem()}, &err);
  REQUIRE(server != nullptr);
  auto client = TlsSession::client(opts, &err);
  REQUIRE(client != nullptr);
  pump(*client, *server);
  return client->report();
}

}  // namespace

TEST_CASE("valid certificate: all verdicts pass and facts are reported", "[tls]") {
  const auto r = handshake_with(leaf(), client_options());
  REQUIRE(r.handshake_ok);
  CHECK(r.version == "TLSv1.3");
  CHECK_FALSE(r.cipher.empty());
  CHECK(r.chain_verdict.status == VerdictStatus::pass);
  CHECK(r.name_verdict.status == VerdictStatus::pass);
  CHECK(r.matched_name == "mx.test");
  CHECK(r.expiry_verdict.status == VerdictStatus::pass);
  CHECK(r.dane_verdict.status == VerdictStatus::not_checked);
  CHECK(r.verified());
  REQUIRE(r.leaf() != nullptr);
  CHECK(r.leaf()->subject == "CN=mx.test");
  CHECK(r.leaf()->issuer == "CN=maildiag test CA");
  CHECK(r.leaf()->sans == std::vector<std::string>{"DNS:mx.test"});
  CHECK(r.leaf()->key_type == "EC (prime256v1)");
  CHECK(r.leaf()->key_bits == 256);
  CHECK((r.leaf()->days_left == 364 || r.leaf()->days_left == 365));
  CHECK(r.sni == "mx.test");
  CHECK(r.peer_signature == "ECDSA+SHA256");
}

TEST_CASE("expired certificate fails expiry but not the chain", "[tls]") {
  CertSpec s;
  s.valid_from_days = -30;
  s.valid_to_days = -2;
  const auto r = handshake_with(leaf(s), client_options());
  REQUIRE(r.handshake_ok);  // verification never aborts the handshake
  CHECK(r.expiry_verdict.status == VerdictStatus::fail);
  CHECK_THAT(r.expiry_verdict.reason, Catch::Contains("expired on") && Catch::Contains("2 days ago"));
  CHECK(r.chain_verdict.status == VerdictStatus::pass);
  // days_left rounds down: -2 in the second the certificate was made, -3 once a slow run (valgrind)
  // has let seconds pass; the text counts whole days since the expiry and stays "2 days ago".
  CHECK(r.leaf()->days_left <= -2);
  CHECK(r.leaf()->days_left >= -3);
  CHECK_FALSE(r.verified());
}

TEST_CASE("not yet valid certificate fails expiry", "[tls]") {
  CertSpec s;
  s.valid_from_days = 3;
  s.valid_to_days = 30;
  const auto r = handshake_with(leaf(s), client_options());
  CHECK(r.expiry_verdict.status == VerdictStatus::fail);
  CHECK_THAT(r.expiry_verdict.reason, Catch::Contains("not valid before"));
}

TEST_CASE("certificate expiring within the warning window warns", "[tls]") {
  CertSpec s;
  s.valid_to_days = 5;
  const auto r = handshake_with(leaf(s), client_options());
  CHECK(r.expiry_verdict.status == VerdictStatus::warn);
  CHECK(r.verified());
}

TEST_CASE("wrong name fails the name verdict only", "[tls]") {
  CertSpec s;
  s.cn = "other.test";
  s.sans = {"DNS:other.test", "DNS:*.example.test"};
  const auto r = handshake_with(leaf(s), client_options({"mx.test", "mx1.mail.test"}));
  CHECK(r.name_verdict.status == VerdictStatus::fail);
  CHECK(r.name_verdict.reason == "certificate does not match mx.test, mx1.mail.test");
  CHECK(r.chain_verdict.status == VerdictStatus::pass);
  CHECK_FALSE(r.verified());
}

TEST_CASE("any of the acceptable names may match; wildcards match one label", "[tls]") {
  CertSpec s;
  s.sans = {"DNS:*.mail.test"};
  auto r = handshake_with(leaf(s), client_options({"127.0.0.1", "mx1.mail.test"}));
  CHECK(r.name_verdict.status == VerdictStatus::pass);
  CHECK(r.matched_name == "mx1.mail.test");
  r = handshake_with(leaf(s), client_options({"a.b.mail.test"}));
  CHECK(r.name_verdict.status == VerdictStatus::fail);
}

TEST_CASE("IP literals match IP SANs and send no SNI", "[tls]") {
  CertSpec s;
  s.sans = {"DNS:mx.test", "IP:127.0.0.1", "IP:::1"};
  auto o = client_options({"127.0.0.1"});
  o.sni = tls::default_sni("127.0.0.1");
  CHECK(o.sni.empty());
  auto r = handshake_with(leaf(s), o);
  CHECK(r.name_verdict.status == VerdictStatus::pass);
  CHECK(r.leaf()->sans == std::vector<std::string>{"DNS:mx.test", "IP:127.0.0.1", "IP:::1"});
  r = handshake_with(leaf(s), client_options({"::1"}));
  CHECK(r.name_verdict.status == VerdictStatus::pass);
}

TEST_CASE("self-signed certificate fails the chain", "[tls]") {
  const auto self = test::make_cert(CertSpec{});
  const auto r = handshake_with(self, client_options());
  REQUIRE(r.handshake_ok);
  CHECK(r.chain_verdict.status == VerdictStatus::fail);
  CHECK_THAT(r.chain_verdict.reason, Catch::Contains("self-signed certificate"));
  CHECK(r.leaf()->self_signed);
  CHECK(r.name_verdict.status == VerdictStatus::pass);
}

TEST_CASE("unknown issuer fails the chain against the system store", "[tls]") {
  auto o = client_options();
  o.ca_file.clear();  // system store: does not know our test CA
  const auto r = handshake_with(leaf(), o);
  CHECK(r.chain_verdict.status == VerdictStatus::fail);
  CHECK_THAT(r.chain_verdict.reason, Catch::Contains("unable to get local issuer certificate"));
}

TEST_CASE("intermediate sent by the server completes the chain", "[tls]") {
  CertSpec ispec;
  ispec.cn = "maildiag test intermediate";
  ispec.sans = {};
  ispec.ca = true;
  const auto inter = test::make_cert(ispec, &pki().ca);
  const auto l = test::make_cert(CertSpec{}, &inter);
  auto r = handshake_with(l, client_options(), inter.cert_pem());
  CHECK(r.chain.size() == 2);
  CHECK(r.chain_verdict.status == VerdictStatus::pass);
  r = handshake_with(l, client_options());  // intermediate missing
  CHECK(r.chain_verdict.status == VerdictStatus::fail);
}

TEST_CASE("DANE: matching 3 1 1 record passes at depth 0, other data fails", "[tls]") {
  const auto l = leaf();
  auto o = client_options();
  tls::TlsaRecord rec;
  rec.usage = 3;
  rec.selector = 1;
  rec.mtype = 1;
  rec.data = l.spki_sha256();
  o.tlsa = {rec};
  auto r = handshake_with(l, o);
  CHECK(r.dane_verdict.status == VerdictStatus::pass);
  REQUIRE(r.dane_match.has_value());
  CHECK(r.dane_match->depth == 0);
  CHECK(r.dane_match->usage == 3);

  rec.data[0] ^= 0xff;
  o.tlsa = {rec};
  r = handshake_with(l, o);
  CHECK(r.dane_verdict.status == VerdictStatus::fail);
  CHECK_FALSE(r.dane_match.has_value());
  CHECK_FALSE(r.verified());
}

TEST_CASE("DANE: 2 0 1 on the issuing CA matches at depth 1", "[tls]") {
  const auto l = leaf();
  auto o = client_options();
  unsigned char* der = nullptr;
  const int len = i2d_X509(pki().ca.cert.get(), &der);
  std::vector<std::uint8_t> md(32);
  unsigned int mdlen = 0;
  EVP_Digest(der, static_cast<std::size_t>(len), md.data(), &mdlen, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  tls::TlsaRecord rec{2, 0, 1, md};
  o.tlsa = {rec};
  // DANE-TA needs the TA in the presented chain.
  const auto r = handshake_with(l, o, pki().ca.cert_pem());
  CHECK(r.dane_verdict.status == VerdictStatus::pass);
  REQUIRE(r.dane_match.has_value());
  CHECK(r.dane_match->depth == 1);
  CHECK(r.dane_match->usage == 2);
}

TEST_CASE("DANE: unusable records fail with a reason", "[tls]") {
  auto o = client_options();
  o.tlsa = {tls::TlsaRecord{3, 1, 9, {1, 2, 3}}};  // unknown matching type
  const auto r = handshake_with(leaf(), o);
  CHECK(r.dane_verdict.status == VerdictStatus::fail);
  CHECK(r.dane_verdict.reason == "none of the TLSA records is usable");
}

TEST_CASE("data flows both ways after the handshake", "[tls]") {
  const auto l = leaf();
  std::string err;
  auto server = TlsSession::server({l.cert_pem(), l.key_pem()}, &err);
  auto client = TlsSession::client(client_options(), &err);
  REQUIRE(server);
  REQUIRE(client);
  pump(*client, *server);
  REQUIRE(client->handshake_done());
  REQUIRE(server->handshake_done());
  REQUIRE(server->write("220 mx.test ESMTP\r\n") == TlsSession::Status::ok);
  client->feed(server->take_output());
  std::string got;
  // Fed byte by byte: a record split anywhere must still decrypt.
  REQUIRE(client->write("EHLO me\r\n") == TlsSession::Status::ok);
  const auto wire = client->take_output();
  for (char c : wire) server->feed(std::string_view(&c, 1));
  std::string sgot;
  CHECK(server->read(sgot, 100) == TlsSession::Status::ok);
  CHECK(sgot == "EHLO me\r\n");
  CHECK(client->read(got, 4) == TlsSession::Status::ok);
  CHECK(got == "220 ");
  CHECK(client->read(got, 100) == TlsSession::Status::ok);
  CHECK(got == "220 mx.test ESMTP\r\n");
  CHECK(client->read(got, 100) == TlsSession::Status::want_io);
  server->shutdown();
  client->feed(server->take_output());
  CHECK(client->read(got, 100) == TlsSession::Status::closed);
}

TEST_CASE("garbage from the peer is a handshake error with a reason", "[tls]") {
  std::string err;
  auto client = TlsSession::client(client_options(), &err);
  REQUIRE(client);
  CHECK(client->handshake() == TlsSession::Status::want_io);
  CHECK_FALSE(client->take_output().empty());  // ClientHello
  client->feed("220 mx.test ESMTP Postfix\r\n");
  CHECK(client->handshake() == TlsSession::Status::error);
  CHECK_FALSE(client->error().empty());
}

TEST_CASE("bad CA file is reported when the session is created", "[tls]") {
  auto o = client_options();
  o.ca_file = "/nonexistent/ca.pem";
  std::string err;
  CHECK(TlsSession::client(o, &err) == nullptr);
  CHECK_THAT(err, Catch::StartsWith("cannot load CA /nonexistent/ca.pem"));
}

TEST_CASE("prepare_client_context reads the trust store on its own thread and the session uses that build", "[tls]") {
  // The CA file is a FIFO: opening it blocks until a writer comes. prepare_client_context must
  // return at once and its thread must be the one that opens the FIFO (the writer below sees a
  // reader before any session exists); the session then takes that build, which is the only way
  // it can verify the chain: the FIFO is empty once read.
  const std::string fifo = test::write_temp("prepared-ca.fifo", "");
  std::remove(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto o = client_options();
  o.ca_file = fifo;
  tls::prepare_client_context(o);
  tls::prepare_client_context(o);  // the same key: joins the first build, starts no second one

  int fd = -1;
  for (int i = 0; i < 1000 && fd < 0; ++i) {  // ENXIO until a reader has the FIFO open
    fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(fd >= 0);  // the build thread opened the CA file within 10 s
  const std::string pem = pki().ca.cert_pem();
  ::fcntl(fd, F_SETFL, 0);
  REQUIRE(::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()));
  ::close(fd);
  CHECK(handshake_with(leaf(), o).chain_verdict.status == VerdictStatus::pass);
  std::remove(fifo.c_str());
}

TEST_CASE("a prepared context that failed reports its error to the session", "[tls]") {
  auto bad = client_options();
  bad.ca_file = "/nonexistent/prepared-ca.pem";
  tls::prepare_client_context(bad);
  std::string err;
  CHECK(TlsSession::client(bad, &err) == nullptr);
  CHECK_THAT(err, Catch::StartsWith("cannot load CA /nonexistent/prepared-ca.pem"));
}

TEST_CASE("TLSA presentation form parses and prints", "[tls]") {
  auto r = tls::TlsaRecord::parse("3 1 1 0A0b 0c");
  REQUIRE(r);
  CHECK(r->usage == 3);
  CHECK(r->data == std::vector<std::uint8_t>{0x0a, 0x0b, 0x0c});
  CHECK(r->to_string() == "3 1 1 0a0b0c");
  CHECK_FALSE(tls::TlsaRecord::parse("3 1 1"));
  CHECK_FALSE(tls::TlsaRecord::parse("3 1 1 abc"));
  CHECK_FALSE(tls::TlsaRecord::parse("300 1 1 ab"));
  CHECK_FALSE(tls::TlsaRecord::parse("3 1 1 zz"));
}
