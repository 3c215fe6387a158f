#include "maildiag/imap/client.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::imap {

namespace {

constexpr std::size_t kMaxEvidence = 256;

std::string make_tag(unsigned n) {
  std::string digits = std::to_string(n);
  if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
  return "A" + digits;
}

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::awaiting_greeting: return "awaiting-greeting";
    case State::ready: return "ready";
    case State::awaiting_completion: return "awaiting-completion";
    case State::continuation: return "continuation";
    case State::tls_pending: return "tls-pending";
    case State::done: return "done";
    case State::closed: return "closed";
    case State::failed: return "failed";
  }
  return "?";
}

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::bad_greeting: return "bad-greeting";
    case ErrorKind::malformed: return "malformed";
    case ErrorKind::line_too_long: return "line-too-long";
    case ErrorKind::literal_too_large: return "literal-too-large";
    case ErrorKind::response_too_large: return "response-too-large";
    case ErrorKind::too_many_responses: return "too-many-responses";
    case ErrorKind::nul_byte: return "nul-byte";
    case ErrorKind::unknown_tag: return "unknown-tag";
    case ErrorKind::unexpected_continuation: return "unexpected-continuation";
    case ErrorKind::starttls_leftover: return "starttls-leftover";
    case ErrorKind::eof_mid_response: return "eof-mid-response";
  }
  return "?";
}

void Client::set_state(State s) {
  if (s == state_) return;
  if (trace_) {
    std::string msg = "imap: ";
    msg.append(to_string(state_)).append(" -> ").append(to_string(s));
    trace_(msg);
  }
  state_ = s;
}

void Client::fail(ErrorKind kind, std::string message, std::string_view evidence) {
  events_.emplace_back(event::ProtocolError{kind, std::move(message), std::string(evidence.substr(0, kMaxEvidence))});
  line_.clear();
  response_.clear();
  literal_left_ = 0;
  held_segments_.clear();
  in_flight_.reset();
  set_state(State::failed);
}

void Client::receive(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (state_ == State::done || state_ == State::closed || state_ == State::failed) return;
    if (state_ == State::tls_pending) {
      fail(ErrorKind::starttls_leftover,
           "the server sent data after accepting STARTTLS and before the TLS handshake "
           "(possible command injection, CVE-2021-22947 class); it was discarded",
           bytes.substr(pos));
      return;
    }
    if (literal_left_ > 0) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, bytes.size() - pos));
      response_.append(bytes.substr(pos, take));
      literal_left_ -= take;
      pos += take;
      continue;
    }
    const auto lf = bytes.find('\n', pos);
    if (lf == std::string_view::npos) {
      line_.append(bytes.substr(pos));
      if (line_.size() > limits_.max_line + 1)  // + 1: the CR of a CRLF split from its LF
        fail(ErrorKind::line_too_long, "a line from the server exceeds " + std::to_string(limits_.max_line) + " octets",
             line_);
      return;
    }
    line_.append(bytes.substr(pos, lf - pos));
    pos = lf + 1;
    on_line_complete();
  }
}

void Client::on_line_complete() {
  std::string_view line = line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > limits_.max_line) {
    fail(ErrorKind::line_too_long, "a line from the server exceeds " + std::to_string(limits_.max_line) + " octets",
         line);
    return;
  }
  if (line.find('\0') != std::string_view::npos) {
    fail(ErrorKind::nul_byte, "a response line contains a NUL byte (only allowed inside literals)", line);
    return;
  }
  if (response_.size() + line.size() > limits_.max_response) {
    fail(ErrorKind::response_too_large,
         "a response exceeds " + std::to_string(limits_.max_response) + " octets", line);
    return;
  }
  response_.append(line);
  if (const auto n = literal_announced(line)) {
    if (*n > limits_.max_literal) {
      fail(ErrorKind::literal_too_large,
           "the server announced a literal of " + std::to_string(*n) + " octets (limit " +
               std::to_string(limits_.max_literal) + ")",
           line);
      return;
    }
    if (response_.size() + 2 + *n > limits_.max_response) {
      fail(ErrorKind::response_too_large,
           "a response exceeds " + std::to_string(limits_.max_response) + " octets", line);
      return;
    }
    response_.append("\r\n");
    literal_left_ = *n;
    line_.clear();
    return;
  }
  line_.clear();
  std::string raw;
  raw.swap(response_);
  on_response(raw);
}

void Client::on_response(std::string_view raw) {
  std::string error;
  auto r = parse_response(raw, &error);
  if (!r) {
    fail(state_ == State::awaiting_greeting ? ErrorKind::bad_greeting : ErrorKind::malformed,
         "a malformed response from the server: " + error, raw);
    return;
  }
  if (state_ == State::awaiting_greeting) {
    on_greeting(std::move(*r));
    return;
  }
  switch (r->kind) {
    case Kind::continuation: on_continuation(std::move(*r)); break;
    case Kind::untagged: on_untagged(std::move(*r)); break;
    case Kind::tagged: on_tagged(std::move(*r)); break;
  }
}

