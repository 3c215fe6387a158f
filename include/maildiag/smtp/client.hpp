#pragma once
/// The SMTP client engine, sans I/O: fed the server's bytes, it emits events (the greeting,
/// each reply with the command it answers, capabilities, "ready for TLS", closure, protocol
/// errors) and queues the bytes of the commands it is given. It owns framing and ordering
/// (which command a reply answers, PIPELINING groups, DATA and AUTH sub-states, the STARTTLS
/// switch) and never decides which command comes next: that policy lives in app/.
/// No sockets, no clock, no TLS. Never throws on server input; memory stays within Limits.

#include "maildiag/codes/reply.hpp"
#include "maildiag/smtp/capabilities.hpp"
#include "maildiag/smtp/command.hpp"
#include "maildiag/smtp/reply_reader.hpp"

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace maildiag::smtp {

enum class State {
  greeting,     ///< connected, waiting for the 220
  ready,        ///< commands may be sent
  auth,         ///< AUTH got 334: only a SASL response (or "*") may be sent
  message,      ///< DATA got 354: only the message content may be sent
  tls_pending,  ///< STARTTLS got 220: the caller must do the handshake, then tls_established()
  closing,      ///< QUIT sent
  closed,       ///< the server closed the connection
  failed,       ///< a protocol error; only QUIT may still be sent, input is ignored
};
std::string_view to_string(State s);

namespace event {
struct NeedData {};
/// The first reply of the session (220 on success; 421/554 refuse service).
struct Greeting {
  codes::Reply reply;
};
/// A reply to a command; `expected` says whether the code is a success for that verb.
struct Reply {
  codes::Reply reply;
  Verb verb = Verb::none;
  std::string command;       ///< the command's display text (secrets redacted)
  bool expected = false;
  bool unsolicited = false;  ///< a 421 that answered nothing (server timeout or shutdown)
};
/// Emitted after a 250 reply to EHLO.
struct Capabilities {
  smtp::Capabilities caps;
  bool tls = false;          ///< the EHLO was sent inside TLS
};
/// STARTTLS was accepted and nothing followed the 220: start the TLS handshake now.
struct ReadyForTls {};
struct Closed {
  bool clean = false;        ///< after QUIT (or a 221/421 announcing it)
  std::size_t unanswered = 0;
};
struct ProtocolError {
  ErrorKind kind;
  std::string message;
};
}  // namespace event

using Event = std::variant<event::NeedData, event::Greeting, event::Reply, event::Capabilities,
                           event::ReadyForTls, event::Closed, event::ProtocolError>;

/// Our own misuse of the engine (a bug in the policy, or a user typing out of turn).
struct LocalError {
  std::string message;
};

class Client {
 public:
  using Trace = std::function<void(std::string_view)>;

  explicit Client(Limits limits = {}) : reader_(limits) {}

  /// Server bytes (plain text, or decrypted inside TLS). Buffered only as far as Limits allow.
  void receive(std::string_view bytes);
  /// The server closed its side.
  void receive_eof();
  /// The next event, or NeedData when more bytes are needed.
  Event next_event();

  /// Queues a command. Refused (nullopt = accepted) when the state does not allow it: before the
  /// greeting, out of a pipelined group's rules, a command other than the message after 354...
  std::optional<LocalError> send(const Command& cmd);
  /// Bytes to write to the server; empties the output buffer.
  std::string take_output();

  /// The TLS handshake after ReadyForTls succeeded: forget the capabilities (RFC 3207 §4.2).
  void tls_established();

  void set_trace(Trace trace) { trace_ = std::move(trace); }
  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] bool tls() const { return tls_; }
  /// Capabilities from the latest EHLO in the current TLS state (empty before EHLO / after TLS).
  [[nodiscard]] const smtp::Capabilities& capabilities() const { return caps_; }
  [[nodiscard]] std::size_t in_flight() const { return in_flight_.size(); }
  /// True when cmd could be sent now (what send() would accept).
  [[nodiscard]] bool can_send(Verb v) const;
  [[nodiscard]] std::size_t bare_lf_lines() const { return reader_.bare_lf_lines(); }

 private:
  struct Pending {
    Verb verb;
    std::string display;
    bool may_be_followed;
  };
  ReplyReader reader_;
  State state_ = State::greeting;
  bool tls_ = false;
  bool eof_ = false;
  bool announced_close_ = false;   // a 221 or 421 was received
  bool unsolicited_seen_ = false;  // one unsolicited 421 is tolerated, not a stream of them
  smtp::Capabilities caps_;
  std::deque<Pending> in_flight_;
  std::deque<Event> events_;
  std::string output_;
  Trace trace_;

  void set_state(State s);
  void on_reply(codes::Reply reply);
  void on_command_reply(codes::Reply reply);
  void protocol_error(ErrorKind kind, std::string message);
  [[nodiscard]] std::optional<LocalError> check_send(Verb v) const;
};

}  // namespace maildiag::smtp
