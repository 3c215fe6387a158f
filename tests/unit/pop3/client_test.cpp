#include "maildiag/pop3/client.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace maildiag::pop3;
using namespace maildiag::pop3::event;

namespace {

// One dialog step: the client sends `send` (if any), then the server answers `server`.
struct Step {
  std::string send;    // a command line as typed ("LIST"); empty: send nothing
  std::string server;  // bytes from the server
};

std::string describe(const Event& e) {
  if (const auto* g = std::get_if<Greeting>(&e))
    return std::string("greeting ") + (g->status.ok ? "+OK" : "-ERR") + (g->apop_timestamp ? " stamp=" + *g->apop_timestamp : "");
  if (const auto* r = std::get_if<Response>(&e)) {
    std::string s = "response " + r->command.verb + (r->status.ok ? " +OK" : " -ERR");
    if (r->status.resp_code) s += " [" + *r->status.resp_code + "]";
    if (!r->body.empty()) {
      s += " body=";
      for (const auto& l : r->body) s += l + "|";
    }
    return s;
  }
  if (const auto* c = std::get_if<Continuation>(&e)) return "continuation " + c->challenge;
  if (std::holds_alternative<ReadyForTls>(e)) return "tls-ready";
  if (const auto* c = std::get_if<Closed>(&e)) return c->clean ? "closed expected" : "closed";
  if (const auto* p = std::get_if<ProtocolError>(&e)) return "error " + std::string(to_string(p->kind));
  return "need-data";
}

void drain(Client& c, std::vector<std::string>& out) {
  for (;;) {
    auto e = c.next_event();
    if (std::holds_alternative<NeedData>(e)) return;
    out.push_back(describe(e));
  }
}

// Runs the steps, delivering each server chunk split at `cut` (0 = whole, SIZE_MAX = byte by byte).
std::vector<std::string> run(const std::vector<Step>& steps, std::size_t cut, Client& c, bool eof = true,
                             std::string* wire = nullptr) {
  std::vector<std::string> out;
  for (const auto& st : steps) {
    if (!st.send.empty()) {
      const auto cmd = parse_command_line(st.send);
      if (c.send(*cmd)) out.push_back("send-refused " + st.send);
      const auto bytes = c.take_output();
      if (wire != nullptr) *wire += bytes;
    }
    const std::string_view s = st.server;
    if (cut == SIZE_MAX) {
      for (char ch : s) {
        c.receive(std::string_view(&ch, 1));
        drain(c, out);
      }
    } else if (cut == 0 || cut >= s.size()) {
      c.receive(s);
    } else {
      c.receive(s.substr(0, cut));
      drain(c, out);
      c.receive(s.substr(cut));
    }
    drain(c, out);
  }
  if (eof) c.receive_eof();
  drain(c, out);
  return out;
}

// Checks that every chunking of every server answer yields the same events.
std::vector<std::string> run_all_chunkings(const std::vector<Step>& steps, Limits limits = {}) {
  Client whole(limits);
  const auto expected = run(steps, 0, whole);
  std::size_t longest = 0;
  for (const auto& st : steps) longest = std::max(longest, st.server.size());
  for (std::size_t cut = 1; cut < longest; ++cut) {
    Client c(limits);
    INFO("cut at " << cut);
    CHECK(run(steps, cut, c) == expected);
  }
  Client bytewise(limits);
  CHECK(run(steps, SIZE_MAX, bytewise) == expected);
  return expected;
}

}  // namespace

TEST_CASE("pop3 engine: full read-only dialog in every chunking", "[pop3][engine]") {
  const std::vector<Step> steps{
      {"", "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"},
      {"CAPA", "+OK Capability list follows\r\nTOP\r\nUIDL\r\nSASL PLAIN\r\nRESP-CODES\r\n.\r\n"},
      {"USER alice", "+OK\r\n"},
      {"PASS secret", "+OK Logged in.\r\n"},
      {"STAT", "+OK 2 320\r\n"},
      {"LIST", "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"},
      {"LIST 1", "+OK 1 120\r\n"},
      {"UIDL", "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"},
      {"TOP 1 0", "+OK\r\nSubject: hi\r\n..hidden dot\r\n\r\n.\r\n"},
      {"RETR 2", "+OK 200 octets\nFrom: a@b\n\nbody\n.\n"},  // bare LF framing is tolerated
      {"QUIT", "+OK Bye\r\n"},
  };
  const auto events = run_all_chunkings(steps);
  const std::vector<std::string> expected{
      "greeting +OK stamp=<1896.697170952@dbc.mtview.ca.us>",
      "response CAPA +OK body=TOP|UIDL|SASL PLAIN|RESP-CODES|",
      "response USER +OK",
      "response PASS +OK",
      "response STAT +OK",
      "response LIST +OK body=1 120|2 200|",
      "response LIST +OK",
      "response UIDL +OK body=1 whqtswO00WBw418f9t5JxYwZ|2 QhdPYR:00WBw1Ph7x7|",
      "response TOP +OK body=Subject: hi|.hidden dot||",
      "response RETR +OK body=From: a@b||body|",
      "response QUIT +OK",
      "closed expected",
  };
  CHECK(events == expected);
}

