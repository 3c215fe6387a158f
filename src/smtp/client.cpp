#include "maildiag/smtp/client.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::smtp {

std::string_view to_string(State s) {
  switch (s) {
    case State::greeting: return "greeting";
    case State::ready: return "ready";
    case State::auth: return "auth";
    case State::message: return "message";
    case State::tls_pending: return "tls-pending";
    case State::closing: return "closing";
    case State::closed: return "closed";
    case State::failed: return "failed";
  }
  return "unknown";
}

void Client::set_state(State s) {
  if (s == state_) return;
  if (trace_) trace_("smtp state " + std::string(to_string(state_)) + " -> " + std::string(to_string(s)));
  state_ = s;
}

void Client::protocol_error(ErrorKind kind, std::string message) {
  events_.emplace_back(event::ProtocolError{kind, std::move(message)});
  set_state(State::failed);
}

void Client::receive(std::string_view bytes) {
  if (eof_ || state_ == State::closed || state_ == State::failed || bytes.empty()) return;
  if (state_ == State::tls_pending) {
    protocol_error(ErrorKind::data_after_starttls,
                   std::to_string(bytes.size()) +
                       " bytes arrived after the 220 reply to STARTTLS, before the TLS handshake; discarded, never "
                       "fed into TLS (command injection by a man in the middle, or a broken server: CVE-2021-22947)");
    return;
  }
  while (!bytes.empty()) {
    const std::size_t used = reader_.feed(bytes);
    bytes.remove_prefix(used);
    if (auto r = reader_.take()) {
      on_reply(std::move(*r));
      if (state_ == State::failed) return;
      if (state_ == State::tls_pending) {
        if (!bytes.empty()) {
          receive(bytes);  // reports data_after_starttls
          return;
        }
        events_.emplace_back(event::ReadyForTls{});
        return;
      }
      continue;
    }
    if (const auto& e = reader_.error()) {
      protocol_error(e->kind, e->message);
      return;
    }
    if (used == 0) return;
  }
}

void Client::receive_eof() {
  if (eof_) return;
  eof_ = true;
  if (state_ == State::closed) return;
  if (reader_.partial() && state_ != State::failed)
    protocol_error(ErrorKind::eof_mid_reply, "the server closed the connection in the middle of a reply");
  event::Closed c;
  c.unanswered = in_flight_.size();
  c.clean = announced_close_ || (state_ == State::closing && in_flight_.empty());
  events_.emplace_back(c);
  set_state(State::closed);
}

