// Fuzz target: the sans-I/O IMAP engine fed arbitrary server bytes in fuzz-chosen chunk sizes
// (lines, "{n}" literals, tags, continuations), driven as app/ drives it: when ready, the next
// command comes from a fuzz-chosen script (CAPABILITY, STARTTLS, LOGIN with quoted and literal
// strings, AUTHENTICATE with continuations, SELECT, STATUS, FETCH, LOGOUT...). Every response
// goes through the mailbox/status/capability readers and the IMAP classifier. Limits are
// fuzz-chosen too.
// Invariants: no exception escapes; send() in state ready accepts every well-formed command;
// no Completed carries a tag we did not send; evidence is at most 256 bytes; nothing but
// Closed comes after the dialog ended.

#include "fuzz_support.hpp"

#include "maildiag/imap/classify.hpp"
#include "maildiag/imap/client.hpp"
#include "maildiag/imap/mailbox.hpp"

#include <array>
#include <string>
#include <variant>
#include <vector>

namespace {

using namespace maildiag;
using imap::Arg;

imap::Command scripted(std::uint8_t b) {
  switch (b % 14) {
    case 0: return imap::Command::make("CAPABILITY");
    case 1: return imap::Command::make("STARTTLS");
    case 2: return imap::Command::make("LOGIN", {Arg::string("alice"), Arg::string("alice-secret-1", true)});
    case 3:  // 8-bit: sent as a literal, synchronizing unless LITERAL+/- was offered
      return imap::Command::make("LOGIN", {Arg::string("\xc3\xa9l\xc3\xa8ve"), Arg::string("p\xc3\xa4ss", true)});
    case 4: return imap::Command::make("AUTHENTICATE", {Arg::atom("PLAIN")});
    case 5: return imap::Command::make("SELECT", {Arg::string("INBOX")});
    case 6: return imap::Command::make("EXAMINE", {Arg::string("INBOX")});
    case 7: return imap::Command::make("STATUS", {Arg::string("INBOX"), Arg::raw("(MESSAGES UNSEEN UIDNEXT)")});
    case 8: return imap::Command::make("FETCH", {Arg::raw("1:*"), Arg::raw("(FLAGS RFC822.SIZE)")});
    case 9: return imap::Command::make("NOOP");
    case 10: return imap::Command::make("ID", {Arg::raw("NIL")});
    case 11: return imap::Command::make("LIST", {Arg::string(""), Arg::string("*")});
    case 12: return imap::Command::make("NAMESPACE");
    default: return imap::Command::make("LOGOUT");
  }
}

class Driver {
 public:
  Driver(fuzz::Input& in, const imap::Limits& limits) : client_(limits), limits_(limits) {
    for (auto& b : script_) b = in.byte();
  }

  void feed(std::string_view chunk) {
    const bool was_over = over();
    client_.receive(chunk);
    if (was_over) FUZZ_CHECK(std::holds_alternative<imap::event::NeedData>(client_.next_event()));
    drain();
  }

  void eof() {
    client_.receive_eof();
    drain();
    FUZZ_CHECK(client_.state() == imap::State::closed);
  }

 private:
  imap::Client client_;
  imap::Limits limits_;
  std::array<std::uint8_t, 16> script_{};
  std::size_t step_ = 0;
  std::vector<std::string> tags_;
  imap::MailboxInfo mailbox_;

  [[nodiscard]] bool over() const {
    const auto s = client_.state();
    return s == imap::State::done || s == imap::State::closed || s == imap::State::failed;
  }

  void drain() {
    for (;;) {
      auto ev = client_.next_event();
      if (std::holds_alternative<imap::event::NeedData>(ev)) break;
      std::visit([this](auto& e) { on(e); }, ev);
    }
    act();
    const std::string out = client_.take_output();
    FUZZ_CHECK(out.size() <= 64 * 1024);
  }

  void read(const imap::Response& r, std::string_view verb) {
    FUZZ_CHECK(r.raw.size() <= limits_.max_response);
    imap::apply(mailbox_, r);
    (void)imap::status_of(r);
    (void)imap::capabilities_of(r);
    (void)imap::classify(r, verb);
  }

  void on(const imap::event::NeedData&) {}
  void on(const imap::event::Greeting& g) { read(g.response, {}); }
  void on(const imap::event::Untagged& u) { read(u.response, {}); }
  void on(const imap::event::Continuation& c) { FUZZ_CHECK(c.response.kind == imap::Kind::continuation); }
  void on(const imap::event::Completed& c) {
    FUZZ_CHECK(!tags_.empty() && c.tag == tags_.back());
    FUZZ_CHECK(c.response.tag == c.tag);
    read(c.response, c.command.verb);
  }
  // ReadyForTls is queued as soon as the acceptance is read; bytes after it in the same read
  // then fail the engine (leftover/injection), and that error follows in the queue.
  void on(const imap::event::ReadyForTls&) {
    FUZZ_CHECK(client_.state() == imap::State::tls_pending || client_.state() == imap::State::failed);
  }
  void on(const imap::event::Closed&) {}
  void on(const imap::event::ProtocolError& e) {
    FUZZ_CHECK(e.evidence.size() <= 256);
    FUZZ_CHECK(!e.message.empty());
  }

  void act() {
    if (client_.state() == imap::State::tls_pending) FUZZ_CHECK(client_.tls_established());
    if (client_.state() == imap::State::continuation) {
      const bool cancel = (script_[step_ % script_.size()] & 1u) != 0;
      FUZZ_CHECK(!client_.send(imap::Command::continuation_line(cancel ? "*" : "AGFsaWNlAHNlY3JldA==")));
      return;
    }
    if (client_.state() != imap::State::ready) return;
    const auto cmd = scripted(script_[step_++ % script_.size()]);
    FUZZ_CHECK(!client_.send(cmd));
    tags_.push_back(client_.last_tag());
    FUZZ_CHECK(cmd.redacted(tags_.back()).find("secret") == std::string::npos);
  }
};

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  imap::Limits limits;
  if (in.flag()) {  // tiny limits, so the bounds are reached
    limits.max_line = in.range(1, 128);
    limits.max_literal = in.range(0, 64);
    limits.max_response = in.range(1, 255) * 4;
    limits.max_untagged = in.range(0, 8);
  }
  const bool eof = in.flag();
  Driver driver(in, limits);
  fuzz::Chunker chunks(in);
  while (!chunks.done()) driver.feed(chunks.next());
  if (eof) driver.eof();
  return 0;
}
