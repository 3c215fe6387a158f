#include "maildiag/imap/classify.hpp"
#include "maildiag/imap/mailbox.hpp"
#include "maildiag/imap/response.hpp"

#include <catch2/catch.hpp>

using namespace maildiag::imap;
using maildiag::codes::Outcome;
using maildiag::codes::Reason;

TEST_CASE("parse_response: status responses with codes", "[imap][response]") {
  auto g = parse_response("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.");
  REQUIRE(g);
  CHECK(g->kind == Kind::untagged);
  CHECK(g->status == Status::ok);
  REQUIRE(g->code);
  CHECK(g->code->name == "CAPABILITY");
  CHECK(g->code->args == "IMAP4rev1 STARTTLS AUTH=PLAIN");
  CHECK(g->text == "Dovecot ready.");

  auto t = parse_response("A0002 no [AUTHENTICATIONFAILED] Authentication failed.");
  REQUIRE(t);
  CHECK(t->kind == Kind::tagged);
  CHECK(t->tag == "A0002");
  CHECK(t->status == Status::no);
  CHECK(t->code->name == "AUTHENTICATIONFAILED");
  CHECK(t->code->args.empty());

  auto bare = parse_response("* OK");
  REQUIRE(bare);
  CHECK(bare->status == Status::ok);
  CHECK(bare->text.empty());

  auto c = parse_response("+ ");
  REQUIRE(c);
  CHECK(c->kind == Kind::continuation);
  auto c2 = parse_response("+ [ALERT] go ahead");
  CHECK(c2->code->name == "ALERT");
  CHECK(c2->text == "go ahead");
}

TEST_CASE("parse_response: data responses, numbers, lists, strings and literals", "[imap][response]") {
  auto e = parse_response("* 23 EXISTS");
  REQUIRE(e);
  CHECK(e->number == 23u);
  CHECK(e->name == "EXISTS");

  auto s = parse_response("* STATUS \"INBOX\" (MESSAGES 2 UNSEEN 1)");
  REQUIRE(s);
  CHECK(s->name == "STATUS");
  REQUIRE(s->data.size() == 2);
  CHECK(s->data[0].type == Value::Type::string);
  CHECK(s->data[0].text == "INBOX");
  CHECK(s->data[1].items.size() == 4);

  auto lit = parse_response("* STATUS {9}\r\nIN\"BOX)(\\ (MESSAGES 5 UNSEEN 0)");
  REQUIRE(lit);
  REQUIRE(lit->data.size() == 2);
  CHECK(lit->data[0].text == "IN\"BOX)(\\");
  CHECK(lit->data[1].items[1].number() == 5u);
  CHECK_FALSE(lit->data_truncated);

  auto q = parse_response(R"(* LIST (\HasNoChildren) "/" "a \"quoted\\ name")");
  REQUIRE(q);
  CHECK(q->data.size() == 3);
  CHECK(q->data[0].items[0].text == "\\HasNoChildren");
  CHECK(q->data[2].text == "a \"quoted\\ name");

  auto nil = parse_response("* LIST () NIL INBOX");
  REQUIRE(nil);
  CHECK(nil->data[1].type == Value::Type::nil);

  auto bin = parse_response(std::string_view("* 1 FETCH (BINARY[] ~{3}\r\na\0b)", 30));
  REQUIRE(bin);
  CHECK_FALSE(bin->data_truncated);
}

TEST_CASE("parse_response: malformed input", "[imap][response]") {
  std::string err;
  CHECK_FALSE(parse_response("", &err));
  CHECK_FALSE(parse_response("*", &err));
  CHECK(err == "no space after the tag");
  CHECK_FALSE(parse_response("A1 FETCH done", &err));
  CHECK(err == "a tagged response must be OK, NO or BAD, not \"FETCH\"");
  CHECK_FALSE(parse_response(" OK", &err));
  auto trunc = parse_response("* LIST (unclosed");
  REQUIRE(trunc);
  CHECK(trunc->data_truncated);
  auto deep = parse_response("* X " + std::string(100, '(') + std::string(100, ')'));
  REQUIRE(deep);
  CHECK(deep->data_truncated);  // nesting limit
  auto badlit = parse_response("* X {99}\r\nshort");
  REQUIRE(badlit);
  CHECK(badlit->data_truncated);
}

