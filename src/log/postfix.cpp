// Postfix log lines (smtpd, cleanup, qmgr, the delivery agents, bounce, pickup, postsuper,
// postscreen) read into Events. Formats as written by Postfix 2.x-3.x (see the Postfix source:
// smtpd/smtpd.c, global/log_adhoc.c, qmgr/qmgr_active.c, tls/tls_misc.c).

#include "readers.hpp"

#include <array>

namespace maildiag::log::detail {

namespace {

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/// Short queue ids are upper-case hex; long ones (enable_long_queue_ids) are base-52 time, 'z',
/// base-51 inode: [0-9A-Za-z]{12,}, with a 'z' separator.
bool is_queue_id(std::string_view t) {
  if (t.size() < 5 || t.size() > 24) return false;
  bool hex = true;
  bool alnum = true;
  bool has_z = false;
  bool has_upper_or_digit = false;
  for (char c : t) {
    hex = hex && is_upper_hex(c);
    alnum = alnum && is_alnum(c);
    has_z = has_z || c == 'z';
    has_upper_or_digit = has_upper_or_digit || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
  }
  if (hex) return true;
  return alnum && t.size() >= 12 && has_z && has_upper_or_digit;
}

/// "QUEUEID: rest" or "NOQUEUE: rest"; sets id (empty for NOQUEUE) and rest.
bool queue_id_prefix(std::string_view msg, std::string_view& id, std::string_view& rest) {
  const std::size_t colon = msg.find(": ");
  if (colon == std::string_view::npos || colon > 24) return false;
  const std::string_view tok = msg.substr(0, colon);
  if (tok == "NOQUEUE") {
    id = {};
  } else if (is_queue_id(tok)) {
    id = tok;
  } else {
    return false;
  }
  rest = msg.substr(colon + 2);
  return true;
}

/// "unknown[1.2.3.4]" at the start of s, up to the first ": " or " " (whichever ends the token).
std::string_view client_token(std::string_view s) {
  std::size_t e = 0;
  while (e < s.size() && s[e] != ' ') ++e;
  std::string_view t = s.substr(0, e);
  if (!t.empty() && t.back() == ':') t.remove_suffix(1);
  return t;
}

bool reject_stage_is_smtp(std::string_view stage) {
  static constexpr std::array<std::string_view, 11> kStages = {
      "RCPT", "MAIL", "DATA", "CONNECT", "HELO", "EHLO", "END-OF-MESSAGE", "ETRN", "VRFY", "BDAT", "UNKNOWN"};
  for (auto s : kStages) {
    if (stage == s) return true;
  }
  return false;
}

/// The "; from=<a> to=<b> proto=ESMTP helo=<h>" tail of a reject or hold line.
void envelope_tail(std::string_view tail, Event& ev) {
  KvScanner kv(tail);
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "from") ev.from = unbracket(v);
    else if (k == "to") ev.to = unbracket(v);
  }
  // cleanup header/body checks put the reply after the envelope: "helo=<h>: 5.7.1 text"
  const std::size_t helo = tail.rfind(" helo=<");
  const std::size_t end = helo == std::string_view::npos ? helo : tail.find(">: ", helo);
  if (end != std::string_view::npos) ev.text = tail.substr(end + 3);
}

/// "reject: RCPT from client: 550 5.1.1 <x>: text; from=<a> to=<b> proto=ESMTP helo=<h>" and
/// "reject: header Subject: x from client; from=<a> to=<b> proto=ESMTP helo=<h>: 5.7.1 text".
void read_action(std::string_view rest, EventKind kind, Event& ev) {
  ev.kind = kind;
  const std::size_t sp = rest.find(' ');
  ev.stage = rest.substr(0, sp);
  if (sp == std::string_view::npos) return;
  std::string_view body = rest.substr(sp + 1);
  const std::size_t env = body.rfind("; from=");
  const std::string_view head = body.substr(0, env);
  if (env != std::string_view::npos) envelope_tail(body.substr(env + 2), ev);
  if (reject_stage_is_smtp(ev.stage) && starts_with(head, "from ")) {
    const std::string_view after = head.substr(5);
    // postscreen: "from [1.2.3.4]:5678: 550 ..."; smtpd: "from host[1.2.3.4]: 550 ..."
    const std::size_t colon = after.find(": ");
    ev.client = after.substr(0, colon);
    if (colon != std::string_view::npos && ev.text.empty()) ev.text = after.substr(colon + 2);
    return;
  }
  // header/body checks: "... from host[addr]" ends the head
  const std::size_t from = head.rfind(" from ");
  if (from != std::string_view::npos) ev.client = client_token(head.substr(from + 6));
  if (ev.text.empty()) ev.text = head;
}