TEST_CASE("pop3 engine: writes commands with CRLF and tracks authentication", "[pop3][engine]") {
  Client c;
  std::vector<std::string> trace;
  c.set_trace([&](std::string_view s) { trace.emplace_back(s); });
  CHECK(c.send(Command::make("CAPA")));  // before the greeting
  c.receive("+OK ready\r\n");
  CHECK(std::holds_alternative<Greeting>(c.next_event()));
  REQUIRE_FALSE(c.send(Command::make("USER", "alice")));
  CHECK(c.send(Command::make("PASS", "x")));  // one in flight
  CHECK(c.take_output() == "USER alice\r\n");
  c.receive("+OK\r\n");
  (void)c.next_event();
  CHECK_FALSE(c.authenticated());
  REQUIRE_FALSE(c.send(Command::make("PASS", "pw")));
  c.receive("+OK in\r\n");
  (void)c.next_event();
  CHECK(c.authenticated());
  CHECK(trace.front() == "pop3: awaiting-greeting -> ready");
  CHECK(c.send(Command::make("LIST", "1\r\nDELE 1")));  // no injection
  CHECK(c.send(Command::make("NO OP")));
  CHECK(c.send(Command::sasl("abc")));  // no challenge pending
  CHECK(c.take_output() == "PASS pw\r\n");
}

TEST_CASE("pop3 engine: -ERR replies keep their response codes and are single-line", "[pop3][engine]") {
  const auto events = run_all_chunkings({
      {"", "+OK hi\r\n"},
      {"USER alice", "+OK\r\n"},
      {"PASS bad", "-ERR [AUTH] Authentication failed.\r\n"},
      {"LIST", "-ERR not logged in\r\n"},
      {"PASS x", "-ERR [IN-USE] mailbox locked\r\n"},
  });
  CHECK(events == std::vector<std::string>{"greeting +OK", "response USER +OK", "response PASS -ERR [AUTH]",
                                           "response LIST -ERR", "response PASS -ERR [IN-USE]", "closed"});
}

TEST_CASE("pop3 engine: AUTH PLAIN with continuation and cancellation", "[pop3][engine]") {
  Client c;
  c.receive("+OK hi\r\n");
  (void)c.next_event();
  REQUIRE_FALSE(c.send(Command::make("AUTH", "PLAIN")));
  CHECK(Command::make("AUTH", "PLAIN AGFsaWNlAHB3").redacted() == "AUTH PLAIN ********");
  c.receive("+ \r\n");
  auto e = c.next_event();
  REQUIRE(std::holds_alternative<Continuation>(e));
  CHECK(c.state() == State::sasl_challenge);
  CHECK(c.send(Command::make("NOOP")));
  REQUIRE_FALSE(c.send(Command::sasl("AGFsaWNlAHB3")));
  CHECK(Command::sasl("AGFsaWNlAHB3").redacted() == "********");
  c.receive("+OK Logged in.\r\n");
  e = c.next_event();
  REQUIRE(std::holds_alternative<Response>(e));
  CHECK(std::get<Response>(e).command.verb == "AUTH");
  CHECK(c.authenticated());
  CHECK(c.take_output() == "AUTH PLAIN\r\nAGFsaWNlAHB3\r\n");
}

TEST_CASE("pop3 engine: redaction of secrets", "[pop3][engine]") {
  CHECK(Command::make("PASS", "hunter2").redacted() == "PASS ********");
  CHECK(Command::make("APOP", "alice c4c9334bac560ecc979e58001b3e22fb").redacted() == "APOP alice ********");
  CHECK(Command::make("USER", "alice").redacted() == "USER alice");
  CHECK(Command::make("AUTH").redacted() == "AUTH");
  CHECK(parse_command_line("  pass  hunter2 \r\n")->redacted() == "PASS ********");
  CHECK_FALSE(parse_command_line("   "));
}

TEST_CASE("pop3 engine: multi-line shape table", "[pop3][engine]") {
  CHECK(Command::make("LIST").multiline());
  CHECK_FALSE(Command::make("LIST", "1").multiline());
  CHECK(Command::make("UIDL").multiline());
  CHECK_FALSE(Command::make("UIDL", "3").multiline());
  CHECK(Command::make("CAPA").multiline());
  CHECK(Command::make("TOP", "1 0").multiline());
  CHECK(Command::make("RETR", "1").multiline());
  CHECK(Command::make("AUTH").multiline());
  CHECK_FALSE(Command::make("AUTH", "PLAIN").multiline());
  CHECK_FALSE(Command::make("STAT").multiline());
  CHECK_FALSE(Command::make("XFOO").multiline());
  CHECK(Command::make("list").multiline());
}

