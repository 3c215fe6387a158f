#pragma once
/// A TLS session with no socket inside (OpenSSL 3 over memory BIOs): ciphertext goes in with
/// feed(), comes out with take_output(); plaintext is read() and write()n. The same class drives
/// implicit TLS (465/995/993), STARTTLS upgrades (through net::Stream) and in-process tests where a
/// client and a server session talk over byte strings.
///
/// Verification never aborts the handshake: the peer's chain, name, expiry and DANE match are
/// judged after it completes and land in TlsReport's verdicts (tls/report.hpp), so the dialog can
/// go on and the caller decides the severity.

#include "maildiag/tls/report.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::tls {

struct TlsOptions {
  /// Server name sent in SNI. Use default_sni(host): the host name, never an IP literal. --sni overrides.
  std::string sni;
  /// Names the certificate may carry (the host connected to, the MX name it was reached through...).
  /// IP literals are matched against IP SANs. Empty: the name verdict is not_checked.
  std::vector<std::string> names;
  /// false = --no-verify: everything is still checked and shown, TlsReport::verification_disabled says so.
  bool verify = true;
  std::string ca_file;  ///< PEM bundle replacing the system store (--ca-file); empty = system store
  std::string ca_path;  ///< hashed directory replacing the system store; empty = none
  std::vector<TlsaRecord> tlsa;  ///< DANE records (from the caller's DNS lookup); empty = no DANE
  int expiry_warn_days = 14;
  /// Client certificate (PEM files), optional.
  std::string cert_file;
  std::string key_file;
};

/// What to put in SNI for a host: the name itself, or "" for an IP literal (RFC 6066 §3).
std::string default_sni(std::string_view host);

/// Starts building, on a second thread, the client context that TlsSession::client() will use for
/// these options (trust store, CA file, client certificate): a caller that will probably start
/// TLS calls this before its first round trips, so OpenSSL's set-up (a few milliseconds, most of
/// it loading the trust store) overlaps the network waits instead of following them. Optional;
/// errors are reported by TlsSession::client() as without it.
void prepare_client_context(const TlsOptions& options);

/// For servers (tests, benches): certificate chain and key in PEM.
struct TlsServerOptions {
  std::string cert_pem;  ///< leaf first, then intermediates
  std::string key_pem;
};

class TlsSession {
 public:
  enum class Status {
    ok,         ///< the operation completed (handshake done, bytes read/written)
    want_io,    ///< needs more ciphertext from the peer (feed) and/or has output to send
    closed,     ///< the peer sent close_notify (clean end of the TLS stream)
    error,      ///< fatal; error() says why
  };

  /// A client session; nullptr with *error set when the options are unusable (bad --ca-file,
  /// unreadable client key, unusable TLSA records are NOT an error: they make DANE fail).
  static std::unique_ptr<TlsSession> client(const TlsOptions& options, std::string* error);
  /// A server session (used by tests and benches).
  static std::unique_ptr<TlsSession> server(const TlsServerOptions& options, std::string* error);

  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  /// Ciphertext received from the network. Bounded by the caller's reads; OpenSSL consumes it.
  void feed(std::string_view ciphertext);
  /// Ciphertext to send to the network (may be empty). Call after every other operation.
  std::string take_output();
  [[nodiscard]] bool has_output() const;

  /// Advances the handshake. ok once complete (then report() is filled).
  Status handshake();
  [[nodiscard]] bool handshake_done() const;
  /// Appends up to max plaintext bytes to out. ok when at least one byte came.
  Status read(std::string& out, std::size_t max);
  /// Encrypts all of plaintext (TLS records are produced in memory, so this never blocks).
  Status write(std::string_view plaintext);
  /// Queues close_notify (send take_output() afterwards).
  void shutdown();

  /// Report of the handshake and the verdicts; handshake_ok false until handshake() returned ok.
  [[nodiscard]] const TlsReport& report() const;
  /// Last error in words (OpenSSL error queue, alert received, ...).
  [[nodiscard]] const std::string& error() const;

  struct Impl;

 private:
  explicit TlsSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace maildiag::tls
