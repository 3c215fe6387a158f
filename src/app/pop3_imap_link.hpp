#pragma once
// app-private: the transport half shared by pop3-test and imap-test. It resolves and connects
// (with --source), runs implicit or STARTTLS TLS, reads and writes with a per-step deadline, and
// keeps the transcript (sanitised, secrets redacted) and the findings about connection, TLS and
// timeouts in the caller's Report. The protocol engines stay sans-I/O; wait_event() pumps bytes
// from the stream into one of them until it has an event.
//
// Ctrl-C (util/interrupt.hpp): a wait cut short by the interrupt records "<protocol>.interrupted"
// (not a timeout) and from then on every read and write ends by util::kQuitGrace after the
// interrupt, which bounds the dialog's drain of the cut-off reply and its QUIT/LOGOUT.

#include "maildiag/app/common.hpp"
#include "maildiag/app/credentials.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/address.hpp"
#include "maildiag/net/event_loop.hpp"
#include "maildiag/net/stream.hpp"
#include "maildiag/report/report.hpp"
#include "maildiag/tls/report.hpp"
#include "maildiag/util/text.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace maildiag::app::link {

enum class StartTls { automatic, never, require };
std::optional<StartTls> starttls_from_string(std::string_view s);

/// Transport options shared by pop3-test and imap-test.
struct LinkOptions {
  std::string protocol;           ///< "pop3" / "imap": finding id prefix and wording
  std::string host;               ///< name or IP literal
  std::uint16_t port = 0;
  bool implicit_tls = false;      ///< TLS right after connect (995 / 993)
  bool tls_expected = false;      ///< implicit TLS or STLS/STARTTLS to be tried: open() starts OpenSSL's set-up
  std::optional<std::string> source;  ///< --source ADDR
  std::optional<std::string> sni;     ///< --sni (default: the host name, none for an IP literal)
  std::string ca_file;
  bool verify = true;                 ///< false = --no-verify (reported)
  int expiry_warn_days = 14;
  CommonOptions common;
};

class Link {
 public:
  Link(report::Report& rep, LinkOptions options, const Redactor& redactor);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  /// Resolves, connects and (for implicit TLS) handshakes. False when the dialog cannot start;
  /// the findings say why.
  bool open();

  enum class Read { data, eof, failed };
  /// Appends what arrives to out; on timeout or socket error records the finding (naming
  /// `waiting_for`; a socket error while closing() only in the transcript) and returns failed.
  Read read(std::string& out, std::string_view waiting_for);
  /// Writes bytes; `shown` is the redacted line for the transcript (empty: nothing logged).
  bool write(std::string_view bytes, std::string_view shown, std::string_view what);
  /// After STLS/STARTTLS was accepted: the handshake. `leftover` are bytes the engine saw
  /// after the reply (already a finding from the engine's ProtocolError when non-empty).
  bool start_tls();

  /// Interactive mode: every transcript line is also handed to `live` as it is recorded.
  void set_live(std::function<void(const report::TranscriptLine&)> live) { live_ = std::move(live); }

  void sent(std::string_view line, bool unexpected = false);
  void received(std::string_view line, std::string note = {}, bool unexpected = false);
  void info(std::string_view text);
  void error(std::string_view text);

  [[nodiscard]] bool tls() const;
  [[nodiscard]] bool eof() const { return eof_; }
  /// True once a wait was cut short by Ctrl-C/SIGTERM (the finding is recorded).
  [[nodiscard]] bool interrupted() const { return interrupted_; }
  /// Notices an interrupt (once): records the finding, starts the grace period. True when interrupted.
  bool check_interrupt(std::string_view waiting_for);
  [[nodiscard]] const tls::TlsReport* tls_report() const { return tls_report_ ? &*tls_report_ : nullptr; }
  [[nodiscard]] double elapsed_ms() const;
  [[nodiscard]] const LinkOptions& options() const { return opt_; }
  [[nodiscard]] std::string where() const;  ///< "host:port"
  /// Milliseconds to connect, and to complete the TLS handshake (0 when none).
  [[nodiscard]] double connect_ms() const { return connect_ms_; }
  [[nodiscard]] net::Clock::time_point step_deadline() const;
  [[nodiscard]] const std::string& connected_address() const { return address_; }
  /// Throws away the connection without a goodbye (after a protocol error).
  void abort();
  /// From now on the dialog is saying goodbye (QUIT/LOGOUT): a reset or broken pipe is noted in
  /// the transcript, not a finding -- a server that hangs up instead of answering is harmless.
  void closing() { closing_ = true; }

