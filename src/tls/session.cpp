#include "maildiag/tls/session.hpp"

#include "maildiag/net/address.hpp"
#include "maildiag/util/text.hpp"
#include "x509_facts.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <tuple>

namespace maildiag::tls {

using Clock = std::chrono::steady_clock;

namespace {

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;

/// A built client context, or why it could not be built.
struct BuiltCtx {
  CtxPtr ctx;
  std::string error;
};

BuiltCtx build_client_ctx(const TlsOptions& o) {
  BuiltCtx b;
  b.ctx.reset(SSL_CTX_new(TLS_client_method()));
  if (!b.ctx) {
    b.error = detail::openssl_errors("cannot create a TLS context");
    return b;
  }
  SSL_CTX* ctx = b.ctx.get();
  // A diagnostic tool must talk to old servers too and say what they negotiated; it judges the
  // result itself instead of refusing to look.
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_dane_enable(ctx);
  if (!o.ca_file.empty() || !o.ca_path.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, o.ca_file.empty() ? nullptr : o.ca_file.c_str(),
                                      o.ca_path.empty() ? nullptr : o.ca_path.c_str()) != 1) {
      b.error = "cannot load CA " + (o.ca_file.empty() ? o.ca_path : o.ca_file) + ": " +
                detail::openssl_errors("unreadable");
      b.ctx.reset();
      return b;
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    ERR_clear_error();  // no system store: every chain verdict will say so
  }
  if (!o.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, (o.key_file.empty() ? o.cert_file : o.key_file).c_str(),
                                    SSL_FILETYPE_PEM) != 1) {
      b.error = "cannot load client certificate " + o.cert_file + ": " + detail::openssl_errors("unreadable");
      b.ctx.reset();
    }
  }
  return b;
}

using CtxFuture = std::shared_future<std::shared_ptr<const BuiltCtx>>;

/// Loading the system store parses ~150 certificates and OpenSSL 3's SSL_CTX_new fetches every
/// algorithm: one client SSL_CTX per trust configuration is shared by every connection of a run,
/// and prepare_client_context() may start building it on a second thread while the first
/// round trips run. The map lives until exit, whose destructors join a build still running.
CtxFuture ctx_future(const TlsOptions& o, std::launch policy) {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  // At exit the cache's destructor must run before OpenSSL's cleanup: it joins a build that may
  // still be running and frees the contexts. OpenSSL would register its cleanup at its first
  // initialisation, which may happen on the build's thread after the cache exists (and so run
  // first); here the cleanup is registered before the cache is constructed. Registering twice
  // (OpenSSL already initialised elsewhere) is harmless: OPENSSL_cleanup runs once.
  static const bool ready = [] {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);  // base only: the build loads the configuration
    return std::atexit(OPENSSL_cleanup) == 0;
  }();
  (void)ready;
  static std::mutex mu;
  static std::map<Key, CtxFuture> cache;
  const Key key{o.ca_file, o.ca_path, o.cert_file, o.key_file};
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  // The options are copied: the caller's may be gone before a background build runs.
  CtxFuture f = std::async(policy, [o, policy] {
                  if (policy == std::launch::async) {
                    // Signals (Ctrl-C, SIGPIPE) belong to the thread running the event loop.
                    sigset_t all;
                    sigfillset(&all);
                    pthread_sigmask(SIG_BLOCK, &all, nullptr);
                  }
                  return std::make_shared<const BuiltCtx>(build_client_ctx(o));
                }).share();
  cache.emplace(key, f);
  return f;
}

CtxPtr client_ctx(const TlsOptions& o, std::string* error) {
  const auto& built = ctx_future(o, std::launch::deferred).get();
  if (!built->ctx) {
    *error = built->error;
    return nullptr;
  }
  SSL_CTX_up_ref(built->ctx.get());
  return CtxPtr(built->ctx.get());
}

std::string sig_name(int nid) {
  switch (nid) {
    case NID_rsaEncryption: return "RSA";
    case NID_rsassaPss: return "RSA-PSS";
    case NID_X9_62_id_ecPublicKey: return "ECDSA";
    case NID_ED25519: return "Ed25519";
    case NID_ED448: return "Ed448";
    case NID_dsa: return "DSA";
    default: return OBJ_nid2sn(nid);
  }
}

int verify_keep_going(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) {
  return 1;  // never abort the handshake: verdicts are computed afterwards (see report.hpp)
}

}  // namespace

std::string default_sni(std::string_view host) {
  if (host.empty() || net::is_ip_literal(host)) return {};
  std::string h(host);
  if (h.back() == '.') h.pop_back();  // SNI carries no trailing dot
  return h;
}

struct TlsSession::Impl {
  CtxPtr ctx;
  SSL* ssl = nullptr;
  BIO* net_in = nullptr;   // ciphertext from the peer; owned by ssl
  BIO* net_out = nullptr;  // ciphertext to the peer; owned by ssl
  bool server = false;
  bool done = false;
  TlsOptions options;
  bool dane_usable = false;
  Clock::time_point started = Clock::now();
  TlsReport report;
  std::string error;

