#include "maildiag/pop3/client.hpp"

#include "maildiag/pop3/parse.hpp"
#include "maildiag/util/text.hpp"

namespace maildiag::pop3 {

namespace {

constexpr std::size_t kMaxEvidence = 256;

std::string evidence_of(std::string_view bytes) { return std::string(bytes.substr(0, kMaxEvidence)); }

bool has_control_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

bool is_continuation(std::string_view line) { return line == "+" || line.substr(0, 2) == "+ "; }

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::awaiting_greeting: return "awaiting-greeting";
    case State::ready: return "ready";
    case State::awaiting_response: return "awaiting-response";
    case State::awaiting_body: return "awaiting-body";
    case State::sasl_challenge: return "sasl-challenge";
    case State::tls_pending: return "tls-pending";
    case State::done: return "done";
    case State::closed: return "closed";
    case State::failed: return "failed";
  }
  return "?";
}

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::bad_status: return "bad-status";
    case ErrorKind::line_too_long: return "line-too-long";
    case ErrorKind::nul_byte: return "nul-byte";
    case ErrorKind::body_too_long: return "body-too-long";
    case ErrorKind::unexpected_data: return "unexpected-data";
    case ErrorKind::stls_leftover: return "stls-leftover";
    case ErrorKind::eof_mid_response: return "eof-mid-response";
  }
  return "?";
}

Client::Client(Limits limits) : limits_(limits) {}

void Client::set_state(State s) {
  if (s == state_) return;
  if (trace_) {
    std::string msg = "pop3: ";
    msg.append(to_string(state_)).append(" -> ").append(to_string(s));
    trace_(msg);
  }
  state_ = s;
}

void Client::fail(ErrorKind kind, std::string message, std::string_view evidence) {
  events_.emplace_back(event::ProtocolError{kind, std::move(message), evidence_of(evidence)});
  partial_.clear();
  body_.reset();
  in_flight_.reset();
  set_state(State::failed);
}

void Client::receive(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    switch (state_) {
      case State::done:
      case State::closed:
      case State::failed:
        return;  // nothing more is read; trailing bytes after QUIT are harmless
      case State::tls_pending:
        fail(ErrorKind::stls_leftover,
             "the server sent data after accepting STLS and before the TLS handshake "
             "(possible command injection, CVE-2021-22947 class); it was discarded",
             bytes.substr(pos));
        return;
      case State::ready:
      case State::sasl_challenge:
        fail(ErrorKind::unexpected_data, "the server sent data while no reply was due", bytes.substr(pos));
        return;
      default:
        break;
    }
    const auto lf = bytes.find('\n', pos);
    if (lf == std::string_view::npos) {
      partial_.append(bytes.substr(pos));
      if (partial_.size() > limits_.max_line + 1)  // + 1: the CR of a CRLF split from its LF
        fail(ErrorKind::line_too_long, "a line from the server exceeds " + std::to_string(limits_.max_line) + " octets",
             partial_);
      return;
    }
    std::string_view piece = bytes.substr(pos, lf - pos);
    pos = lf + 1;
    std::string joined;
    if (!partial_.empty()) {
      joined = std::move(partial_);
      partial_.clear();
      joined.append(piece);
      piece = joined;
    }
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    if (piece.size() > limits_.max_line) {
      fail(ErrorKind::line_too_long, "a line from the server exceeds " + std::to_string(limits_.max_line) + " octets",
           piece);
      return;
    }
    on_line(piece);
  }
}

void Client::on_line(std::string_view line) {
  if (state_ == State::awaiting_body) {
    on_body_line(line);
    return;
  }
  if (line.find('\0') != std::string_view::npos) {
    fail(ErrorKind::nul_byte, "a status line from the server contains a NUL byte", line);
    return;
  }
  if (state_ == State::awaiting_greeting) on_greeting(line);
  else on_status(line);
}

void Client::on_greeting(std::string_view line) {
  auto st = codes::parse_pop3_status(line);
  if (!st) {
    fail(ErrorKind::bad_status, "the greeting is not a POP3 status line (+OK or -ERR)", line);
    return;
  }
  event::Greeting g{*st, std::string(line), st->ok ? apop_timestamp(st->text) : std::nullopt};
  events_.emplace_back(std::move(g));
  set_state(State::ready);
}