 private:
  report::Report& rep_;
  LinkOptions opt_;
  const Redactor& redactor_;
  net::EventLoop loop_;
  std::unique_ptr<net::Stream> stream_;
  std::optional<tls::TlsReport> tls_report_;
  net::Clock::time_point t0_;
  double connect_ms_ = 0;
  std::string address_;
  bool eof_ = false;
  bool interrupted_ = false;
  bool closing_ = false;
  net::Clock::time_point grace_end_{};  // interrupted: every wait ends by then
  std::function<void(const report::TranscriptLine&)> live_;

  void add_line(report::TranscriptLine::Dir dir, std::string_view text, std::string note, bool unexpected);
  bool handshake(bool implicit);
  [[nodiscard]] tls::TlsOptions tls_options() const;  ///< what handshake() uses (and open() prepares)
  std::optional<std::vector<net::Address>> resolve();
};

/// `waiting_for` ("the greeting", "the reply to CAPA", a verb ...) in the current language, for
/// finding titles; the transcript keeps the English phrase. Unknown phrases (verbs) stay as they are.
std::string waiting_text(std::string_view waiting_for);

/// Pumps stream bytes into an engine until it produces an event other than NeedData.
/// nullopt when the link failed (timeout, socket error: finding recorded) or the server had
/// already closed and the engine has nothing more to say.
template <class Event, class NeedData, class Engine>
std::optional<Event> wait_event(Engine& engine, Link& link, std::string_view waiting_for) {
  std::string buf;
  for (;;) {
    Event ev = engine.next_event();
    if (!std::holds_alternative<NeedData>(ev)) return ev;
    if (link.eof()) return std::nullopt;
    buf.clear();
    switch (link.read(buf, waiting_for)) {
      case Link::Read::data: engine.receive(buf); break;
      case Link::Read::eof: engine.receive_eof(); break;
      case Link::Read::failed: return std::nullopt;
    }
  }
}

/// Builds the transport options from a subcommand's options (Pop3TestOptions, ImapTestOptions:
/// same field names). nullopt with *error on bad usage.
template <class Options>
std::optional<LinkOptions> link_options(const Options& o, std::string protocol, std::uint16_t plain_port,
                                        std::uint16_t tls_port, std::string* error) {
  std::string why;
  auto hp = net::parse_host_port(o.target, &why);
  if (!hp) {
    if (error != nullptr) *error = i18n::format("pop3.usage.bad-target", {o.target, why});
    return std::nullopt;
  }
  LinkOptions l;
  l.protocol = std::move(protocol);
  l.host = hp->host;
  l.port = hp->port.value_or(o.tls_on_connect ? tls_port : plain_port);
  l.implicit_tls = o.tls_on_connect || l.port == tls_port;
  l.tls_expected = l.implicit_tls || starttls_from_string(o.starttls).value_or(StartTls::automatic) != StartTls::never;
  if (o.source && !net::Address::parse(*o.source)) {
    if (error != nullptr) *error = i18n::format("pop3.usage.source", {*o.source});
    return std::nullopt;
  }
  l.source = o.source;
  l.sni = o.sni;
  l.ca_file = o.ca_file;
  l.verify = !o.no_verify;
  l.expiry_warn_days = o.expiry_warn_days;
  l.common = o.common;
  return l;
}

/// The password for o.user (file, environment, prompt), registered with the redactor.
/// nullopt without a user; sets *error (and returns false) when none can be had.
template <class Options>
bool obtain_password(const Options& o, std::optional<std::string>& password, Redactor& redactor, std::string* error) {
  if (!o.user) return true;
  std::string why;
  password = read_secret(o.password_source, &why);
  if (!password) {
    if (error != nullptr) *error = why;
    return false;
  }
  redactor.add_credentials(*o.user, *password);
  return true;
}

