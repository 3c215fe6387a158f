#include "maildiag/app/smtp_session.hpp"

#include "interrupted.hpp"
#include "transcript.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/message/charset.hpp"
#include "maildiag/smtp/queue_id.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <utility>

namespace maildiag::app {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;


std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0);
}

/// The phrases the dialog waits for, with their catalog ids ("the reply to <command>" is one
/// pattern, smtp.wait.reply-to, with the command as its argument).
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kWaits{{
    {"the greeting (220)", "smtp.wait.greeting"},
    {"the TLS switch", "smtp.wait.tls-switch"},
    {"the reply to the AUTH cancel", "smtp.wait.auth-cancel"},
    {"the reply to MAIL FROM (relay test)", "smtp.wait.relay-mail"},
    {"the reply to RCPT TO (relay test)", "smtp.wait.relay-rcpt"},
    {"the replies after the failed AUTH", "smtp.wait.after-failed-auth"},
    {"the reply to the end of the message", "smtp.wait.end-of-message"},
    {"a reply", "smtp.wait.a-reply"},
    {"the reply cut off by the interrupt", "smtp.wait.cut-off"},
    {"a command to be sent", "smtp.wait.sending"},
    {"the connection", "smtp.wait.connection"},
    {"the TLS handshake", "smtp.wait.tls-handshake"},
    {"the end of the session", "smtp.wait.end-of-session"},
    {"the DNS lookups", "smtp.wait.dns"},
    {"the next MX host", "smtp.wait.next-mx"},
}};

}  // namespace

std::string waiting_text(std::string_view waiting_for) {
  for (const auto& [en, id] : kWaits) {
    if (en == waiting_for) return i18n::text(id);
  }
  constexpr std::string_view kReplyTo = "the reply to ";
  if (waiting_for.substr(0, kReplyTo.size()) == kReplyTo)  // the rest is a command: EHLO, MAIL FROM ...
    return i18n::format("smtp.wait.reply-to", {std::string(waiting_for.substr(kReplyTo.size()))});
  return std::string(waiting_for);
}

std::string reply_note(const codes::Reply& reply, smtp::Verb verb) {
  if (reply.code == 334) {
    const auto text = util::trim(reply.lines.empty() ? std::string_view() : std::string_view(reply.lines.front()));
    const auto decoded = message::decode_base64(text);
    if (decoded && !decoded->empty()) return "challenge: " + util::sanitize(*decoded, 120);
    return {};
  }
  if (reply.reply_class() == 2 || reply.reply_class() == 3) {
    if (verb == smtp::Verb::message) {
      if (auto q = smtp::extract_queue_id(reply)) return "queued as " + util::sanitize(q->id, 128);
    }
    return {};
  }
  const auto c = codes::classify(reply);
  std::string note(codes::to_string(c.outcome));
  note += ": ";
  note += codes::info(c.reason).description;
  if (c.blocklist) note += " (" + util::sanitize(*c.blocklist, 80) + ")";
  return note;
}

SmtpSession::SmtpSession(report::Report& rep, const Redactor& redactor, SmtpSessionOptions options)
    : rep_(rep), redactor_(redactor), opt_(std::move(options)), engine_(opt_.limits), t0_(net::Clock::now()) {
  engine_.set_trace([](std::string_view s) { spdlog::debug("{}", s); });
}

SmtpSession::~SmtpSession() { close(); }

double SmtpSession::elapsed_ms() const {
  return std::chrono::duration<double, std::milli>(net::Clock::now() - t0_).count();
}

void SmtpSession::line(report::TranscriptLine::Dir dir, std::string_view text, std::string note, bool unexpected) {
  record_line(rep_, {dir, tls(), unexpected, elapsed_ms(), std::string(text), std::move(note)}, redactor_, live_);
}

bool SmtpSession::check_interrupt(std::string_view waiting_for) {
  if (interrupted_) return true;
  if (!loop_.interrupted()) return false;
  interrupted_ = true;
  grace_end_ = net::Clock::now() + util::kQuitGrace;
  loop_.set_closing(true);  // the loop runs again for the goodbye, bounded by grace_end_
  add_interrupted(rep_, "smtp", waiting_text(waiting_for));
  error(util::interrupt_message() + " while waiting for " + std::string(waiting_for));
  return true;
}

net::Clock::time_point SmtpSession::bounded(net::Clock::time_point deadline) const {
  return interrupted_ ? std::min(deadline, grace_end_) : deadline;
}

void SmtpSession::info(std::string_view text) { line(report::TranscriptLine::Dir::info, text, {}, false); }
void SmtpSession::error(std::string_view text) { line(report::TranscriptLine::Dir::error, text, {}, false); }