TEST_CASE("literal_announced", "[imap][response]") {
  CHECK(literal_announced("* 1 FETCH (BODY[] {42}") == 42u);
  CHECK(literal_announced("A1 LOGIN {5+}") == 5u);
  CHECK(literal_announced("* 1 FETCH (BINARY[] ~{0}") == 0u);
  CHECK_FALSE(literal_announced("* OK {x}"));
  CHECK_FALSE(literal_announced("* OK {}"));
  CHECK_FALSE(literal_announced("* OK done"));
  CHECK_FALSE(literal_announced("* OK {99999999999999999999}"));
}

TEST_CASE("capabilities, mailbox info and status", "[imap][mailbox]") {
  auto caps = parse_capabilities("IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN auth=login");
  CHECK(caps.has("imap4rev1"));
  CHECK(caps.has("STARTTLS"));
  CHECK_FALSE(caps.has("LOGINDISABLED"));
  CHECK(caps.auth_mechanisms() == std::vector<std::string>{"PLAIN", "LOGIN"});
  CHECK(caps.has_auth("plain"));

  MailboxInfo info;
  for (const char* line : {"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                           "* OK [PERMANENTFLAGS ()] Read-only mailbox.", "* 3 EXISTS", "* 1 RECENT",
                           "* OK [UNSEEN 2] First unseen.", "* OK [UIDVALIDITY 1700000000] UIDs valid",
                           "* OK [UIDNEXT 4] Predicted next UID", "A0004 OK [READ-ONLY] Examine completed (0.001 secs)."}) {
    auto r = parse_response(line);
    REQUIRE(r);
    apply(info, *r);
  }
  CHECK(info.exists == 3u);
  CHECK(info.recent == 1u);
  CHECK(info.first_unseen == 2u);
  CHECK(info.uidvalidity == 1700000000u);
  CHECK(info.uidnext == 4u);
  CHECK(info.flags.size() == 5);
  CHECK(info.permanent_flags.empty());
  CHECK(info.read_only);
  CHECK_FALSE(info.read_write);

  auto st = status_of(*parse_response("* STATUS INBOX (MESSAGES 3 UNSEEN 2 RECENT 1)"));
  REQUIRE(st);
  CHECK(st->mailbox == "INBOX");
  CHECK(st->messages == 3u);
  CHECK(st->unseen == 2u);
  CHECK(st->recent == 1u);
  CHECK_FALSE(status_of(*parse_response("* STATUS INBOX MESSAGES")));
}

TEST_CASE("imap classify: RFC 5530 codes and text", "[imap][classify]") {
  auto c = classify(*parse_response("A1 NO [AUTHENTICATIONFAILED] Authentication failed."), "LOGIN");
  CHECK(c.outcome == Outcome::permanent);
  CHECK(c.reason == Reason::auth_failed);
  CHECK(c.reason_evidence == "[AUTHENTICATIONFAILED]");

  auto u = classify(*parse_response("A1 NO [UNAVAILABLE] Temporary authentication failure."), "LOGIN");
  CHECK(u.outcome == Outcome::transient);
  CHECK(u.reason == Reason::system_error);

  auto p = classify(*parse_response("A1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed."), "LOGIN");
  CHECK(p.reason == Reason::tls_required);

  auto inuse = classify(*parse_response("A1 NO [INUSE] Mailbox in use"), "EXAMINE");
  CHECK(inuse.outcome == Outcome::transient);

  auto plain = classify(*parse_response("A1 NO Login failed"), "LOGIN");
  CHECK(plain.reason == Reason::auth_failed);
  CHECK(plain.outcome == Outcome::permanent);

  auto alert = classify(*parse_response("A1 NO [ALERT] Plaintext authentication not allowed without SSL/TLS"), "LOGIN");
  CHECK(alert.reason == Reason::tls_required);
  CHECK(alert.notes.size() == 1);

  auto bad = classify(*parse_response("A1 BAD Error in IMAP command: Unknown command."), "XYZZY");
  CHECK(bad.reason == Reason::syntax_error);

  auto ok = classify(*parse_response("A1 OK Logged in"), "LOGIN");
  CHECK(ok.outcome == Outcome::success);

  auto bye = classify(*parse_response("* BYE Too many connections"));
  CHECK(bye.outcome == Outcome::transient);
  CHECK(lookup_code("overquota")->reason == Reason::mailbox_full);
  CHECK(lookup_code("NOPE") == nullptr);
}