  ~Impl() {
    if (ssl != nullptr) SSL_free(ssl);
  }

  bool attach(std::string* err) {
    ssl = SSL_new(ctx.get());
    net_in = BIO_new(BIO_s_mem());
    net_out = BIO_new(BIO_s_mem());
    if (ssl == nullptr || net_in == nullptr || net_out == nullptr) {
      if (net_in != nullptr && ssl == nullptr) BIO_free(net_in);
      if (net_out != nullptr && ssl == nullptr) BIO_free(net_out);
      *err = detail::openssl_errors("out of memory");
      return false;
    }
    BIO_set_mem_eof_return(net_in, -1);  // empty input means "want more", not EOF
    SSL_set_bio(ssl, net_in, net_out);
    return true;
  }

  void setup_dane() {
    const std::string base = options.names.empty() ? options.sni : options.names.front();
    if (SSL_dane_enable(ssl, base.empty() ? nullptr : base.c_str()) <= 0) {
      ERR_clear_error();
      return;
    }
    for (const auto& r : options.tlsa) {
      if (SSL_dane_tlsa_add(ssl, r.usage, r.selector, r.mtype, r.data.data(), r.data.size()) > 0) {
        dane_usable = true;
      }
    }
    ERR_clear_error();
  }

  TlsSession::Status fail(std::string_view fallback) {
    error = detail::openssl_errors(fallback);
    report.error = error;
    return Status::error;
  }

  Status classify(int rc, std::string_view what) {
    switch (SSL_get_error(ssl, rc)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE: return Status::want_io;
      case SSL_ERROR_ZERO_RETURN: return Status::closed;
      case SSL_ERROR_SYSCALL:
        // With memory BIOs this means the peer's data ended mid-record (or nothing at all).
        return fail(std::string(what) + ": unexpected end of TLS data");
      default: return fail(std::string(what) + " failed");
    }
  }

  void fill_report();
};

void TlsSession::Impl::fill_report() {
  auto& r = report;
  r.handshake_ok = true;
  r.error.clear();
  r.handshake_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  r.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) {
    r.cipher = SSL_CIPHER_get_name(c);
    r.cipher_bits = SSL_CIPHER_get_bits(c, nullptr);
  }
  const int group = static_cast<int>(SSL_get_negotiated_group(ssl));
  if (group != 0) {
    const char* g = SSL_group_to_name(ssl, group);
    if (g != nullptr) r.group = g;
  }
  int sig_type = NID_undef;
  int sig_md = NID_undef;
  if (SSL_get_peer_signature_type_nid(ssl, &sig_type) == 1) {
    r.peer_signature = sig_name(sig_type);
    if (SSL_get_peer_signature_nid(ssl, &sig_md) == 1 && sig_md != NID_undef) {
      r.peer_signature += "+" + std::string(OBJ_nid2sn(sig_md));
    }
  }
  r.verification_disabled = !options.verify;
  r.names_checked = options.names;
  X509* leaf = SSL_get0_peer_certificate(ssl);
  STACK_OF(X509)* presented = SSL_get_peer_cert_chain(ssl);  // client side: leaf included
  const int n = presented != nullptr ? sk_X509_num(presented) : 0;
  for (int i = 0; i < n && i < 16; ++i) r.chain.push_back(detail::cert_info(sk_X509_value(presented, i)));
  if (n == 0 && leaf != nullptr) r.chain.push_back(detail::cert_info(leaf));
  r.chain_verdict = detail::chain_verdict(SSL_CTX_get_cert_store(ctx.get()), leaf, presented);
  r.name_verdict = detail::name_verdict(leaf, options.names, &r.matched_name);
  r.expiry_verdict = detail::expiry_verdict(presented, leaf, options.expiry_warn_days);
  if (options.tlsa.empty()) {
    r.dane_verdict = {VerdictStatus::not_checked, "no TLSA records given", "tls.reason.no-tlsa"};
  } else if (!dane_usable) {
    r.dane_verdict = {VerdictStatus::fail, "none of the TLSA records is usable", "tls.reason.tlsa-unusable"};
  } else {
    uint8_t usage = 0;
    uint8_t selector = 0;
    uint8_t mtype = 0;
    const int depth = SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, nullptr, nullptr);
    if (depth >= 0) {
      r.dane_match = DaneMatch{depth, usage, selector, mtype};
      const std::string record = std::to_string(usage) + " " + std::to_string(selector) + " " + std::to_string(mtype);
      r.dane_verdict = {VerdictStatus::pass, "TLSA " + record + " matched the certificate at depth " +
                                                 std::to_string(depth),
                        "tls.reason.tlsa-matched", {record, std::to_string(depth)}};
    } else {
      const long v = SSL_get_verify_result(ssl);
      const std::string why(X509_verify_cert_error_string(v));
      r.dane_verdict = {VerdictStatus::fail, "no TLSA record matched the presented chain (" + why + ")",
                        "tls.reason.tlsa-mismatch", {why}};
    }
  }
  ERR_clear_error();
}

