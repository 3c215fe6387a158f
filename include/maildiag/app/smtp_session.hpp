#pragma once
/// One SMTP connection for smtp-test and its interactive mode: the socket (net::Stream), the
/// sans-I/O engine (smtp::Client), the deadlines per stage and the transcript. It pumps bytes
/// between them and never decides which command comes next (that is the dialog's policy).
///
/// Deadlines: the connect and the greeting share the connect timeout; every later wait for a
/// reply gets the command timeout, counted from when the wait starts (a server that drips one
/// byte a second cannot stretch it). A timeout becomes a finding with the configured severity.
///
/// Ctrl-C (util/interrupt.hpp): a wait cut short by the interrupt records `smtp.interrupted`
/// instead of a timeout, and from then on every wait (the QUIT and its reply) ends by
/// util::kQuitGrace after the interrupt.

#include "maildiag/app/common.hpp"
#include "maildiag/app/credentials.hpp"
#include "maildiag/net/connect.hpp"
#include "maildiag/net/event_loop.hpp"
#include "maildiag/net/stream.hpp"
#include "maildiag/report/report.hpp"
#include "maildiag/smtp/client.hpp"
#include "maildiag/tls/session.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::app {

struct SmtpSessionOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds command_timeout{10'000};
  report::Severity timeout_state = report::Severity::unknown;
  smtp::Limits limits;
  std::optional<net::Address> source;
};

class SmtpSession {
 public:
  SmtpSession(report::Report& rep, const Redactor& redactor, SmtpSessionOptions options);
  ~SmtpSession();
  SmtpSession(const SmtpSession&) = delete;
  SmtpSession& operator=(const SmtpSession&) = delete;

  /// Connects to one of the addresses (Happy Eyeballs); records each attempt as an info line.
  /// The result keeps every attempt; ok() when a connection is up (its fd belongs to the session).
  net::ConnectResult connect(const std::vector<net::Address>& addresses, std::uint16_t port, std::string_view where);
  /// TLS on the live connection (implicit TLS, or after ReadyForTls). Tells the engine on success.
  net::TlsResult start_tls(const tls::TlsOptions& options);

  /// Hands a command to the engine and writes it at once (PIPELINING: queue several with
  /// write=false, then flush()). Nullopt on success; the engine's refusal otherwise.
  std::optional<smtp::LocalError> send(const smtp::Command& cmd, bool write = true);
  /// Writes the engine's pending output; false (and a finding) when the socket fails.
  bool flush();
  /// The next engine event, reading from the socket as needed. Replies are put in the transcript.
  /// nullopt on timeout or socket error (finding recorded; the connection is then unusable).
  std::optional<smtp::Event> next(std::string_view waiting_for);
  /// Best-effort goodbye: QUIT (unless gone or already sent), its reply awaited briefly, close.
  void quit();
  void close();

  void info(std::string_view text);
  void error(std::string_view text);
  /// Called with every transcript line as it is recorded (interactive mode prints them live).
  void set_live(std::function<void(const report::TranscriptLine&)> live) { live_ = std::move(live); }

  [[nodiscard]] smtp::Client& engine() { return engine_; }
  [[nodiscard]] bool connected() const { return stream_ != nullptr && stream_->is_open(); }
  [[nodiscard]] bool tls() const { return stream_ != nullptr && stream_->tls_active(); }
  /// True once the socket failed or the server closed: no QUIT can be sent any more.
  [[nodiscard]] bool gone() const { return gone_ || !connected(); }
  [[nodiscard]] bool timed_out() const { return timed_out_; }
  /// True once a wait was cut short by Ctrl-C/SIGTERM (the finding is recorded).
  [[nodiscard]] bool interrupted() const { return interrupted_; }
  [[nodiscard]] double elapsed_ms() const;
  /// Waits for the network after a write (plus the greeting): the round trips the dialog cost.
  [[nodiscard]] int round_trips() const { return round_trips_; }
  [[nodiscard]] const std::string& peer() const { return peer_; }
  [[nodiscard]] const std::string& local() const { return local_; }
  [[nodiscard]] const SmtpSessionOptions& options() const { return opt_; }

 private:
  report::Report& rep_;
  const Redactor& redactor_;
  SmtpSessionOptions opt_;
  net::EventLoop loop_;
  std::unique_ptr<net::Stream> stream_;
  smtp::Client engine_;
  net::Clock::time_point t0_;
  std::function<void(const report::TranscriptLine&)> live_;
  std::string peer_;
  std::string local_;
  bool gone_ = false;
  bool closing_ = false;  // only QUIT's reply owed: a reset or broken pipe is a transcript line, not a finding
  bool timed_out_ = false;
  bool interrupted_ = false;
  net::Clock::time_point grace_end_{};  // interrupted: every wait ends by then
  bool wrote_ = true;  // the greeting counts as the first round trip
  int round_trips_ = 0;

  void line(report::TranscriptLine::Dir dir, std::string_view text, std::string note, bool unexpected);
  void record(const smtp::Event& ev);
  void record_reply(const codes::Reply& reply, smtp::Verb verb, bool unexpected);
  bool read_more(net::Clock::time_point deadline, std::string_view waiting_for);
  /// Notices an interrupt (once): records the finding, starts the grace period. True when interrupted.
  bool check_interrupt(std::string_view waiting_for);
  /// The deadline, cut to the grace period after an interrupt.
  [[nodiscard]] net::Clock::time_point bounded(net::Clock::time_point deadline) const;
};

/// The transcript note for a reply: the classifier's reading of failures, the decoded AUTH
/// challenge, the queue ID of an accepted message. Empty for plain successes.
std::string reply_note(const codes::Reply& reply, smtp::Verb verb);

/// A "waiting for" phrase ("the reply to EHLO", "the greeting (220)") in the user's language, for
/// finding titles; the English phrase itself stays in the transcript and the log. Unknown
/// phrases come back unchanged.
std::string waiting_text(std::string_view waiting_for);

}  // namespace maildiag::app