net::ConnectResult SmtpSession::connect(const std::vector<net::Address>& addresses, std::uint16_t port,
                                        std::string_view where) {
  net::ConnectOptions co;
  co.source = opt_.source;
  co.attempt_timeout = opt_.connect_timeout;
  info(fmt::format("Trying {} ...", where));
  auto result = net::connect_sync(loop_, addresses, port, co, net::Clock::now() + opt_.connect_timeout);
  if (!result.ok() && check_interrupt("the connection")) return result;
  for (std::size_t i = 0; i < result.attempts.size(); ++i) {
    const auto& a = result.attempts[i];
    if (result.winner && *result.winner == i) continue;
    error(fmt::format("{} {} after {:.1f} ms{}", a.address.to_string(a.port), net::to_string(a.outcome),
                      a.latency_ms(), a.detail.empty() ? std::string() : ": " + a.detail));
  }
  if (!result.ok()) return result;
  const auto& won = result.attempts.at(*result.winner);
  stream_ = std::make_unique<net::Stream>(loop_, result.fd);
  // result.fd stays set so ok() reads true; the stream owns (and closes) it.
  gone_ = false;
  peer_ = won.address.to_string(won.port);
  std::uint16_t lport = 0;
  const auto local = stream_->local_address(&lport);
  local_ = local ? local->to_string(lport) : std::string("?");
  info(fmt::format("Connected to {} ({}) from {} in {:.1f} ms", where, peer_, local_, won.latency_ms()));
  return result;
}

net::TlsResult SmtpSession::start_tls(const tls::TlsOptions& options) {
  if (!stream_) {
    net::TlsResult r;
    r.error = "not connected";
    return r;
  }
  auto r = stream_->start_tls(options, bounded(net::Clock::now() + opt_.command_timeout));
  if (!r.ok && check_interrupt("the TLS handshake")) {
    gone_ = true;  // a half-done handshake leaves no usable channel
    return r;
  }
  if (r.ok) {
    engine_.tls_established();
    const auto& t = r.report;
    info(fmt::format("TLS started with cipher {}:{}:{} in {:.1f} ms", t.version, t.cipher, t.cipher_bits,
                     t.handshake_ms));
  } else {
    gone_ = true;  // a failed handshake leaves no usable channel
    error("TLS handshake failed: " + r.error);
  }
  return r;
}

std::optional<smtp::LocalError> SmtpSession::send(const smtp::Command& cmd, bool write) {
  if (auto e = engine_.send(cmd)) return e;
  line(report::TranscriptLine::Dir::sent, cmd.display, {}, false);
  if (write && !flush()) return smtp::LocalError{"the connection failed while sending"};
  return std::nullopt;
}

bool SmtpSession::flush() {
  const std::string out = engine_.take_output();
  if (out.empty()) return true;
  if (gone()) return false;
  const auto st = stream_->write_all(out, bounded(net::Clock::now() + opt_.command_timeout));
  wrote_ = true;
  if (st.ok()) return true;
  gone_ = true;
  if (st.kind == net::IoStatus::Kind::timeout && check_interrupt("a command to be sent")) return false;
  if (st.kind == net::IoStatus::Kind::timeout) {
    timed_out_ = true;
    rep_.add(opt_.timeout_state, "smtp.timeout",
             i18n::format("smtp.timeout.sending.title", {seconds(opt_.command_timeout)}),
             i18n::text("smtp.timeout.sending.detail"), {}, i18n::text("smtp.timeout.sending.fix"));
  } else if (!closing_) {
    rep_.add(report::Severity::critical, "smtp.connection-lost", i18n::text("smtp.connection-lost.sending"),
             st.detail.empty() ? std::string(net::to_string(st.kind)) : st.detail);
  }
  error("write failed: " + (st.detail.empty() ? std::string(net::to_string(st.kind)) : st.detail));
  return false;
}

