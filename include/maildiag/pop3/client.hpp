#pragma once
/// Sans-I/O POP3 client engine (RFC 1939, 2449, 2595, 5034). It is fed bytes and hands back
/// events and bytes to write; it never touches a socket, a clock or TLS, so tests feed it any
/// chunking and fuzzers any bytes. The dialog policy (what to send next) lives in app/.
///
///   client.receive(bytes);            // or receive_eof()
///   while (!holds<event::NeedData>(ev = client.next_event())) { ... client.send(cmd); }
///   write(client.take_output());
///
/// One command is in flight at a time (no PIPELINING). Peer misbehaviour becomes a
/// ProtocolError event and the engine stops (state failed); it never throws. Memory is bounded
/// by Limits: the unterminated line, and one multi-line body.

#include "maildiag/codes/pop3.hpp"
#include "maildiag/pop3/command.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace maildiag::pop3 {

struct Limits {
  std::size_t max_line = 64 * 1024;           ///< one line, status or body (RFC 2449 says 512 for status)
  std::size_t max_body_lines = 1'000'000;     ///< lines of one multi-line body
  std::size_t max_body_bytes = 64u << 20;     ///< octets of one multi-line body (after unstuffing)
};

enum class State {
  awaiting_greeting,
  ready,              ///< nothing in flight: send() allowed
  awaiting_response,  ///< a command was sent; its status line is expected
  awaiting_body,      ///< +OK of a multi-line command seen; reading to "."
  sasl_challenge,     ///< "+ challenge" received: answer with Command::sasl()
  tls_pending,        ///< STLS accepted: do the handshake, then call tls_started()
  done,               ///< QUIT answered
  closed,             ///< the server closed the connection
  failed,             ///< a protocol error ended the dialog
};
std::string_view to_string(State s);

enum class ErrorKind {
  bad_status,         ///< neither +OK nor -ERR where a status line was due
  line_too_long,
  nul_byte,           ///< NUL in a status line
  body_too_long,      ///< multi-line body over max_body_lines / max_body_bytes
  unexpected_data,    ///< bytes while no command was in flight
  stls_leftover,      ///< bytes after the STLS +OK, before the handshake (CVE-2021-22947 class)
  eof_mid_response,   ///< closed with a reply incomplete (or before the greeting)
};
std::string_view to_string(ErrorKind k);

namespace event {
struct NeedData {};
struct Greeting {
  codes::Pop3Status status;
  std::string line;                           ///< raw, unsanitised
  std::optional<std::string> apop_timestamp;  ///< "<...@...>" when APOP is possible
};
struct Response {
  Command command;
  codes::Pop3Status status;
  std::string line;                 ///< the status line, raw
  std::vector<std::string> body;    ///< dot-unstuffed body lines (multi-line +OK only)
  std::size_t body_bytes = 0;       ///< octets of the body, CRLF counted
};
struct Continuation {
  std::string challenge;  ///< base64 text after "+ " (may be empty)
  std::string line;
};
/// STLS was accepted and nothing followed the +OK: start the TLS handshake now.
struct ReadyForTls {};
struct Closed {
  bool clean = false;  ///< after QUIT was answered
};


struct ProtocolError {
  ErrorKind kind;
  std::string message;   ///< one sentence, ours
  std::string evidence;  ///< the offending bytes (raw, at most 256), for the caller to sanitise
};
}  // namespace event

using Event = std::variant<event::NeedData, event::Greeting, event::Response, event::Continuation,
                           event::ReadyForTls, event::Closed, event::ProtocolError>;

/// Our own misuse of the engine (a bug in the policy, or a user typing out of turn).
struct LocalError {
  std::string message;
};

class Client {
 public:
  explicit Client(Limits limits = {});

  /// Buffers and frames bytes from the server; events queue up for next_event().
  void receive(std::string_view bytes);
  /// The server closed its side.
  void receive_eof();
  /// The next event, or NeedData when none is queued (check state() for the end of the dialog).
  Event next_event();

  /// Queues a command's bytes for take_output(). Only in state ready (or sasl_challenge for a
  /// SASL response); refused otherwise (nullopt = accepted), and a refusal changes nothing.
  std::optional<LocalError> send(const Command& cmd);
  /// Bytes to write to the server; empties the buffer.
  std::string take_output();

  /// After ReadyForTls: the handshake succeeded; the dialog restarts in state ready (RFC 2595:
  /// the client must discard what it knew and ask CAPA again). False when no STLS was pending.
  bool tls_established();
  [[nodiscard]] bool tls() const { return tls_; }

  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] bool authenticated() const { return authenticated_; }
  /// Body limits may change between commands (a listing gets a tighter bound than RETR).
  void set_limits(const Limits& limits) { limits_ = limits; }
  [[nodiscard]] const Limits& limits() const { return limits_; }
  /// Receives "pop3: from -> to" on every state change (forwarded to the debug log by app/).
  void set_trace(std::function<void(std::string_view)> trace) { trace_ = std::move(trace); }

 private:
  Limits limits_;
  State state_ = State::awaiting_greeting;
  bool authenticated_ = false;
  bool tls_ = false;
  std::string partial_;                 // unterminated line
  std::optional<Command> in_flight_;
  std::optional<event::Response> body_;        // multi-line response being read
  std::deque<Event> events_;
  std::string output_;
  std::function<void(std::string_view)> trace_;

  void set_state(State s);
  void fail(ErrorKind kind, std::string message, std::string_view evidence);
  void on_line(std::string_view line);
  void on_greeting(std::string_view line);
  void on_status(std::string_view line);
  void on_body_line(std::string_view line);
  void finish_response(event::Response r);
};

}  // namespace maildiag::pop3