void read_delivery(std::string_view rest, Event& ev) {
  ev.kind = EventKind::delivery;
  KvScanner kv(rest);
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "to") ev.to = unbracket(v);
    else if (k == "orig_to") ev.orig_to = unbracket(v);
    else if (k == "relay") ev.relay = v;
    else if (k == "delay") ev.delay = v;
    else if (k == "delays") ev.delays = v;
    else if (k == "dsn") ev.dsn = v;
    else if (k == "status") {
      const auto st = split_status(kv.take_rest());
      ev.text = st.text;
      if (st.word == "sent" || st.word == "deliverable") ev.status = DeliveryStatus::sent;
      else if (st.word == "deferred") ev.status = DeliveryStatus::deferred;
      else if (st.word == "bounced" || st.word == "undeliverable") ev.status = DeliveryStatus::bounced;
      else if (st.word == "expired") ev.status = DeliveryStatus::expired;
      else ev.status = DeliveryStatus::other;
      ev.related = queued_as(ev.text);
      break;
    }
  }
}

/// Lines that carry a queue id.
bool read_with_id(std::string_view daemon, std::string_view rest, Event& ev) {
  if (starts_with(rest, "to=<")) {
    read_delivery(rest, ev);
    return true;
  }
  if (starts_with(rest, "client=")) {
    ev.kind = EventKind::received;
    KvScanner kv(rest);
    std::string_view k;
    std::string_view v;
    while (kv.next(k, v)) {
      if (k == "client") ev.client = v;
      else if (k == "sasl_method") ev.stage = v;
      else if (k == "sasl_username") ev.user = v;
      else if (k == "orig_queue_id") ev.related = v;
    }
    return true;
  }
  if (starts_with(rest, "message-id=")) {
    ev.kind = EventKind::message_id;
    ev.message_id = rest.substr(11);
    return true;
  }
  if (starts_with(rest, "from=<")) {
    KvScanner kv(rest);
    std::string_view k;
    std::string_view v;
    ev.kind = EventKind::queued;
    while (kv.next(k, v)) {
      if (k == "from") ev.from = unbracket(v);
      else if (k == "size") ev.size = v;
      else if (k == "nrcpt") ev.nrcpt = v.substr(0, v.find(' '));
      else if (k == "status") {
        const auto st = split_status(kv.take_rest());
        if (st.word == "expired,") {
          ev.kind = EventKind::expired;
          ev.text = st.text;
        }
        break;
      }
    }
    return true;
  }
  if (rest == "removed") {
    ev.kind = EventKind::removed;
    if (daemon == "postsuper") ev.stage = "postsuper";
    return true;
  }
  struct Action {
    std::string_view prefix;
    EventKind kind;
  };
  static constexpr std::array<Action, 3> kActions = {Action{"reject: ", EventKind::reject},
                                                     Action{"milter-reject: ", EventKind::reject},
                                                     Action{"hold: ", EventKind::held}};
  for (const auto& a : kActions) {
    if (starts_with(rest, a.prefix)) {
      read_action(rest.substr(a.prefix.size()), a.kind, ev);
      return true;
    }
  }
  if (rest == "placed on hold" || rest == "released from hold") {
    ev.kind = rest[0] == 'p' ? EventKind::held : EventKind::released;
    ev.stage = "postsuper";
    return true;
  }
  for (std::string_view n : {std::string_view("sender non-delivery notification: "),
                             std::string_view("sender delivery status notification: "),
                             std::string_view("sender delay notification: "),
                             std::string_view("postmaster non-delivery notification: ")}) {
    if (starts_with(rest, n)) {
      ev.kind = EventKind::ndr;
      ev.stage = n.substr(0, n.size() - 2);
      ev.related = rest.substr(n.size());
      return true;
    }
  }
  if (starts_with(rest, "uid=")) {
    // pickup: "uid=0 from=<root>" (mail submitted with the sendmail command)
    ev.kind = EventKind::received;
    ev.client = "local";
    ev.detail = rest.substr(0, rest.find(' '));
    KvScanner kv(rest);
    std::string_view k;
    std::string_view v;
    while (kv.next(k, v)) {
      if (k == "from") ev.from = unbracket(v);
    }
    return true;
  }
  ev.kind = EventKind::note;
  ev.text = rest;
  return true;
}

