#pragma once
/// One connected TCP socket, optionally upgraded to TLS, on the shared EventLoop.
///
/// Two ways to use it:
///  (a) async: async_read / async_write / async_start_tls take a handler that runs from the loop
///      (never from inside the call), one operation of each kind at a time. For callers running
///      many streams at once (probe).
///  (b) sync: read_some / write_all / start_tls run the loop internally until the operation is done
///      or the deadline passes. For sequential dialogs (smtp-test, pop3-test, imap-test). Other
///      streams and timers on the same loop keep running meanwhile.
///
/// Typical sequential dialog (the protocol engine and the line framer are the caller's):
/// ```
///   auto c = net::connect_sync(loop, addrs, 25, opts, deadline);
///   if (!c.ok()) ...;                       // c.attempts says why, per address
///   net::Stream s(loop, c.fd);              // takes ownership of the fd
///   std::string buf;
///   auto st = s.read_some(buf, 4096, deadline);   // st.kind: ok / eof / timeout / error
///   s.write_all("EHLO me\r\n", deadline);
///   ...after "220 ready to start TLS":
///   if (!reader.buffered().empty() || s.pending_plaintext() > 0) -> finding (CVE-2021-22947 class)
///   auto tr = s.start_tls(tls_opts, deadline);     // tr.report: verdicts, cert facts
///   // from here read_some/write_all are encrypted
/// ```
/// The Stream never buffers plaintext on its own: every byte read from the socket in plain mode
/// goes straight to the caller's string, so leftover bytes after a STARTTLS reply can only sit in
/// the caller's framer (check it) or still be in the kernel (pending_plaintext() peeks; start_tls
/// discards them into TlsResult::injected instead of feeding them to the TLS session).

#include "maildiag/net/address.hpp"
#include "maildiag/net/event_loop.hpp"
#include "maildiag/tls/session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace maildiag::net {

struct IoStatus {
  enum class Kind {
    ok,       ///< data moved (read: at least one byte appended; write: everything written)
    eof,      ///< the peer closed (TCP FIN, or TLS close_notify)
    timeout,  ///< the deadline passed first
    error,    ///< socket error (err = errno) or TLS error (detail says which)
  };
  Kind kind = Kind::ok;
  int err = 0;
  std::string detail;
  [[nodiscard]] bool ok() const { return kind == Kind::ok; }
};
std::string_view to_string(IoStatus::Kind k);  ///< "ok", "eof", "timeout", "error"

/// Result of a TLS handshake on a stream.
struct TlsResult {
  bool ok = false;           ///< handshake completed (verdicts may still fail: see report)
  std::string error;         ///< why not, when !ok ("timeout", "handshake failure: ...", "peer closed")
  tls::TlsReport report;     ///< facts and verdicts (partially filled when !ok)
  /// Plaintext bytes the peer had already sent when TLS started (a STARTTLS injection or a broken
  /// server). Never fed to TLS; at most 4 KiB kept. Empty in the normal case.
  std::string injected;
};

class Stream {
 public:
  /// Takes ownership of a connected, non-blocking socket (as TcpConnect/HappyConnect give it).
  Stream(EventLoop& loop, int fd);
  ~Stream();  ///< closes the socket; pending handlers are dropped without being called
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // ---- async -------------------------------------------------------------------------------
  using ReadHandler = std::function<void(const IoStatus& status, std::string_view data)>;
  using WriteHandler = std::function<void(const IoStatus& status)>;
  using TlsHandler = std::function<void(TlsResult result)>;

  /// Reads up to max bytes (plaintext; decrypted when TLS is on). The handler gets ok with the
  /// data, or eof / timeout / error with empty data.
  void async_read(std::size_t max, Clock::time_point deadline, ReadHandler handler);
  /// Writes all of data (encrypted when TLS is on).
  void async_write(std::string data, Clock::time_point deadline, WriteHandler handler);
  /// Starts TLS as a client over the live connection (implicit TLS right after connect, or after
  /// the STARTTLS/STLS reply). Plaintext already waiting in the kernel goes to TlsResult::injected.
  void async_start_tls(const tls::TlsOptions& options, Clock::time_point deadline, TlsHandler handler);
  /// Cancels pending operations (their handlers are dropped).
  void cancel();

  // ---- sync (run the loop until done or deadline) ------------------------------------------
  /// Appends up to max bytes to out.
  IoStatus read_some(std::string& out, std::size_t max, Clock::time_point deadline);
  IoStatus write_all(std::string_view data, Clock::time_point deadline);
  TlsResult start_tls(const tls::TlsOptions& options, Clock::time_point deadline);

  // ---- state -------------------------------------------------------------------------------
  /// Bytes the kernel holds for us that nobody has read yet (plain mode; MSG_PEEK, non-blocking).
  [[nodiscard]] std::size_t pending_plaintext() const;
  [[nodiscard]] bool tls_active() const { return tls_ != nullptr && tls_->handshake_done(); }
  /// The TLS session (report, verdicts) once start_tls has begun; nullptr before.
  [[nodiscard]] const tls::TlsSession* tls() const { return tls_.get(); }
  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] bool is_open() const { return fd_ >= 0; }
  /// Local and peer address of the socket.
  [[nodiscard]] std::optional<Address> local_address(std::uint16_t* port = nullptr) const;
  [[nodiscard]] std::optional<Address> peer_address(std::uint16_t* port = nullptr) const;
  /// Sends TLS close_notify when TLS is up (best effort, no waiting), then closes the socket.
  void close();

 private:
  struct ReadOp {
    std::size_t max = 0;
    ReadHandler handler;
    EventLoop::TimerId timer = 0;
  };
  struct WriteOp {
    std::string data;     // plaintext not yet handed to TLS / out_
    bool queued = false;  // data moved into out_ (encrypted when TLS is on)
    WriteHandler handler;
    EventLoop::TimerId timer = 0;
  };
  struct TlsOp {
    TlsHandler handler;
    EventLoop::TimerId timer = 0;
    Clock::time_point started;
    std::string sni;
    std::string setup_error;  // the session could not be created (bad --ca-file, ...)
    std::string injected;     // plaintext found in the kernel when TLS started
    std::string first_bytes;  // first bytes received during the handshake (plaintext detection)
  };

  EventLoop& loop_;
  int fd_ = -1;
  std::unique_ptr<tls::TlsSession> tls_;
  std::string out_;  ///< bytes (ciphertext or plain) accepted but not yet sent to the socket
  std::optional<ReadOp> read_op_;
  std::optional<WriteOp> write_op_;
  std::optional<TlsOp> tls_op_;
  EventLoop::TimerId kick_timer_ = 0;
  /// Set false by the destructor: code that called a handler checks it before touching members.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool peer_eof_ = false;  ///< the socket gave EOF (TLS may still hold decrypted data)

  void kick();  ///< progress() from the loop soon (handlers never run inside the async_* call)
  void update_interest();
  void on_io(bool readable, bool writable);
  void read_plain();
  IoStatus read_cipher();
  IoStatus flush_out();
  void drain_injected(std::string& keep);
  void queue_tls_output();
  void progress();
  void progress_tls_handshake();
  void progress_read_tls();
  void progress_write();
  void fail_all(const IoStatus& st);
  void finish_read(const IoStatus& st, std::string_view data);
  void finish_write(const IoStatus& st);
  void finish_tls(bool ok, std::string error);
};

}  // namespace maildiag::net
