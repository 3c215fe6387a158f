// Fuzz target: the sans-I/O POP3 engine fed arbitrary server bytes in fuzz-chosen chunk sizes,
// driven the way app/ drives it: whenever it is ready, the next command comes from a
// fuzz-chosen script (CAPA, STLS, USER/PASS, AUTH with continuations, STAT, LIST, UIDL, RETR,
// TOP, QUIT...); STLS acceptance is followed by tls_established(); every reply goes through
// the parsers and the classifier the dialogs use. Limits are fuzz-chosen too (tiny ones reach
// the line/body bounds quickly).
// Invariants: no exception escapes; send() in state ready never refuses a well-formed command;
// bodies and lines respect the limits; evidence is at most 256 bytes; nothing but Closed comes
// after the dialog ended; our output is exactly what we sent.

#include "fuzz_support.hpp"

#include "maildiag/codes/pop3.hpp"
#include "maildiag/pop3/client.hpp"
#include "maildiag/pop3/parse.hpp"

#include <array>
#include <string>
#include <variant>

namespace {

using namespace maildiag;

struct Step {
  std::string_view verb;
  std::string_view argument;
};

constexpr std::array<Step, 20> kScript = {{
    {"CAPA", ""},  {"STLS", ""},      {"USER", "alice"}, {"PASS", "alice-secret-1"},
    {"STAT", ""},  {"LIST", ""},      {"LIST", "1"},     {"UIDL", ""},
    {"UIDL", "1"}, {"RETR", "1"},     {"TOP", "1 0"},    {"AUTH", "PLAIN"},
    {"AUTH", ""},  {"APOP", "alice 0123456789abcdef0123456789abcdef"},
    {"NOOP", ""},  {"RSET", ""},      {"DELE", "1"},     {"XTND", "XMIT"},
    {"AUTH", "PLAIN AGFsaWNlAGFsaWNlLXNlY3JldC0x"},      {"QUIT", ""},
}};

class Driver {
 public:
  Driver(fuzz::Input& in, const pop3::Limits& limits) : client_(limits), limits_(limits) {
    for (auto& b : script_) b = in.byte();
  }

  void feed(std::string_view chunk) {
    const auto before = client_.state();
    client_.receive(chunk);
    if (before == pop3::State::done || before == pop3::State::closed || before == pop3::State::failed) {
      FUZZ_CHECK(std::holds_alternative<pop3::event::NeedData>(client_.next_event()));
    }
    drain();
  }

  void eof() {
    client_.receive_eof();
    drain();
    FUZZ_CHECK(client_.state() == pop3::State::closed);
  }

  [[nodiscard]] bool over() const {
    const auto s = client_.state();
    return s == pop3::State::done || s == pop3::State::closed || s == pop3::State::failed;
  }

 private:
  pop3::Client client_;
  pop3::Limits limits_;
  std::array<std::uint8_t, 16> script_{};
  std::size_t step_ = 0;
  std::string expected_output_;

  void drain() {
    for (;;) {
      auto ev = client_.next_event();
      if (std::holds_alternative<pop3::event::NeedData>(ev)) break;
      std::visit([this](auto& e) { on(e); }, ev);
    }
    act();
    FUZZ_CHECK(client_.take_output() == expected_output_);
    expected_output_.clear();
  }

  void on(const pop3::event::NeedData&) {}
  void on(const pop3::event::Greeting& g) {
    (void)codes::classify_pop3(g.status);
    if (g.apop_timestamp) FUZZ_CHECK(g.apop_timestamp->size() <= g.line.size());
  }
  void on(const pop3::event::Response& r) {
    FUZZ_CHECK(r.line.size() <= limits_.max_line);
    FUZZ_CHECK(r.body.size() <= limits_.max_body_lines);
    FUZZ_CHECK(r.body_bytes <= limits_.max_body_bytes);
    for (const auto& l : r.body) FUZZ_CHECK(l.size() <= limits_.max_line);
    (void)codes::classify_pop3(r.status);
    if (r.command.verb == "CAPA") (void)pop3::parse_capa(r.body);
    if (r.command.verb == "STAT") (void)pop3::parse_stat(r.status.text);
    if (r.command.verb == "LIST" || r.command.verb == "UIDL") {
      for (const auto& l : r.body) (void)pop3::parse_scan_line(l);
      if (!r.command.argument.empty()) (void)pop3::parse_scan_line(r.status.text);
    }
  }
  void on(const pop3::event::Continuation& c) { FUZZ_CHECK(c.challenge.size() <= c.line.size()); }
  // ReadyForTls is queued as soon as the acceptance is read; bytes after it in the same read
  // then fail the engine (leftover/injection), and that error follows in the queue.
  void on(const pop3::event::ReadyForTls&) {
    FUZZ_CHECK(client_.state() == pop3::State::tls_pending || client_.state() == pop3::State::failed);
  }
  void on(const pop3::event::Closed&) {}
  void on(const pop3::event::ProtocolError& e) {
    FUZZ_CHECK(e.evidence.size() <= 256);
    FUZZ_CHECK(!e.message.empty());
  }

  /// What app/'s dialog does after the events: finish STLS, answer a challenge, send the next command.
  void act() {
    if (client_.state() == pop3::State::tls_pending) FUZZ_CHECK(client_.tls_established());
    if (client_.state() == pop3::State::sasl_challenge) {
      const auto cmd = (script_[step_ % script_.size()] & 1u) ? pop3::Command::sasl("*")
                                                              : pop3::Command::sasl("AGFsaWNlAHNlY3JldA==");
      FUZZ_CHECK(!client_.send(cmd));
      expected_output_ += cmd.text() + "\r\n";
      return;
    }
    if (client_.state() != pop3::State::ready) return;
    const auto b = script_[step_++ % script_.size()];
    const Step& s = kScript[b % kScript.size()];
    const auto cmd = pop3::Command::make(s.verb, s.argument);
    FUZZ_CHECK(!client_.send(cmd));
    expected_output_ += cmd.text() + "\r\n";
    FUZZ_CHECK(client_.state() == pop3::State::awaiting_response);
    FUZZ_CHECK(cmd.redacted().find("secret") == std::string::npos);
  }
};

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  pop3::Limits limits;
  if (in.flag()) {  // tiny limits, so the bounds are reached
    limits.max_line = in.range(1, 128);
    limits.max_body_lines = in.range(0, 16);
    limits.max_body_bytes = in.range(0, 255) * 4;
  }
  const bool eof = in.flag();
  Driver driver(in, limits);
  fuzz::Chunker chunks(in);
  while (!chunks.done()) driver.feed(chunks.next());
  if (eof) driver.eof();
  return 0;
}
