// Sendmail (sm-mta) log lines read into Events: from=/to= lines, ruleset rejects, AUTH and
// STARTTLS lines, DSN creation. Formats of sendmail 8.14-8.18 (sendmail/savemail.c, deliver.c).

#include "readers.hpp"

namespace maildiag::log::detail {

namespace {

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/// "2ANA00ab012345: rest" (8.12+ ids are 14 characters) or "NOQUEUE: rest".
bool id_prefix(std::string_view msg, std::string_view& id, std::string_view& rest) {
  const std::size_t colon = msg.find(": ");
  if (colon == std::string_view::npos || colon < 6 || colon > 20) return false;
  const std::string_view tok = msg.substr(0, colon);
  if (tok == "NOQUEUE") {
    id = {};
  } else {
    for (char c : tok) {
      if (!is_alnum(c)) return false;
    }
    id = tok;
  }
  rest = msg.substr(colon + 2);
  return true;
}

std::string_view address_list(std::string_view v) {
  return v.find(">,") == std::string_view::npos ? unbracket(v) : v;
}

void read_from(std::string_view rest, Event& ev) {
  ev.kind = EventKind::received;
  KvScanner kv(rest);
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "from") ev.from = unbracket(v);
    else if (k == "size") ev.size = v;
    else if (k == "nrcpts") ev.nrcpt = v;
    else if (k == "msgid") ev.message_id = v;
    else if (k == "relay") ev.client = v;
    else if (k == "auth") ev.stage = v;
    else if (k == "proto") ev.detail = v;
  }
}

void read_to(std::string_view rest, Event& ev) {
  ev.kind = EventKind::delivery;
  KvScanner kv(rest);
  std::string_view k;
  std::string_view v;
  std::string_view stat;
  while (kv.next(k, v)) {
    if (k == "to") ev.to = address_list(v);
    else if (k == "delay") ev.delay = v;
    else if (k == "relay") ev.relay = v;
    else if (k == "mailer") ev.detail = v;
    else if (k == "dsn") ev.dsn = v;
    else if (k == "stat") {
      stat = kv.take_rest();
      break;
    }
  }
  // stat=Sent (text) | Deferred: reason | Deferred | User unknown | Service unavailable
  if (starts_with(stat, "Sent")) {
    ev.status = DeliveryStatus::sent;
    ev.text = split_status(stat).text;
  } else if (starts_with(stat, "Deferred")) {
    ev.status = DeliveryStatus::deferred;
    ev.text = starts_with(stat, "Deferred: ") ? stat.substr(10) : stat;
  } else {
    ev.text = stat;
    ev.status = starts_with(ev.dsn, "4") ? DeliveryStatus::deferred
                : starts_with(ev.dsn, "2") ? DeliveryStatus::sent
                                           : DeliveryStatus::bounced;
  }
  ev.related = queued_as(ev.text);
}

/// "ruleset=check_rcpt, arg1=<x@y>, relay=host [1.2.3.4], reject=550 5.7.1 <x@y>... Relaying denied"
void read_ruleset(std::string_view rest, Event& ev) {
  ev.kind = EventKind::reject;
  KvScanner kv(rest);
  std::string_view k;
  std::string_view v;
  std::string_view ruleset;
  std::string_view arg1;
  while (kv.next(k, v)) {
    if (k == "ruleset") ruleset = v;
    else if (k == "arg1") arg1 = unbracket(v);
    else if (k == "relay") ev.client = v;
    else if (k == "reject" || k == "discard") {
      ev.text = kv.take_rest();
      break;
    }
  }
  if (ruleset == "check_rcpt") {
    ev.stage = "RCPT";
    ev.to = arg1;
  } else if (ruleset == "check_mail") {
    ev.stage = "MAIL";
    ev.from = arg1;
  } else if (ruleset == "check_relay") {
    ev.stage = "CONNECT";
  } else {
    ev.stage = ruleset;
  }
}

