// Dovecot log lines read into Events: logins and authentication failures of the *-login
// processes, password-database refusals of auth, and LMTP/LDA final deliveries. Both the syslog
// shape ("dovecot: imap-login: Login: ...") and Dovecot's own log_path shape
// ("imap-login: Info: Login: ...") of Dovecot 2.2-2.3.

#include "readers.hpp"

#include <array>

namespace maildiag::log::detail {

namespace {

/// "Info: " / "Error: " ... after the program in Dovecot's own log.
std::string_view strip_level(std::string_view msg) {
  static constexpr std::array<std::string_view, 6> kLevels = {"Info: ", "Warning: ", "Error: ", "Fatal: ", "Panic: ",
                                                              "Debug: "};
  for (auto l : kLevels) {
    if (starts_with(msg, l)) return msg.substr(l.size());
  }
  return msg;
}

/// "imap-login" -> "imap"; "lmtp(alice)<1><s>" -> "lmtp"
std::string_view service_of(std::string_view program) {
  std::string_view s = program.substr(0, program.find('('));
  if (s.size() > 6 && s.substr(s.size() - 6) == "-login") s.remove_suffix(6);
  return s;
}

/// "lmtp(alice)<1><s>" -> "alice"; "lmtp(12345, alice)" -> "alice"
std::string_view user_of(std::string_view program) {
  const std::size_t open = program.find('(');
  const std::size_t close = program.find(')', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  std::string_view u = program.substr(open + 1, close - open - 1);
  const std::size_t comma = u.rfind(", ");
  return comma == std::string_view::npos ? u : u.substr(comma + 2);
}

void read_login_fields(std::string_view fields, Event& ev) {
  KvScanner kv(fields);
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "user") ev.user = unbracket(v);
    else if (k == "rip") ev.client = v.substr(0, v.find(','));
    else if (k == "method") ev.detail = v.substr(0, v.find(','));
  }
}

bool read_login_process(std::string_view program, std::string_view msg, Event& ev) {
  ev.stage = service_of(program);
  const std::size_t user = msg.find(": user=<");
  if (user == std::string_view::npos) return false;
  const std::string_view head = msg.substr(0, user);
  if (starts_with(msg, "Login: ")) {
    ev.kind = EventKind::login;
    read_login_fields(msg.substr(7), ev);
    return true;
  }
  if (head.find("(auth failed") == std::string_view::npos && !starts_with(head, "Login failed")) return false;
  ev.kind = EventKind::auth_failed;
  ev.text = starts_with(head, "Login failed: ") ? head.substr(14) : head;
  read_login_fields(msg.substr(user + 2), ev);
  return true;
}

/// "passwd-file(alice@mail.test,127.0.0.1,<sess>): Password mismatch"
bool read_auth_backend(std::string_view msg, Event& ev) {
  const std::size_t open = msg.find('(');
  const std::size_t close = msg.find("): ");
  if (open == std::string_view::npos || close == std::string_view::npos || open > close || open > 20) return false;
  const std::string_view text = msg.substr(close + 3);
  const bool failure = text.find("mismatch") != std::string_view::npos || text.find("unknown user") != std::string_view::npos ||
                       text.find("failed") != std::string_view::npos || text.find("failure") != std::string_view::npos;
  if (!failure) return false;
  ev.kind = EventKind::auth_failed;
  ev.stage = "backend";
  ev.text = text;
  const std::string_view args = msg.substr(open + 1, close - open - 1);
  const std::size_t c1 = args.find(',');
  ev.user = args.substr(0, c1);
  if (c1 != std::string_view::npos) {
    const std::string_view more = args.substr(c1 + 1);
    ev.client = more.substr(0, more.find(','));
  }
  return true;
}

/// "msgid=<x@y>: saved mail to INBOX" / "msgid=<x@y>: save failed to INBOX: Quota exceeded"
bool read_local_delivery(std::string_view program, std::string_view msg, Event& ev) {
  if (starts_with(msg, "sieve: ")) msg.remove_prefix(7);
  if (!starts_with(msg, "msgid=")) return false;
  const std::size_t colon = msg.find(": ", 6);
  if (colon == std::string_view::npos) return false;
  ev.kind = EventKind::delivery;
  ev.message_id = msg.substr(6, colon - 6);
  ev.to = user_of(program);
  ev.relay = service_of(program);
  ev.text = msg.substr(colon + 2);
  const bool saved = starts_with(ev.text, "saved mail to") || starts_with(ev.text, "stored mail into");
  ev.status = saved ? DeliveryStatus::sent : DeliveryStatus::other;
  return true;
}

}  // namespace

bool parse_dovecot(std::string_view program, std::string_view msg, Event& ev) {
  ev.source = Source::dovecot;
  if (program == "dovecot" || program == "dovecot-lda") {
    // syslog: "dovecot: imap-login: Login: ..."; the service is the message's first tag
    const std::size_t colon = msg.find(": ");
    const std::size_t space = msg.find(' ');
    if (colon != std::string_view::npos && colon < space) {
      program = msg.substr(0, colon);
      msg = msg.substr(colon + 2);
    }
  }
  msg = strip_level(msg);
  const std::string_view svc = service_of(program);
  if (program.size() > 6 && program.substr(program.size() - 6) == "-login") return read_login_process(program, msg, ev);
  if (svc == "auth" || svc == "auth-worker") return read_auth_backend(msg, ev);
  if (svc == "lmtp" || svc == "lda" || svc == "deliver") return read_local_delivery(program, msg, ev);
  return false;
}

}  // namespace maildiag::log::detail
