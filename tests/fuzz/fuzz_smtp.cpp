// Fuzz target: the sans-I/O SMTP engine (reply framing, command/reply matching, PIPELINING
// groups, AUTH and DATA sub-states, the STARTTLS switch) fed arbitrary server bytes in
// fuzz-chosen chunk sizes, driven as app/ drives it: whenever the engine accepts a command, the
// next one comes from a fuzz-chosen script (EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET,
// NOOP, VRFY, QUIT), pipelined when the server offered PIPELINING; 334 gets a SASL response,
// 354 the message, a failure a last QUIT. Every reply goes through the classifier, the
// capability parser, the RCPT verdict and the queue-id reader. Limits are fuzz-chosen too.
// Invariants: no exception escapes; replies respect the limits and carry a valid code; each
// reply answers the oldest unanswered command we sent, in order; our output is exactly the
// bytes of the commands sent; Closed is final.

#include "fuzz_support.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/smtp/client.hpp"
#include "maildiag/smtp/data.hpp"
#include "maildiag/smtp/queue_id.hpp"
#include "maildiag/smtp/rcpt_verdict.hpp"

#include <array>
#include <deque>
#include <optional>
#include <string>
#include <variant>

namespace {

using namespace maildiag;

std::optional<smtp::Command> scripted(std::uint8_t b) {
  switch (b % 13) {
    case 0: return smtp::ehlo("client.example.org");
    case 1: return smtp::helo("client.example.org");
    case 2: return smtp::starttls();
    case 3: return smtp::auth("PLAIN", "AGFsaWNlAGFsaWNlLXNlY3JldC0x");
    case 4: return smtp::auth("LOGIN", std::nullopt);
    case 5: return smtp::mail_from("alice@example.org", smtp::MailParams{1234, "8BITMIME", false, {}, {}, false});
    case 6: return smtp::rcpt_to("bob@mail.test");
    case 7: return smtp::rcpt_to("nobody@mail.test", smtp::RcptParams{{"FAILURE", "DELAY"}, "nobody@mail.test"});
    case 8: return smtp::data();
    case 9: return smtp::rset();
    case 10: return smtp::noop();
    case 11: return smtp::raw("VRFY postmaster");
    default: return smtp::quit();
  }
}

class Driver {
 public:
  Driver(fuzz::Input& in, const smtp::Limits& limits) : client_(limits), limits_(limits) {
    for (auto& b : script_) b = in.byte();
  }

  void feed(std::string_view chunk) {
    if (closed_) return;
    client_.receive(chunk);
    drain();
  }

  void eof() {
    client_.receive_eof();
    drain();
    FUZZ_CHECK(closed_ && client_.state() == smtp::State::closed);
  }

 private:
  smtp::Client client_;
  smtp::Limits limits_;
  std::array<std::uint8_t, 16> script_{};
  std::size_t step_ = 0;
  std::deque<smtp::Verb> unanswered_;
  std::string sent_;
  bool closed_ = false;
  bool last_quit_ = false;

  void drain() {
    for (;;) {
      auto ev = client_.next_event();
      if (std::holds_alternative<smtp::event::NeedData>(ev)) break;
      std::visit([this](auto& e) { on(e); }, ev);
      if (closed_) break;  // a closed engine reports Closed on every call
    }
    if (!closed_) act();
    FUZZ_CHECK(client_.take_output() == sent_);
    sent_.clear();
    if (client_.state() != smtp::State::failed && !closed_) FUZZ_CHECK(client_.in_flight() == unanswered_.size());
  }

  void check_reply(const codes::Reply& r) {
    FUZZ_CHECK(codes::is_valid_code(r.code));
    FUZZ_CHECK(!r.lines.empty() && r.lines.size() <= limits_.max_lines);
    for (const auto& l : r.lines) FUZZ_CHECK(l.size() + 4 <= limits_.max_line);
    const auto c = codes::classify(r);
    (void)smtp::rcpt_verdict(c);
    if (auto q = smtp::extract_queue_id(r)) FUZZ_CHECK(q->id.size() <= r.text().size());
  }

  void on(const smtp::event::NeedData&) {}
  void on(const smtp::event::Greeting& g) { check_reply(g.reply); }
  void on(const smtp::event::Reply& r) {
    check_reply(r.reply);
    if (r.unsolicited) {
      FUZZ_CHECK(r.reply.code == 421);
      return;
    }
    FUZZ_CHECK(!unanswered_.empty() && unanswered_.front() == r.verb);
    unanswered_.pop_front();
    FUZZ_CHECK(r.command.find("secret") == std::string::npos);
  }
  void on(const smtp::event::Capabilities& c) { FUZZ_CHECK(c.caps.auth.size() <= c.caps.keywords.size() * 64 + 64); }
  void on(const smtp::event::ReadyForTls&) {
    FUZZ_CHECK(client_.state() == smtp::State::tls_pending);
    FUZZ_CHECK(unanswered_.empty());
  }
  void on(const smtp::event::Closed&) { closed_ = true; }
  void on(const smtp::event::ProtocolError& e) {
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK(e.message.size() <= 1024);
  }

  bool send(const smtp::Command& cmd) {
    const bool failed = client_.state() == smtp::State::failed;
    if (!client_.can_send(cmd.verb)) return false;
    FUZZ_CHECK(!client_.send(cmd));
    sent_ += cmd.wire;
    if (!failed) unanswered_.push_back(cmd.verb);
    return true;
  }

  /// What app/'s dialog does: finish STARTTLS, answer 334 and 354, QUIT after a failure, and
  /// otherwise send scripted commands while the engine takes them (pipelining when offered).
  void act() {
    switch (client_.state()) {
      case smtp::State::tls_pending:
        client_.tls_established();
        FUZZ_CHECK(client_.state() == smtp::State::ready && client_.capabilities().empty());
        break;
      case smtp::State::auth: {
        const bool cancel = (script_[step_ % script_.size()] & 1u) != 0;
        FUZZ_CHECK(send(cancel ? smtp::auth_cancel() : *smtp::auth_response("YWxpY2U=")));
        return;
      }
      case smtp::State::message:
        FUZZ_CHECK(send(smtp::message("Subject: fuzz\r\n\r\n.leading dot\r\nbody\n")));
        return;
      case smtp::State::failed:
        if (!last_quit_) last_quit_ = send(smtp::quit());
        return;
      default:
        break;
    }
    for (int i = 0; i < 8 && client_.state() == smtp::State::ready; ++i) {
      const auto cmd = scripted(script_[step_ % script_.size()]);
      FUZZ_CHECK(cmd.has_value());
      if (!send(*cmd)) break;
      ++step_;
    }
  }
};

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  smtp::Limits limits;
  if (in.flag()) {  // tiny limits, so the bounds are reached
    limits.max_line = in.range(4, 128);
    limits.max_lines = in.range(1, 8);
  }
  const bool eof = in.flag();
  Driver driver(in, limits);
  fuzz::Chunker chunks(in);
  while (!chunks.done()) driver.feed(chunks.next());
  if (eof) driver.eof();
  return 0;
}