bool SmtpSession::read_more(net::Clock::time_point deadline, std::string_view waiting_for) {
  if (gone()) return false;
  if (wrote_) {
    ++round_trips_;
    wrote_ = false;
  }
  // Linux leaves quick-ACK mode after a while; without it our delayed ACK meets the server's
  // Nagle and every reply after the TLS handshake costs 40 ms (platform.md P13). Re-arm it.
  const int one = 1;
  ::setsockopt(stream_->fd(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  std::string buf;
  const auto st = stream_->read_some(buf, kReadChunk, deadline);
  switch (st.kind) {
    case net::IoStatus::Kind::ok:
      engine_.receive(buf);
      return true;
    case net::IoStatus::Kind::eof:
      gone_ = true;
      engine_.receive_eof();
      return true;
    case net::IoStatus::Kind::timeout: {
      if (interrupted_) {  // the grace period after Ctrl-C ran out: leave without more waiting
        gone_ = true;
        return false;
      }
      if (check_interrupt(waiting_for)) return false;  // cut by Ctrl-C: the channel still works for QUIT
      gone_ = true;
      timed_out_ = true;
      const auto budget = engine_.state() == smtp::State::greeting ? opt_.connect_timeout : opt_.command_timeout;
      rep_.add(opt_.timeout_state, "smtp.timeout",
               i18n::format("smtp.timeout.reply.title", {seconds(budget), waiting_text(waiting_for)}),
               i18n::text("smtp.timeout.reply.detail"), {}, i18n::text("smtp.timeout.reply.fix"));
      error(fmt::format("timeout after {} waiting for {}", seconds(budget), waiting_for));
      return false;
    }
    case net::IoStatus::Kind::error:
      break;
  }
  gone_ = true;
  if (!closing_)  // a server that hangs up instead of answering QUIT is harmless
    rep_.add(report::Severity::critical, "smtp.connection-lost",
             i18n::format("smtp.connection-lost.waiting", {waiting_text(waiting_for)}), st.detail);
  error("read failed: " + st.detail);
  return false;
}

std::optional<smtp::Event> SmtpSession::next(std::string_view waiting_for) {
  const auto budget = engine_.state() == smtp::State::greeting ? opt_.connect_timeout : opt_.command_timeout;
  const auto deadline = bounded(net::Clock::now() + budget);
  for (;;) {
    auto ev = engine_.next_event();
    if (!std::holds_alternative<smtp::event::NeedData>(ev)) {
      record(ev);
      return ev;
    }
    if (!read_more(deadline, waiting_for)) return std::nullopt;
  }
}

void SmtpSession::record_reply(const codes::Reply& reply, smtp::Verb verb, bool unexpected) {
  const auto wire = reply.wire();
  const auto lines = util::split(wire, '\n');
  const auto note = reply_note(reply, verb);
  for (std::size_t i = 0; i < lines.size(); ++i)
    line(report::TranscriptLine::Dir::received, lines[i], i + 1 == lines.size() ? note : std::string(), unexpected);
}

void SmtpSession::record(const smtp::Event& ev) {
  if (const auto* g = std::get_if<smtp::event::Greeting>(&ev)) {
    record_reply(g->reply, smtp::Verb::none, g->reply.code != 220);
  } else if (const auto* r = std::get_if<smtp::event::Reply>(&ev)) {
    record_reply(r->reply, r->verb, !r->expected);
  } else if (const auto* e = std::get_if<smtp::event::ProtocolError>(&ev)) {
    error("protocol error (" + std::string(smtp::to_string(e->kind)) + "): " + e->message);
  } else if (const auto* c = std::get_if<smtp::event::Closed>(&ev)) {
    gone_ = true;
    info(c->clean ? "Connection closed by the server" : "Connection closed by the server unexpectedly");
  }
}

void SmtpSession::quit() {
  if (loop_.interrupted()) check_interrupt("the end of the session");  // QUIT still gets its grace
  if (gone()) {
    close();
    return;
  }
  // Cut off while a reply was owed (the greeting, the reply to EHLO ...): take it, within the
  // grace period, so that QUIT may follow.
  while (interrupted_ && !gone() &&
         (engine_.state() == smtp::State::greeting ||
          (engine_.in_flight() > 0 && !engine_.can_send(smtp::Verb::quit)))) {
    auto ev = next("the reply cut off by the interrupt");
    if (!ev || std::holds_alternative<smtp::event::Closed>(*ev) ||
        std::holds_alternative<smtp::event::ProtocolError>(*ev)) {
      close();
      return;
    }
  }
  closing_ = engine_.in_flight() == 0;  // nothing owed but the goodbye: a hang-up now is harmless
  const auto st = engine_.state();
  bool wait = st == smtp::State::closing;  // QUIT already sent (pipelined after the message)
  if (st != smtp::State::closing && st != smtp::State::closed && st != smtp::State::tls_pending &&
      engine_.can_send(smtp::Verb::quit)) {
    const bool sent = !send(smtp::quit()).has_value();
    wait = sent && st != smtp::State::failed;  // a failed stream is not read any more
  }
  // The replies still owed (pipelined) and the 221.
  for (int i = 0; wait && i < 64 && !gone(); ++i) {
    closing_ = engine_.in_flight() <= 1;  // a reply to DATA still owed: losing it is a finding
    auto ev = next("the reply to QUIT");
    if (!ev) break;
    const auto* r = std::get_if<smtp::event::Reply>(&*ev);
    if (r != nullptr && r->verb == smtp::Verb::quit) break;
    if (std::holds_alternative<smtp::event::Closed>(*ev) || std::holds_alternative<smtp::event::ProtocolError>(*ev))
      break;
  }
  close();
}

void SmtpSession::close() {
  if (stream_) {
    stream_->close();
    stream_.reset();
  }
  gone_ = true;
}

}  // namespace maildiag::app