void Client::on_greeting(Response r) {
  if (r.kind != Kind::untagged ||
      (r.status != Status::ok && r.status != Status::preauth && r.status != Status::bye)) {
    fail(ErrorKind::bad_greeting, "the greeting is not \"* OK\", \"* PREAUTH\" or \"* BYE\"", r.raw);
    return;
  }
  if (auto caps = capabilities_of(r)) caps_ = std::move(*caps);
  if (r.status == Status::preauth) authenticated_ = true;
  if (r.status == Status::bye) bye_ = true;
  events_.emplace_back(event::Greeting{std::move(r)});
  set_state(State::ready);
}

void Client::on_untagged(Response r) {
  if (in_flight_ && ++untagged_count_ > limits_.max_untagged) {
    fail(ErrorKind::too_many_responses,
         "more than " + std::to_string(limits_.max_untagged) + " untagged responses to " + in_flight_->verb, r.raw);
    return;
  }
  if (auto caps = capabilities_of(r)) caps_ = std::move(*caps);
  if (r.status == Status::bye) bye_ = true;
  events_.emplace_back(event::Untagged{std::move(r)});
}

void Client::on_continuation(Response r) {
  if (state_ == State::awaiting_completion && !held_segments_.empty()) {
    output_ += held_segments_.front();
    held_segments_.pop_front();
    events_.emplace_back(event::Continuation{std::move(r), true});
    return;
  }
  if (state_ == State::awaiting_completion) {
    events_.emplace_back(event::Continuation{std::move(r), false});
    set_state(State::continuation);
    return;
  }
  fail(ErrorKind::unexpected_continuation, "a \"+\" continuation while no command waits for one", r.raw);
}

void Client::on_tagged(Response r) {
  if (!in_flight_ || r.tag != last_tag_) {
    fail(ErrorKind::unknown_tag, "a tagged reply (" + util::sanitize(r.tag, 40) + ") to no command in flight", r.raw);
    return;
  }
  if (auto caps = capabilities_of(r)) caps_ = std::move(*caps);
  Command cmd = std::move(*in_flight_);
  in_flight_.reset();
  held_segments_.clear();
  untagged_count_ = 0;
  const bool ok = r.status == Status::ok;
  events_.emplace_back(event::Completed{cmd, last_tag_, std::move(r)});
  if (util::iequals(cmd.verb, "LOGOUT")) {
    set_state(State::done);
    return;
  }
  if (ok && util::iequals(cmd.verb, "STARTTLS")) {
    set_state(State::tls_pending);
    events_.emplace_back(event::ReadyForTls{});
    return;
  }
  if (ok && (util::iequals(cmd.verb, "LOGIN") || util::iequals(cmd.verb, "AUTHENTICATE"))) authenticated_ = true;
  set_state(State::ready);
}

void Client::receive_eof() {
  if (state_ == State::closed) return;
  const bool partial = !line_.empty() || !response_.empty() || literal_left_ > 0;
  if (state_ == State::awaiting_greeting) {
    fail(ErrorKind::eof_mid_response, "the server closed the connection before its greeting", line_);
  } else if (!bye_ && (state_ == State::awaiting_completion || state_ == State::continuation)) {
    fail(ErrorKind::eof_mid_response,
         "the server closed the connection while the reply to " + (in_flight_ ? in_flight_->verb : std::string("a command")) +
             " was due",
         line_);
  } else if (!bye_ && partial && state_ != State::failed) {
    fail(ErrorKind::eof_mid_response, "the server closed the connection in the middle of a response", line_);
  }
  events_.emplace_back(event::Closed{state_ == State::done, bye_});
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
    return LocalError{"the IMAP dialog is over (" + std::string(to_string(state_)) + ")"};
  if (state_ == State::continuation && !cmd.continuation)
    return LocalError{"the server waits for a continuation line (or \"*\" to cancel)"};
  if (state_ == State::ready && cmd.continuation) return LocalError{"no continuation is pending"};
  if (state_ != State::ready && state_ != State::continuation)
    return LocalError{"cannot send now: the engine is in state " + std::string(to_string(state_))};
  const LiteralPolicy policy{caps_.has("LITERAL+"), caps_.has("LITERAL-")};
  const std::string tag = cmd.continuation ? std::string() : make_tag(next_tag_);
  std::string error;
  auto segs = wire_segments(cmd, tag, policy, &error);
  if (!segs) return LocalError{error};
  output_ += segs->front();
  if (!cmd.continuation) {
    ++next_tag_;
    held_segments_.assign(segs->begin() + 1, segs->end());
    in_flight_ = cmd;
    last_tag_ = tag;
    untagged_count_ = 0;
  }
  set_state(State::awaiting_completion);
  return std::nullopt;
}

std::string Client::take_output() {
  std::string out;
  out.swap(output_);
  return out;
}

bool Client::tls_established() {
  if (state_ != State::tls_pending) return false;
  tls_ = true;
  caps_ = Capabilities{};
  set_state(State::ready);
  return true;
}

}  // namespace maildiag::imap
