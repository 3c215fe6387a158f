#pragma once
/// Non-blocking TCP connects on the shared EventLoop, with the outcome kept exact.
///
/// Two building blocks:
///  - TcpConnect: ONE attempt to ONE address (what `probe` runs for every host x address x port).
///  - HappyConnect: ONE connection to a host with several addresses, RFC 8305 style: families
///    interleaved, the next attempt started after `stagger` (250 ms) unless the previous one failed
///    sooner, every attempt with its own deadline under one overall deadline, first success wins
///    and the losers are closed. What smtp-test / pop3-test / imap-test want.
/// `connect_sync` wraps HappyConnect for sequential code: it runs the loop until done.
///
/// Every attempt is recorded (address, outcome, latency, errno), also the losing and failing
/// ones, so a report can say "::1 refused in 0.1 ms, 127.0.0.1 open in 0.2 ms".
/// Sockets come out non-blocking with TCP_NODELAY and TCP_QUICKACK set (platform.md P13:
/// otherwise Nagle + delayed ACK add 40 ms to measured latencies after a TLS handshake).

#include "maildiag/net/address.hpp"
#include "maildiag/net/event_loop.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::net {

/// What happened to one connect attempt. Kept apart on purpose: "nobody listens" (refused),
/// "something drops our SYNs" (filtered), "no route" (unreachable) and "our own host forbids it"
/// (blocked) lead to different conclusions.
enum class ConnectOutcome {
  open,         ///< three-way handshake completed
  refused,      ///< RST / ECONNREFUSED: the host is up, nothing listens on the port
  filtered,     ///< no answer before the attempt's deadline (SYN dropped somewhere), or ETIMEDOUT
  unreachable,  ///< EHOSTUNREACH / ENETUNREACH / ENETDOWN (often an ICMP unreachable)
  blocked,      ///< EPERM / EACCES: a firewall rule on THIS host refused to send the SYN
  dns_failure,  ///< the name did not resolve (set by callers that resolve; never by TcpConnect)
  error,        ///< anything else (EADDRNOTAVAIL on --source, socket() failure, ...)
};
std::string_view to_string(ConnectOutcome o);  ///< "open", "refused", "filtered", ...
/// Maps a connect()/SO_ERROR errno to an outcome (0 -> open, ETIMEDOUT -> filtered, ...).
ConnectOutcome outcome_from_errno(int err);

struct ConnectAttempt {
  Address address;
  std::uint16_t port = 0;
  ConnectOutcome outcome = ConnectOutcome::error;
  /// From the connect() call to the outcome; for `filtered`, the time waited.
  std::chrono::microseconds latency{0};
  int error = 0;       ///< errno when there was one (ECONNREFUSED, ...), 0 for open/timeout
  std::string detail;  ///< strerror text or "no answer within 3000 ms"
  std::optional<Address> local;  ///< local address the socket got (when open)
  std::uint16_t local_port = 0;

  [[nodiscard]] double latency_ms() const { return static_cast<double>(latency.count()) / 1000.0; }
};

struct ConnectOptions {
  /// Bind to this local address before connecting (--source). Needed e.g. to reach Dovecot from
  /// 127.0.0.2 so it does not count the connection as "secured" (platform.md P9).
  std::optional<Address> source;
  /// Deadline of one attempt (capped by the overall deadline).
  std::chrono::milliseconds attempt_timeout{10'000};
  /// RFC 8305 "Connection Attempt Delay": start the next address after this long.
  std::chrono::milliseconds stagger{250};
  bool nodelay = true;   ///< TCP_NODELAY
  bool quickack = true;  ///< TCP_QUICKACK
};

/// One non-blocking connect to one address. The handler runs exactly once (from the loop, never
/// from the constructor) with the attempt and, when open, the connected fd whose ownership passes
/// to the handler (-1 otherwise). Destroying a TcpConnect before that cancels it silently.
class TcpConnect {
 public:
  using Handler = std::function<void(const ConnectAttempt& attempt, int fd)>;

  TcpConnect(EventLoop& loop, const Address& address, std::uint16_t port, const ConnectOptions& options,
             Clock::time_point deadline, Handler handler);
  ~TcpConnect();
  TcpConnect(const TcpConnect&) = delete;
  TcpConnect& operator=(const TcpConnect&) = delete;

  [[nodiscard]] bool done() const { return done_; }

 private:
  EventLoop& loop_;
  ConnectAttempt attempt_;
  Handler handler_;
  Clock::time_point started_;
  int fd_ = -1;
  EventLoop::TimerId timer_ = 0;
  bool done_ = false;

  void start(const ConnectOptions& options, Clock::time_point deadline);
  void on_ready();
  void on_timeout();
  void finish(ConnectOutcome outcome, int err, std::string detail);
};

/// The result of connecting to a host: every attempt made, and the winner (if any).
struct ConnectResult {
  std::vector<ConnectAttempt> attempts;  ///< in the order they were started
  int fd = -1;                           ///< connected socket (caller owns), -1 when none opened
  std::optional<std::size_t> winner;     ///< index into attempts of the connection kept
  [[nodiscard]] bool ok() const { return fd >= 0; }
  /// The most telling outcome when none opened: refused > unreachable > blocked > filtered > error.
  [[nodiscard]] ConnectOutcome summary() const;
};

/// Happy-Eyeballs connect to several addresses of one host; see the file comment.
/// Addresses are tried in interleave_families() order. The handler runs exactly once, from the loop.
class HappyConnect {
 public:
  using Handler = std::function<void(ConnectResult result)>;

  HappyConnect(EventLoop& loop, std::vector<Address> addresses, std::uint16_t port, ConnectOptions options,
               Clock::time_point deadline, Handler handler);
  ~HappyConnect();
  HappyConnect(const HappyConnect&) = delete;
  HappyConnect& operator=(const HappyConnect&) = delete;

 private:
  EventLoop& loop_;
  std::vector<Address> addresses_;
  std::uint16_t port_;
  ConnectOptions options_;
  Clock::time_point deadline_;
  Handler handler_;
  std::size_t next_ = 0;
  std::vector<std::unique_ptr<TcpConnect>> pending_;
  ConnectResult result_;
  EventLoop::TimerId stagger_timer_ = 0;
  EventLoop::TimerId start_timer_ = 0;
  std::size_t outstanding_ = 0;
  bool done_ = false;

  void start_next();
  void on_attempt(std::size_t index, const ConnectAttempt& attempt, int fd);
  void finish();
};

/// Sequential helper: HappyConnect run on `loop` until it finishes (at the latest at deadline).
ConnectResult connect_sync(EventLoop& loop, const std::vector<Address>& addresses, std::uint16_t port,
                           const ConnectOptions& options, Clock::time_point deadline);

}  // namespace maildiag::net