/// One POP3/IMAP test run: checks the options, gets the password, opens the link and hands it to
/// `dialog(rep, link, password)`; fills the report's connection data. nullopt (and *error) for bad options.
template <class Options, class RunDialog>
std::optional<report::Report> run_session(const Options& o, const std::string& protocol, std::uint16_t plain_port,
                                          std::uint16_t tls_port, RunDialog dialog, std::string* error) {
  auto lo = link_options(o, protocol, plain_port, tls_port, error);
  if (!lo) return std::nullopt;
  if (!starttls_from_string(o.starttls)) {
    if (error != nullptr) *error = std::string(i18n::msg("pop3.usage.starttls"));
    return std::nullopt;
  }
  Redactor redactor;
  std::optional<std::string> password;
  if (!obtain_password(o, password, redactor, error)) return std::nullopt;
  report::Report rep;
  rep.command = protocol + "-test";
  rep.target = util::sanitize(o.target, 300);
  rep.data["host"] = lo->host;
  rep.data["port"] = lo->port;
  rep.data["implicit_tls"] = lo->implicit_tls;
  {
    Link ln(rep, *lo, redactor);
    if (ln.open()) {
      rep.data["address"] = ln.connected_address();
      dialog(rep, ln, std::move(password));
    }
    rep.data["connect_ms"] = ln.connect_ms();
    rep.data["total_ms"] = ln.elapsed_ms();
  }
  return rep;
}

/// Interactive sessions: prints transcript lines as they happen ("<- +OK ready") and findings
/// as they are added ("*** WARN: STLS is not offered ...").
class LivePrinter {
 public:
  explicit LivePrinter(std::ostream& out) : out_(out) {}
  void line(const report::TranscriptLine& l);
  void new_findings(const report::Report& rep);

 private:
  std::ostream& out_;
  std::size_t seen_ = 0;
};

/// How many transcript lines a multi-line body may take before it is summarised.
inline constexpr std::size_t kBodyLinesShown = 12;

/// No greeting came (wait_event gave nullopt): "<protocol>.greeting.closed" (critical) when the
/// server hung up, "<protocol>.greeting.maybe-tls" (info) when a plain port stayed silent. Nothing
/// after Ctrl-C: that is not a silent server.
void report_missing_greeting(Link& link, report::Report& rep);

/// After the server accepted STLS/STARTTLS: passes over the engine's ReadyForTls. A protocol
/// error right after it (bytes the server sent behind its reply: an injection attempt) goes to
/// `on_error`, which reports it; otherwise the handshake runs and the engine is told. False when
/// the dialog cannot go on.
template <class ReadyForTls, class ProtocolError, class Engine, class OnError>
bool upgrade_to_tls(Engine& engine, Link& link, OnError on_error) {
  for (;;) {
    auto e = engine.next_event();
    if (std::holds_alternative<ReadyForTls>(e)) continue;
    if (auto* p = std::get_if<ProtocolError>(&e)) {
      on_error(*p);
      return false;
    }
    break;
  }
  if (!link.start_tls()) return false;
  (void)engine.tls_established();
  return true;
}

/// `--interactive` of pop3-test and imap-test: opens the link, prints every transcript line and
/// finding as it happens, and runs `Session(o, rep, link, redactor, out).run(in)` (typed commands
/// until the end of input). The report keeps the findings; its transcript was already shown.
/// nullopt (and *error) for bad options.
template <class Session, class Options>
std::optional<report::Report> run_interactive(const Options& o, const std::string& protocol, std::uint16_t plain_port,
                                              std::uint16_t tls_port, std::istream& in, std::ostream& out,
                                              std::string* error) {
  auto lo = link_options(o, protocol, plain_port, tls_port, error);
  if (!lo) return std::nullopt;
  Redactor redactor;
  report::Report rep;
  rep.command = protocol + "-test";
  rep.target = util::sanitize(o.target, 300);
  LivePrinter printer(out);
  {
    Link ln(rep, *lo, redactor);
    ln.set_live([&](const report::TranscriptLine& l) {
      printer.line(l);
      printer.new_findings(rep);
    });
    if (ln.open()) {
      Session s(o, rep, ln, redactor, out);
      s.run(in);
    }
  }
  printer.new_findings(rep);
  rep.transcript.clear();  // already shown
  return rep;
}

}  // namespace maildiag::app::link