bool read_warning(std::string_view w, Event& ev) {
  std::string_view id;
  std::string_view rest;
  if (queue_id_prefix(w, id, rest) && !id.empty()) {
    ev.kind = EventKind::note;
    ev.queue_id = id;
    ev.text = w;
    return true;
  }
  // "unknown[1.2.3.4]: SASL LOGIN authentication failed: reason, sasl_username=alice"
  const std::size_t sasl = w.find(": SASL ");
  if (sasl != std::string_view::npos && w.find(" authentication failed", sasl) != std::string_view::npos) {
    ev.kind = EventKind::auth_failed;
    ev.client = w.substr(0, sasl);
    std::string_view after = w.substr(sasl + 7);
    ev.stage = after.substr(0, after.find(' '));
    const std::size_t colon = after.find("failed: ");
    std::string_view text = colon == std::string_view::npos ? std::string_view{} : after.substr(colon + 8);
    const std::size_t user = text.rfind(", sasl_username=");
    if (user != std::string_view::npos) {
      ev.user = text.substr(user + 16);
      text = text.substr(0, user);
    }
    ev.text = text;
    return true;
  }
  if (starts_with(w, "TLS library problem: ")) {
    ev.kind = EventKind::tls_failed;
    ev.stage = "library";
    ev.text = w.substr(21);
    return true;
  }
  return false;
}

/// "Anonymous TLS connection established from host[addr]: TLSv1.3 with cipher ..."
bool read_tls(std::string_view msg, Event& ev) {
  const std::size_t p = msg.find(" TLS connection established ");
  if (p == std::string_view::npos || p > 12) return false;
  ev.kind = EventKind::tls;
  ev.stage = msg.substr(0, p);
  std::string_view rest = msg.substr(p + 28);
  const bool inbound = starts_with(rest, "from ");
  if (!inbound && !starts_with(rest, "to ")) return false;
  rest.remove_prefix(inbound ? 5 : 3);
  const std::size_t colon = rest.find(": ");
  const std::string_view peer = rest.substr(0, colon);
  if (inbound) ev.client = peer;
  else ev.relay = peer;
  if (colon != std::string_view::npos) ev.detail = rest.substr(colon + 2);
  return true;
}

}  // namespace

bool is_postfix_daemon(std::string_view n) {
  static constexpr std::array<std::string_view, 28> kDaemons = {
      "smtpd", "cleanup", "qmgr", "smtp", "lmtp", "local", "virtual", "pipe", "discard", "error",
      "retry", "bounce", "defer", "trace", "pickup", "postsuper", "postscreen", "master", "tlsproxy",
      "anvil", "scache", "verify", "postfix-script", "sendmail", "postdrop", "dnsblog", "postqueue", "relay"};
  for (auto d : kDaemons) {
    if (n == d) return true;
  }
  return false;
}

bool parse_postfix(std::string_view daemon, std::string_view msg, Event& ev) {
  ev.source = Source::postfix;
  std::string_view id;
  std::string_view rest;
  if (queue_id_prefix(msg, id, rest)) {
    ev.queue_id = id;
    return read_with_id(daemon, rest, ev);
  }
  if (starts_with(msg, "warning: ")) return read_warning(msg.substr(9), ev);
  if (starts_with(msg, "connect from ")) {
    ev.kind = EventKind::connect;
    ev.client = client_token(msg.substr(13));
    return true;
  }
  if (starts_with(msg, "disconnect from ")) {
    ev.kind = EventKind::disconnect;
    const std::string_view r = msg.substr(16);
    ev.client = client_token(r);
    if (ev.client.size() + 1 < r.size()) ev.detail = r.substr(ev.client.size() + 1);
    return true;
  }
  if (starts_with(msg, "SSL_accept error from ") || starts_with(msg, "SSL_connect error to ")) {
    ev.kind = EventKind::tls_failed;
    const bool inbound = msg[4] == 'a';
    const std::string_view r = msg.substr(inbound ? 22 : 21);
    const std::size_t colon = r.find(": ");
    (inbound ? ev.client : ev.relay) = r.substr(0, colon);
    ev.stage = inbound ? "SSL_accept" : "SSL_connect";
    ev.text = colon == std::string_view::npos ? std::string_view{} : r.substr(colon + 2);
    return true;
  }
  return read_tls(msg, ev);
}

}  // namespace maildiag::log::detail