TEST_CASE("pop3 engine: STLS leftover bytes are a finding, never TLS input", "[pop3][engine]") {
  SECTION("clean STLS") {
    const auto events = run_all_chunkings({{"", "+OK hi\r\n"}, {"STLS", "+OK Begin TLS negotiation now.\r\n"}});
    CHECK(events == std::vector<std::string>{"greeting +OK", "response STLS +OK", "tls-ready", "closed"});
  }
  SECTION("injected command after +OK, in any chunking") {
    const auto events =
        run_all_chunkings({{"", "+OK hi\r\n"}, {"STLS", "+OK Begin TLS\r\n+OK injected\r\n"}});
    CHECK(events == std::vector<std::string>{"greeting +OK", "response STLS +OK", "tls-ready", "error stls-leftover",
                                             "closed"});
  }
  SECTION("after the handshake the dialog restarts") {
    Client c;
    c.receive("+OK hi\r\n");
    (void)c.next_event();
    REQUIRE_FALSE(c.send(Command::make("STLS")));
    c.receive("+OK go\r\n");
    CHECK(std::holds_alternative<Response>(c.next_event()));
    CHECK(std::holds_alternative<ReadyForTls>(c.next_event()));
    CHECK(c.send(Command::make("CAPA")));
    REQUIRE(c.tls_established());
    CHECK_FALSE(c.tls_established());
    CHECK_FALSE(c.send(Command::make("CAPA")));
  }
}

TEST_CASE("pop3 engine: hostile servers end in a protocol error", "[pop3][engine]") {
  SECTION("garbage greeting") {
    const auto ev = run_all_chunkings({{"", "HTTP/1.1 400 Bad Request\r\n"}});
    CHECK(ev == std::vector<std::string>{"error bad-status", "closed"});
  }
  SECTION("-ERR greeting is a greeting") {
    const auto ev = run_all_chunkings({{"", "-ERR [SYS/TEMP] unavailable\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting -ERR", "closed"});
  }
  SECTION("unsolicited data") {
    const auto ev = run_all_chunkings({{"", "+OK hi\r\n+OK extra\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting +OK", "error unexpected-data", "closed"});
  }
  SECTION("NUL in a status line") {
    const auto ev = run_all_chunkings({{"", std::string("+OK h\0i\r\n", 9)}});
    CHECK(ev == std::vector<std::string>{"error nul-byte", "closed"});
  }
  SECTION("EOF in the middle of a body") {
    const auto ev = run_all_chunkings({{"", "+OK hi\r\n"}, {"LIST", "+OK\r\n1 100\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting +OK", "error eof-mid-response", "closed"});
  }
  SECTION("EOF before the greeting") {
    const auto ev = run_all_chunkings({{"", "+OK never end"}});
    CHECK(ev == std::vector<std::string>{"error eof-mid-response", "closed"});
  }
  SECTION("reply of a bad status") {
    const auto ev = run_all_chunkings({{"", "+OK hi\r\n"}, {"NOOP", "250 ok\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting +OK", "error bad-status", "closed"});
  }
}

TEST_CASE("pop3 engine: limits bound memory", "[pop3][engine]") {
  Limits small;
  small.max_line = 16;
  small.max_body_lines = 3;
  small.max_body_bytes = 100;
  SECTION("long line without LF") {
    Client c(small);
    c.receive(std::string(18, 'x'));  // max_line + CR allowance + 1
    auto e = c.next_event();
    REQUIRE(std::holds_alternative<ProtocolError>(e));
    CHECK(std::get<ProtocolError>(e).kind == ErrorKind::line_too_long);
    CHECK(c.state() == State::failed);
    c.receive(std::string(1 << 20, 'y'));  // ignored after failure
    CHECK(std::holds_alternative<NeedData>(c.next_event()));
  }
  SECTION("long line in pieces") {
    const auto ev = run_all_chunkings({{"", "+OK " + std::string(20, 'a') + "\r\n"}}, small);
    CHECK(ev == std::vector<std::string>{"error line-too-long", "closed"});
  }
  SECTION("exactly at the limit is fine") {
    const auto ev = run_all_chunkings({{"", "+OK " + std::string(12, 'a') + "\r\n"}}, small);
    CHECK(ev == std::vector<std::string>{"greeting +OK", "closed"});
  }
  SECTION("endless LIST") {
    std::string body = "+OK\r\n";
    for (int i = 1; i < 50; ++i) body += std::to_string(i) + " 100\r\n";
    const auto ev = run_all_chunkings({{"", "+OK hi\r\n"}, {"LIST", body}}, small);
    CHECK(ev == std::vector<std::string>{"greeting +OK", "error body-too-long", "closed"});
  }
  SECTION("body byte limit") {
    small.max_body_lines = 1000;
    const auto ev =
        run_all_chunkings({{"", "+OK hi\r\n"}, {"RETR 1", "+OK\r\n" + std::string(15, 'b') + "\r\n" +
                                                              std::string(15, 'b') + "\r\n" + std::string(15, 'b') +
                                                              "\r\n" + std::string(15, 'b') + "\r\n" +
                                                              std::string(15, 'b') + "\r\n" + std::string(15, 'b') +
                                                              "\r\n.\r\n"}},
                          small);
    CHECK(ev == std::vector<std::string>{"greeting +OK", "error body-too-long", "closed"});
  }
}
