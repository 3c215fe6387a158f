#pragma once
/// Sans-I/O IMAP4rev1/rev2 client engine (RFC 3501, 9051; STARTTLS, SASL-IR, LITERAL+). Fed
/// bytes, it frames responses (lines plus "{n}" literals, bounded), parses them, matches tagged
/// completions to the command in flight, and hands back events and bytes to write. No sockets,
/// no clock, no TLS; never throws; memory bounded by Limits. The policy (which command next)
/// lives in app/. One command is in flight at a time; untagged data may arrive at any time.

#include "maildiag/imap/command.hpp"
#include "maildiag/imap/mailbox.hpp"
#include "maildiag/imap/response.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace maildiag::imap {

struct Limits {
  std::size_t max_line = 64 * 1024;              ///< one line between literals
  std::uint64_t max_literal = 16u << 20;         ///< one literal
  std::size_t max_response = 32u << 20;          ///< one response, literals included
  std::size_t max_untagged = 100'000;            ///< untagged responses during one command
};

enum class State {
  awaiting_greeting,
  ready,                ///< nothing in flight: send() allowed
  awaiting_completion,  ///< a command is in flight; untagged data and its tagged reply expected
  continuation,         ///< the server sent "+": answer with Command::continuation_line()
  tls_pending,          ///< STARTTLS accepted: handshake, then tls_established()
  done,                 ///< LOGOUT completed
  closed,               ///< the server closed the connection
  failed,               ///< a protocol error ended the dialog
};
std::string_view to_string(State s);

enum class ErrorKind {
  bad_greeting,         ///< not "* OK", "* PREAUTH" or "* BYE"
  malformed,            ///< a response whose start cannot be parsed
  line_too_long,
  literal_too_large,
  response_too_large,
  too_many_responses,   ///< untagged data without end during one command
  nul_byte,             ///< NUL outside a literal
  unknown_tag,          ///< a tagged reply to no command of ours
  unexpected_continuation,
  starttls_leftover,    ///< bytes after the STARTTLS OK, before the handshake (CVE-2021-22947 class)
  eof_mid_response,     ///< closed mid-response, mid-command or before the greeting
};
std::string_view to_string(ErrorKind k);

namespace event {
struct NeedData {};
struct Greeting {
  Response response;  ///< status ok, preauth or bye
};
/// Untagged data or status ("* 3 EXISTS", "* CAPABILITY ...", "* OK [UIDVALIDITY 1]", "* BYE").
struct Untagged {
  Response response;
};
/// A "+" the caller must answer (AUTHENTICATE). Continuations that release our own
/// synchronizing literals are handled inside and reported with `for_literal`.
struct Continuation {
  Response response;
  bool for_literal = false;
};
/// The tagged completion of the command in flight.
struct Completed {
  Command command;
  std::string tag;
  Response response;
};
struct ReadyForTls {};
struct Closed {
  bool clean = false;     ///< after LOGOUT completed
  bool after_bye = false; ///< the server announced it with "* BYE"
};
struct ProtocolError {
  ErrorKind kind;
  std::string message;
  std::string evidence;  ///< raw offending bytes (at most 256), for the caller to sanitise
};
}  // namespace event

using Event = std::variant<event::NeedData, event::Greeting, event::Untagged, event::Continuation,
                           event::Completed, event::ReadyForTls, event::Closed, event::ProtocolError>;

struct LocalError {
  std::string message;
};

class Client {
 public:
  using Trace = std::function<void(std::string_view)>;

  explicit Client(Limits limits = {}) : limits_(limits) {}

  void receive(std::string_view bytes);
  void receive_eof();
  Event next_event();

  /// Tags and queues a command (nullopt = accepted). In state continuation only a
  /// Command::continuation_line is accepted.
  std::optional<LocalError> send(const Command& cmd);
  std::string take_output();
  /// The tag of the last command sent ("A0001").
  [[nodiscard]] const std::string& last_tag() const { return last_tag_; }

  /// After ReadyForTls: the handshake succeeded; capabilities are forgotten (RFC 3501 §6.2.1).
  bool tls_established();

  void set_trace(Trace trace) { trace_ = std::move(trace); }
  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] bool tls() const { return tls_; }
  [[nodiscard]] bool authenticated() const { return authenticated_; }
  /// The latest capabilities seen in this TLS state (greeting code, CAPABILITY, OK codes).
  [[nodiscard]] const Capabilities& capabilities() const { return caps_; }

 private:
  Limits limits_;
  State state_ = State::awaiting_greeting;
  bool tls_ = false;
  bool authenticated_ = false;
  bool bye_ = false;
  Capabilities caps_;
  unsigned next_tag_ = 1;
  std::string last_tag_;
  std::optional<Command> in_flight_;
  std::deque<std::string> held_segments_;  // our synchronizing literals waiting for "+"
  std::size_t untagged_count_ = 0;
  std::string line_;      // current line (partial)
  std::string response_;  // current response: finished lines and literals
  std::uint64_t literal_left_ = 0;
  std::deque<Event> events_;
  std::string output_;
  Trace trace_;

  void set_state(State s);
  void fail(ErrorKind kind, std::string message, std::string_view evidence);
  bool take_literal(std::string_view bytes, std::size_t& pos);
  void on_line_complete();
  void on_response(std::string_view raw);
  void on_greeting(Response r);
  void on_untagged(Response r);
  void on_continuation(Response r);
  void on_tagged(Response r);
};

}  // namespace maildiag::imap