void Client::on_status(std::string_view line) {
  const Command& cmd = *in_flight_;
  if (is_continuation(line) && (cmd.sasl_response || util::iequals(cmd.verb, "AUTH"))) {
    const auto challenge = line.size() > 2 ? line.substr(2) : std::string_view{};
    events_.emplace_back(event::Continuation{std::string(challenge), std::string(line)});
    set_state(State::sasl_challenge);
    return;
  }
  auto st = codes::parse_pop3_status(line);
  if (!st) {
    fail(ErrorKind::bad_status, "the reply to " + cmd.verb + " is not a POP3 status line (+OK or -ERR)", line);
    return;
  }
  event::Response r{cmd, std::move(*st), std::string(line), {}, 0};
  if (r.status.ok && cmd.multiline()) {
    body_ = std::move(r);
    set_state(State::awaiting_body);
    return;
  }
  finish_response(std::move(r));
}

void Client::on_body_line(std::string_view line) {
  if (line == ".") {
    event::Response r = std::move(*body_);
    body_.reset();
    finish_response(std::move(r));
    return;
  }
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);  // RFC 1939 §3 byte-stuffing
  body_->body_bytes += line.size() + 2;
  if (body_->body.size() >= limits_.max_body_lines || body_->body_bytes > limits_.max_body_bytes) {
    const auto verb = body_->command.verb;
    fail(ErrorKind::body_too_long,
         "the " + verb + " listing did not end within " + std::to_string(limits_.max_body_lines) + " lines / " +
             std::to_string(limits_.max_body_bytes) + " octets",
         line);
    return;
  }
  body_->body.emplace_back(line);
}

void Client::finish_response(event::Response r) {
  const bool ok = r.status.ok;
  const Command cmd = r.command;
  in_flight_.reset();
  events_.emplace_back(std::move(r));
  if (util::iequals(cmd.verb, "QUIT")) {
    set_state(State::done);
    return;
  }
  if (ok && util::iequals(cmd.verb, "STLS")) {
    set_state(State::tls_pending);
    events_.emplace_back(event::ReadyForTls{});
    return;
  }
  if (ok && (util::iequals(cmd.verb, "PASS") || util::iequals(cmd.verb, "APOP") ||
             (util::iequals(cmd.verb, "AUTH") && !cmd.argument.empty())))
    authenticated_ = true;
  set_state(State::ready);
}

void Client::receive_eof() {
  switch (state_) {
    case State::closed:
      return;
    case State::awaiting_greeting:
      fail(ErrorKind::eof_mid_response, "the server closed the connection before its greeting", partial_);
      break;
    case State::awaiting_response:
    case State::awaiting_body:
    case State::sasl_challenge:
      fail(ErrorKind::eof_mid_response,
           "the server closed the connection in the middle of the reply to " + in_flight_->verb, partial_);
      break;
    default:
      break;
  }
  events_.emplace_back(event::Closed{state_ == State::done});
  set_state(State::closed);
}

Event Client::next_event() {
  if (events_.empty()) return event::NeedData{};
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<LocalError> Client::send(const Command& cmd) {
  if (state_ == State::done || state_ == State::closed || state_ == State::failed)
    return LocalError{"the POP3 dialog is over (" + std::string(to_string(state_)) + ")"};
  if (state_ == State::sasl_challenge && !cmd.sasl_response)
    return LocalError{"the server waits for a SASL response (or \"*\" to cancel)"};
  if (state_ == State::ready && cmd.sasl_response) return LocalError{"no SASL challenge is pending"};
  if (state_ != State::ready && state_ != State::sasl_challenge)
    return LocalError{"cannot send now: the engine is in state " + std::string(to_string(state_))};
  if (has_control_break(cmd.verb) || has_control_break(cmd.argument))
    return LocalError{"a command must not contain CR, LF or NUL"};
  if (!cmd.sasl_response && (cmd.verb.empty() || cmd.verb.find(' ') != std::string::npos))
    return LocalError{"a command needs a verb without spaces"};
  output_ += cmd.text();
  output_ += "\r\n";
  if (!cmd.sasl_response) in_flight_ = cmd;
  set_state(State::awaiting_response);
  return std::nullopt;
}

std::string Client::take_output() {
  std::string out;
  out.swap(output_);
  return out;
}

bool Client::tls_established() {
  if (state_ != State::tls_pending) return false;
  authenticated_ = false;
  tls_ = true;
  set_state(State::ready);
  return true;
}

}  // namespace maildiag::pop3