Event Client::next_event() {
  if (events_.empty()) {
    if (state_ == State::closed) return event::Closed{announced_close_, in_flight_.size()};
    return event::NeedData{};
  }
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void Client::on_reply(codes::Reply reply) {
  if (reply.code == 221 || reply.code == 421) announced_close_ = true;
  if (state_ == State::greeting) {
    events_.emplace_back(event::Greeting{std::move(reply)});
    set_state(State::ready);
    return;
  }
  if (!in_flight_.empty()) {
    on_command_reply(std::move(reply));
    return;
  }
  if (reply.code == 421 && !unsolicited_seen_) {
    // RFC 5321 §3.8: a server may send 421 at any time before closing (idle timeout, shutdown).
    unsolicited_seen_ = true;
    if (!caps_.enhanced_status_codes) reply.enhanced.reset();
    event::Reply ev;
    ev.reply = std::move(reply);
    ev.unsolicited = true;
    events_.emplace_back(std::move(ev));
    return;
  }
  protocol_error(ErrorKind::unsolicited_reply,
                 "the server sent a reply no command asked for: \"" + util::sanitize(reply.wire(), 80) + "\"");
}

void Client::on_command_reply(codes::Reply reply) {
  const Pending p = std::move(in_flight_.front());
  in_flight_.pop_front();
  // RFC 2034: enhanced codes mean something only when ENHANCEDSTATUSCODES was offered.
  if (!caps_.enhanced_status_codes) reply.enhanced.reset();
  const int code = reply.code;
  event::Reply ev;
  ev.verb = p.verb;
  ev.command = p.display;
  ev.expected = expects(p.verb, code);
  ev.reply = reply;
  events_.emplace_back(std::move(ev));

  switch (p.verb) {
    case Verb::ehlo:
      if (code == 250) {
        caps_ = parse_capabilities(reply);
        events_.emplace_back(event::Capabilities{caps_, tls_});
      }
      break;
    case Verb::helo:
      if (code == 250) caps_ = smtp::Capabilities{};
      break;
    case Verb::starttls:
      if (code == 220 && state_ == State::ready) set_state(State::tls_pending);
      break;
    case Verb::auth:
    case Verb::auth_response:
      // A 334 is a challenge only when nothing was pipelined behind the AUTH.
      if (state_ == State::ready || state_ == State::auth)
        set_state(code == 334 && in_flight_.empty() ? State::auth : State::ready);
      break;
    case Verb::data:
      if (code == 354 && state_ == State::ready) set_state(State::message);
      break;
    default:
      break;
  }
}

std::optional<LocalError> Client::check_send(Verb v) const {
  switch (state_) {
    case State::greeting:
      return LocalError{"wait for the server's greeting before sending commands"};
    case State::tls_pending:
      return LocalError{"STARTTLS was accepted: complete the TLS handshake first"};
    case State::closing:
      return LocalError{"QUIT was already sent"};
    case State::closed:
      return LocalError{"the connection is closed"};
    case State::failed:
      if (v == Verb::quit) return std::nullopt;
      return LocalError{"the session failed with a protocol error; only QUIT may be sent"};
    case State::auth:
      if (v == Verb::auth_response && in_flight_.empty()) return std::nullopt;
      return LocalError{"the server sent an AUTH challenge (334): send a response, or \"*\" to cancel"};
    case State::message:
      if (v == Verb::message && in_flight_.empty()) return std::nullopt;
      return LocalError{"the server is waiting for the message (354): send it, ending with a line \".\""};
    case State::ready:
      break;
  }
  if (v == Verb::message) return LocalError{"the message may only be sent after a 354 reply to DATA"};
  if (v == Verb::auth_response) return LocalError{"no AUTH challenge (334) is pending"};
  if (in_flight_.empty()) return std::nullopt;
  const Verb last = in_flight_.back().verb;
  if (!caps_.pipelining)
    return LocalError{"the server did not offer PIPELINING: wait for the reply to " + std::string(to_string(last))};
  if (!in_flight_.back().may_be_followed)
    return LocalError{std::string(to_string(last)) + " ends a pipelined group (RFC 2920): wait for its reply"};
  return std::nullopt;
}

bool Client::can_send(Verb v) const { return !check_send(v).has_value(); }

std::optional<LocalError> Client::send(const Command& cmd) {
  if (auto e = check_send(cmd.verb)) return e;
  if (cmd.verb != Verb::message) {
    const auto cr = cmd.wire.find_first_of("\r\n");
    if (cmd.wire.size() < 2 || cr != cmd.wire.size() - 2 || cmd.wire.compare(cmd.wire.size() - 2, 2, "\r\n") != 0)
      return LocalError{"a command must be exactly one line ending in CRLF"};
  }
  output_ += cmd.wire;
  if (trace_) trace_("smtp send " + cmd.display);
  if (state_ == State::failed) return std::nullopt;  // a last QUIT; its reply is not read
  in_flight_.push_back(Pending{cmd.verb, cmd.display, cmd.may_be_followed || shape(cmd.verb).may_be_followed});
  if (cmd.verb == Verb::quit) set_state(State::closing);
  // The content or the SASL line is on its way; what may follow is now decided by its shape.
  if (cmd.verb == Verb::message || cmd.verb == Verb::auth_response) set_state(State::ready);
  return std::nullopt;
}

std::string Client::take_output() {
  std::string out;
  out.swap(output_);
  return out;
}

void Client::tls_established() {
  if (state_ != State::tls_pending) return;
  tls_ = true;
  caps_ = smtp::Capabilities{};
  set_state(State::ready);
}

}  // namespace maildiag::smtp
