#include "maildiag/imap/client.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace maildiag::imap;
using namespace maildiag::imap::event;

namespace {

struct Step {
  std::optional<Command> send;
  std::string server;
};

std::string describe(const Event& e) {
  if (const auto* g = std::get_if<Greeting>(&e)) return "greeting " + std::string(to_string(g->response.status));
  if (const auto* u = std::get_if<Untagged>(&e)) {
    const auto& r = u->response;
    std::string s = "untagged ";
    if (r.number) s += std::to_string(*r.number) + " ";
    s += r.name;
    if (r.code) s += " [" + r.code->name + "]";
    if (!r.data.empty()) s += " data=" + std::to_string(r.data.size());
    return s;
  }
  if (const auto* c = std::get_if<Continuation>(&e)) return c->for_literal ? "continuation literal" : "continuation";
  if (const auto* c = std::get_if<Completed>(&e)) {
    std::string s = "completed " + c->command.verb + " " + c->tag + " " + std::string(to_string(c->response.status));
    if (c->response.code) s += " [" + c->response.code->name + "]";
    return s;
  }
  if (std::holds_alternative<ReadyForTls>(e)) return "tls-ready";
  if (const auto* c = std::get_if<Closed>(&e))
    return std::string("closed") + (c->clean ? " clean" : "") + (c->after_bye ? " bye" : "");
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

std::vector<std::string> run(const std::vector<Step>& steps, std::size_t cut, Limits limits, std::string* wire) {
  Client c(limits);
  std::vector<std::string> out;
  for (const auto& st : steps) {
    if (st.send) {
      if (auto err = c.send(*st.send)) out.push_back("send-refused " + err->message);
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
    if (wire != nullptr) *wire += c.take_output();
  }
  c.receive_eof();
  drain(c, out);
  return out;
}

std::vector<std::string> run_all_chunkings(const std::vector<Step>& steps, Limits limits = {},
                                           std::string* wire = nullptr) {
  const auto expected = run(steps, 0, limits, wire);
  std::size_t longest = 0;
  for (const auto& st : steps) longest = std::max(longest, st.server.size());
  for (std::size_t cut = 1; cut < longest; ++cut) {
    INFO("cut at " << cut);
    CHECK(run(steps, cut, limits, nullptr) == expected);
  }
  CHECK(run(steps, SIZE_MAX, limits, nullptr) == expected);
  return expected;
}

Command cmd(std::string_view verb, std::vector<Arg> args = {}) { return Command::make(verb, std::move(args)); }

}  // namespace

TEST_CASE("imap engine: read-only dialog in every chunking", "[imap][engine]") {
  std::string wire;
  const auto events = run_all_chunkings(
      {
          {std::nullopt, "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n"},
          {cmd("CAPABILITY"), "* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN\r\nA0001 OK Pre-login capabilities listed.\r\n"},
          {cmd("LOGIN", {Arg::string("alice@mail.test"), Arg::string("p\"w\\1", true)}),
           "A0002 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"},
          {cmd("STATUS", {Arg::string("INBOX"), Arg::raw("(MESSAGES UNSEEN)")}),
           "* STATUS INBOX (MESSAGES 3 UNSEEN 2)\r\nA0003 OK Status completed.\r\n"},
          {cmd("EXAMINE", {Arg::string("INBOX")}),
           "* FLAGS (\\Answered \\Seen)\r\n* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n* 3 EXISTS\r\n* 0 RECENT\r\n"
           "* OK [UIDVALIDITY 1700000000] UIDs valid\r\nA0004 OK [READ-ONLY] Examine completed.\r\n"},
          {cmd("FETCH", {Arg::raw("1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")}),
           "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n)\r\nA0005 OK Fetch completed.\r\n"},
          {cmd("LOGOUT"), "* BYE Logging out\r\nA0006 OK Logout completed.\r\n"},
      },
      {}, &wire);
  const std::vector<std::string> expected{
      "greeting OK",
      "untagged CAPABILITY data=4",
      "completed CAPABILITY A0001 OK",
      "completed LOGIN A0002 OK [CAPABILITY]",
      "untagged STATUS data=2",
      "completed STATUS A0003 OK",
      "untagged FLAGS data=1",
      "untagged OK [PERMANENTFLAGS]",
      "untagged 3 EXISTS",
      "untagged 0 RECENT",
      "untagged OK [UIDVALIDITY]",
      "completed EXAMINE A0004 OK [READ-ONLY]",
      "untagged 1 FETCH data=1",
      "completed FETCH A0005 OK",
      "untagged BYE",
      "completed LOGOUT A0006 OK",
      "closed clean bye",
  };
  CHECK(events == expected);
  CHECK(wire ==
        "A0001 CAPABILITY\r\nA0002 LOGIN \"alice@mail.test\" \"p\\\"w\\\\1\"\r\nA0003 STATUS \"INBOX\" (MESSAGES UNSEEN)\r\n"
        "A0004 EXAMINE \"INBOX\"\r\nA0005 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\nA0006 LOGOUT\r\n");
}

TEST_CASE("imap engine: literals in responses are framed, bounded and parsed", "[imap][engine]") {
  const std::string body = "line one\r\n* 9 EXISTS\r\nA0001 OK fake\r\n";  // looks like responses, is data
  const auto events = run_all_chunkings({
      {std::nullopt, "* OK hi\r\n"},
      {cmd("FETCH", {Arg::raw("1 BODY[]")}),
       "* 1 FETCH (BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + " FLAGS (\\Seen))\r\nA0001 OK done\r\n"},
  });
  CHECK(events == std::vector<std::string>{"greeting OK", "untagged 1 FETCH data=1", "completed FETCH A0001 OK", "closed"});

  Limits small;
  small.max_literal = 10;
  const auto big = run_all_chunkings({{std::nullopt, "* OK hi\r\n"},
                                      {cmd("FETCH", {Arg::raw("1 BODY[]")}), "* 1 FETCH (BODY[] {11}\r\n"}},
                                     small);
  CHECK(big == std::vector<std::string>{"greeting OK", "error literal-too-large", "closed"});

  small = Limits{};
  small.max_response = 64;
  const auto many = run_all_chunkings(
      {{std::nullopt, "* OK hi\r\n"},
       {cmd("FETCH", {Arg::raw("1:* BODY[]")}), "* 1 FETCH (A {20}\r\n01234567890123456789 B {20}\r\n01234567890123456789 C {20}\r\n"}},
      small);
  CHECK(many == std::vector<std::string>{"greeting OK", "error response-too-large", "closed"});
}

TEST_CASE("imap engine: synchronizing literal waits for the continuation", "[imap][engine]") {
  Client c;
  c.receive("* OK [CAPABILITY IMAP4rev1] hi\r\n");
  (void)c.next_event();
  REQUIRE_FALSE(c.send(cmd("LOGIN", {Arg::string("alice"), Arg::string("pässword", true)})));
  CHECK(c.take_output() == "A0001 LOGIN \"alice\" {9}\r\n");
  c.receive("+ OK\r\n");
  auto e = c.next_event();
  REQUIRE(std::holds_alternative<Continuation>(e));
  CHECK(std::get<Continuation>(e).for_literal);
  CHECK(c.take_output() == "pässword\r\n");
  CHECK(Command::make("LOGIN", {Arg::string("alice"), Arg::string("pässword", true)}).redacted("A0001") ==
        "A0001 LOGIN \"alice\" \"********\"");
  c.receive("A0001 OK Logged in\r\n");
  CHECK(std::holds_alternative<Completed>(c.next_event()));
  CHECK(c.authenticated());
}

TEST_CASE("imap engine: LITERAL+ sends non-synchronizing literals at once", "[imap][engine]") {
  Client c;
  c.receive("* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
  (void)c.next_event();
  REQUIRE_FALSE(c.send(cmd("LOGIN", {Arg::string("alice"), Arg::string("a\r\nb", true)})));
  CHECK(c.take_output() == "A0001 LOGIN \"alice\" {4+}\r\na\r\nb\r\n");
  CHECK(c.send(cmd("LOGIN", {Arg::string("x")})));  // busy
  CHECK(c.send(cmd("NOOP", {Arg::raw("x\r\nA2 DELETE INBOX")})));  // injection refused (state unchanged)
}

TEST_CASE("imap engine: AUTHENTICATE with a continuation", "[imap][engine]") {
  const auto events = run_all_chunkings({
      {std::nullopt, "* OK hi\r\n"},
      {cmd("AUTHENTICATE", {Arg::atom("PLAIN")}), "+ \r\n"},
      {Command::continuation_line("AGFsaWNlAHB3"), "A0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
  });
  CHECK(events == std::vector<std::string>{"greeting OK", "continuation", "completed AUTHENTICATE A0001 NO [AUTHENTICATIONFAILED]",
                                           "closed"});
  CHECK(Command::continuation_line("AGFsaWNlAHB3").redacted("") == "********");
}

TEST_CASE("imap engine: STARTTLS and the leftover check", "[imap][engine]") {
  const auto clean = run_all_chunkings({{std::nullopt, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n"},
                                        {cmd("STARTTLS"), "A0001 OK Begin TLS negotiation now.\r\n"}});
  CHECK(clean == std::vector<std::string>{"greeting OK", "completed STARTTLS A0001 OK", "tls-ready", "closed"});
  const auto injected = run_all_chunkings({{std::nullopt, "* OK hi\r\n"},
                                           {cmd("STARTTLS"), "A0001 OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1] x\r\n"}});
  CHECK(injected == std::vector<std::string>{"greeting OK", "completed STARTTLS A0001 OK", "tls-ready",
                                             "error starttls-leftover", "closed"});
  Client c;
  c.receive("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
  (void)c.next_event();
  CHECK(c.capabilities().has("STARTTLS"));
  REQUIRE_FALSE(c.send(cmd("STARTTLS")));
  c.receive("A0001 OK go\r\n");
  (void)c.next_event();
  CHECK(std::holds_alternative<ReadyForTls>(c.next_event()));
  REQUIRE(c.tls_established());
  CHECK(c.tls());
  CHECK(c.capabilities().empty());
}

TEST_CASE("imap engine: hostile servers", "[imap][engine]") {
  SECTION("garbage greeting") {
    const auto ev = run_all_chunkings({{std::nullopt, std::string("\0\1HTTP/1.1 400 garbage\r\n", 24)}});
    CHECK(ev == std::vector<std::string>{"error nul-byte", "closed"});
    const auto ev2 = run_all_chunkings({{std::nullopt, "HTTP/1.1 400 Bad Request\r\n"}});
    CHECK(ev2 == std::vector<std::string>{"error bad-greeting", "closed"});
  }
  SECTION("BYE greeting") {
    const auto ev = run_all_chunkings({{std::nullopt, "* BYE Too many connections\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting BYE", "closed bye"});
  }
  SECTION("PREAUTH greeting") {
    Client c;
    c.receive("* PREAUTH ready\r\n");
    CHECK(c.authenticated());
  }
  SECTION("unknown tag") {
    const auto ev = run_all_chunkings({{std::nullopt, "* OK hi\r\n"}, {cmd("NOOP"), "B7 OK wrong tag\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting OK", "error unknown-tag", "closed"});
  }
  SECTION("unexpected continuation") {
    const auto ev = run_all_chunkings({{std::nullopt, "* OK hi\r\n+ nothing asked\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting OK", "error unexpected-continuation", "closed"});
  }
  SECTION("unsolicited untagged data is fine") {
    const auto ev = run_all_chunkings({{std::nullopt, "* OK hi\r\n* 4 EXISTS\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting OK", "untagged 4 EXISTS", "closed"});
  }
  SECTION("closed mid-command") {
    const auto ev = run_all_chunkings({{std::nullopt, "* OK hi\r\n"}, {cmd("NOOP"), "* 1 EXI"}});
    CHECK(ev == std::vector<std::string>{"greeting OK", "error eof-mid-response", "closed"});
  }
  SECTION("BYE then close mid-command is announced, not an error") {
    const auto ev = run_all_chunkings({{std::nullopt, "* OK hi\r\n"}, {cmd("NOOP"), "* BYE shutting down\r\n"}});
    CHECK(ev == std::vector<std::string>{"greeting OK", "untagged BYE", "closed bye"});
  }
  SECTION("endless untagged data") {
    Limits small;
    small.max_untagged = 5;
    std::string flood;
    for (int i = 0; i < 10; ++i) flood += "* " + std::to_string(i) + " EXISTS\r\n";
    const auto ev = run_all_chunkings({{std::nullopt, "* OK hi\r\n"}, {cmd("NOOP"), flood}}, small);
    CHECK(ev == std::vector<std::string>{"greeting OK", "untagged 0 EXISTS", "untagged 1 EXISTS", "untagged 2 EXISTS",
                                         "untagged 3 EXISTS", "untagged 4 EXISTS", "error too-many-responses",
                                         "closed"});
  }
  SECTION("long line") {
    Limits small;
    small.max_line = 20;
    const auto ev = run_all_chunkings({{std::nullopt, "* OK " + std::string(30, 'x') + "\r\n"}}, small);
    CHECK(ev == std::vector<std::string>{"error line-too-long", "closed"});
  }
}

TEST_CASE("imap engine: send rules", "[imap][engine]") {
  Client c;
  std::vector<std::string> trace;
  c.set_trace([&](std::string_view s) { trace.emplace_back(s); });
  CHECK(c.send(cmd("NOOP")));  // before the greeting
  c.receive("* OK hi\r\n");
  CHECK(c.send(Command::continuation_line("x")));  // nothing pending
  CHECK(c.send(cmd("")));
  REQUIRE_FALSE(c.send(cmd("NOOP")));
  CHECK(c.last_tag() == "A0001");
  CHECK(c.send(cmd("NOOP")));
  c.receive("A0001 OK\r\n");
  REQUIRE_FALSE(c.send(cmd("NOOP")));
  CHECK(c.last_tag() == "A0002");
  CHECK(trace.front() == "imap: awaiting-greeting -> ready");
  CHECK(parse_command_line("login alice \"se cret\"")->redacted("A1") == "A1 LOGIN \"alice\" \"********\"");
  CHECK(parse_command_line("login alice")->redacted("A1") == "A1 LOGIN ********");
  CHECK(parse_command_line("authenticate plain AGFsaWNl")->redacted("A1") == "A1 AUTHENTICATE plain ********");
  CHECK(parse_command_line("examine inbox")->redacted("A1") == "A1 EXAMINE inbox");
}