/// "AUTH failure (LOGIN): authentication failure (-13) SASL(-13): ...: checkpass failed, user=alice, relay=h [1.2.3.4]"
void read_auth_failure(std::string_view msg, Event& ev) {
  ev.kind = EventKind::auth_failed;
  const std::size_t open = msg.find('(');
  const std::size_t close = msg.find(')', open == std::string_view::npos ? 0 : open);
  if (open != std::string_view::npos && close != std::string_view::npos) ev.stage = msg.substr(open + 1, close - open - 1);
  std::string_view text = close == std::string_view::npos ? msg : msg.substr(close + 1);
  if (starts_with(text, ": ")) text.remove_prefix(2);
  const std::size_t user = text.find(", user=");
  const std::size_t relay = text.find(", relay=");
  const std::size_t cut = std::min(user, relay);
  if (relay != std::string_view::npos) ev.client = text.substr(relay + 8);
  if (user != std::string_view::npos) {
    const std::size_t end = relay == std::string_view::npos || relay < user ? std::string_view::npos : relay - user - 7;
    ev.user = text.substr(user + 7, end);
  }
  ev.text = text.substr(0, cut);
}

/// "STARTTLS=server, relay=host [1.2.3.4], version=TLSv1.3, verify=NO, cipher=..., bits=256/256"
/// and "STARTTLS=server, error: accept failed=-1, reason=..., relay=..."
void read_starttls(std::string_view msg, Event& ev) {
  const bool server = starts_with(msg, "STARTTLS=server");
  const bool error = msg.find(", error:") != std::string_view::npos;
  ev.kind = error ? EventKind::tls_failed : EventKind::tls;
  const std::size_t comma = msg.find(", ");
  std::string_view rest = comma == std::string_view::npos ? std::string_view{} : msg.substr(comma + 2);
  if (error) {
    ev.text = rest;
    ev.stage = server ? "accept" : "connect";
  }
  // After "error:" the reason text runs on; only the fields from "relay=" on are key=value.
  std::size_t fields = 0;
  if (error) fields = std::min(rest.find("relay="), rest.size());
  KvScanner kv(rest.substr(fields));
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "relay") (server ? ev.client : ev.relay) = v;
    else if (k == "verify" && !error) ev.stage = v;
  }
  if (!error) ev.detail = rest;
}

bool read_with_id(std::string_view rest, Event& ev) {
  if (starts_with(rest, "from=")) {
    read_from(rest, ev);
    return true;
  }
  if (starts_with(rest, "to=")) {
    read_to(rest, ev);
    return true;
  }
  if (starts_with(rest, "ruleset=")) {
    read_ruleset(rest, ev);
    return true;
  }
  if (starts_with(rest, "Milter")) {
    const std::size_t r = rest.find("reject=");
    if (r != std::string_view::npos) {
      ev.kind = EventKind::reject;
      ev.stage = "DATA";
      ev.text = rest.substr(r + 7);
      return true;
    }
  }
  // "2ANA00ab012345: 2ANA00ac012346: DSN: User unknown" (a bounce was created)
  std::string_view child;
  std::string_view after;
  if (id_prefix(rest, child, after) && !child.empty() &&
      (starts_with(after, "DSN: ") || starts_with(after, "return to sender: ") ||
       starts_with(after, "postmaster notify: "))) {
    ev.kind = EventKind::ndr;
    ev.related = child;
    ev.stage = after.substr(0, after.find(':'));
    ev.text = after.substr(after.find(": ") + 2);
    return true;
  }
  if (rest == "done" || rest == "removed") {
    ev.kind = EventKind::removed;
    return true;
  }
  ev.kind = EventKind::note;
  ev.text = rest;
  return true;
}

}  // namespace

bool parse_sendmail(std::string_view msg, Event& ev) {
  ev.source = Source::sendmail;
  std::string_view id;
  std::string_view rest;
  if (id_prefix(msg, id, rest)) {
    ev.queue_id = id;
    if (starts_with(rest, "STARTTLS=")) msg = rest;
    else if (starts_with(rest, "AUTH failure")) msg = rest;
    else return read_with_id(rest, ev);
  }
  if (starts_with(msg, "ruleset=")) {
    read_ruleset(msg, ev);
    return true;
  }
  if (starts_with(msg, "AUTH failure")) {
    read_auth_failure(msg, ev);
    return true;
  }
  if (starts_with(msg, "STARTTLS=server") || starts_with(msg, "STARTTLS=client")) {
    read_starttls(msg, ev);
    return true;
  }
  return false;
}

}  // namespace maildiag::log::detail