TlsSession::TlsSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsSession::~TlsSession() = default;

void prepare_client_context(const TlsOptions& options) {
  try {
    ctx_future(options, std::launch::async);
  } catch (const std::system_error&) {
    // No thread to spare: the context is built when the handshake needs it, as without this call.
  }
}

std::unique_ptr<TlsSession> TlsSession::client(const TlsOptions& options, std::string* error) {
  std::string err;
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->ctx = client_ctx(options, &err);
  if (!impl->ctx || !impl->attach(&err)) {
    if (error != nullptr) *error = err;
    return nullptr;
  }
  SSL_set_connect_state(impl->ssl);
  SSL_set_verify(impl->ssl, SSL_VERIFY_PEER, verify_keep_going);
  if (!options.sni.empty()) {
    // SSL_set_tlsext_host_name without its C cast.
    SSL_ctrl(impl->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(options.sni.c_str()));
  }
  impl->report.sni = options.sni;
  if (!options.tlsa.empty()) impl->setup_dane();
  return std::unique_ptr<TlsSession>(new TlsSession(std::move(impl)));
}

std::unique_ptr<TlsSession> TlsSession::server(const TlsServerOptions& options, std::string* error) {
  auto fail = [&](std::string_view what) -> std::unique_ptr<TlsSession> {
    if (error != nullptr) *error = detail::openssl_errors(what);
    return nullptr;
  };
  auto impl = std::make_unique<Impl>();
  impl->server = true;
  impl->ctx.reset(SSL_CTX_new(TLS_server_method()));
  if (!impl->ctx) return fail("cannot create a TLS context");
  SSL_CTX_set_security_level(impl->ctx.get(), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> cb(BIO_new_mem_buf(options.cert_pem.data(), static_cast<int>(options.cert_pem.size())), BIO_free);
  bool first = true;
  while (X509* x = PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr)) {
    const int rc = first ? SSL_CTX_use_certificate(impl->ctx.get(), x)
                         : static_cast<int>(SSL_CTX_add0_chain_cert(impl->ctx.get(), x));
    if (first) X509_free(x);
    if (rc != 1) return fail("bad certificate");
    first = false;
  }
  ERR_clear_error();  // PEM end of input
  if (first) return fail("no certificate in PEM");
  std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new_mem_buf(options.key_pem.data(), static_cast<int>(options.key_pem.size())), BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return fail("bad private key");
  const int rc = SSL_CTX_use_PrivateKey(impl->ctx.get(), key);
  EVP_PKEY_free(key);
  if (rc != 1) return fail("private key does not fit the certificate");
  std::string err;
  if (!impl->attach(&err)) {
    if (error != nullptr) *error = err;
    return nullptr;
  }
  SSL_set_accept_state(impl->ssl);
  return std::unique_ptr<TlsSession>(new TlsSession(std::move(impl)));
}

void TlsSession::feed(std::string_view ciphertext) {
  if (!ciphertext.empty()) BIO_write(impl_->net_in, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

std::string TlsSession::take_output() {
  std::string out;
  const auto pending = BIO_ctrl_pending(impl_->net_out);
  if (pending == 0) return out;
  out.resize(pending);
  const int n = BIO_read(impl_->net_out, out.data(), static_cast<int>(pending));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

bool TlsSession::has_output() const { return BIO_ctrl_pending(impl_->net_out) > 0; }

TlsSession::Status TlsSession::handshake() {
  if (impl_->done) return Status::ok;
  const int rc = SSL_do_handshake(impl_->ssl);
  if (rc == 1) {
    impl_->done = true;
    if (!impl_->server) impl_->fill_report();
    return Status::ok;
  }
  return impl_->classify(rc, "TLS handshake");
}

bool TlsSession::handshake_done() const { return impl_->done; }

TlsSession::Status TlsSession::read(std::string& out, std::size_t max) {
  if (max == 0) return Status::ok;
  const auto old = out.size();
  out.resize(old + max);
  std::size_t got = 0;
  const int rc = SSL_read_ex(impl_->ssl, out.data() + old, max, &got);
  out.resize(old + (rc == 1 ? got : 0));
  if (rc == 1) return Status::ok;
  return impl_->classify(0, "TLS read");
}

TlsSession::Status TlsSession::write(std::string_view plaintext) {
  while (!plaintext.empty()) {
    std::size_t written = 0;
    const int rc = SSL_write_ex(impl_->ssl, plaintext.data(), plaintext.size(), &written);
    if (rc != 1) return impl_->classify(0, "TLS write");
    plaintext.remove_prefix(written);
  }
  return Status::ok;
}

void TlsSession::shutdown() {
  if (impl_->done) SSL_shutdown(impl_->ssl);
  ERR_clear_error();
}

const TlsReport& TlsSession::report() const { return impl_->report; }
const std::string& TlsSession::error() const { return impl_->error; }

}  // namespace maildiag::tls
