// Exim mainlog lines (after the timestamp) read into Events: "<=" arrival, "=>"/"->" delivery,
// "**" bounce, "==" deferral, "Completed", ACL rejects, authenticator and TLS failures.
// Formats of Exim 4.9x (doc/spec "Log files"; message ids 6-6-2, or 6-11-4 from 4.97 on).

#include "readers.hpp"

namespace maildiag::log::detail {

namespace {

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool alnum_run(std::string_view s, std::size_t from, std::size_t n) {
  if (from + n > s.size()) return false;
  for (std::size_t i = from; i < from + n; ++i) {
    if (!is_alnum(s[i])) return false;
  }
  return true;
}

/// Exim message id at the start of msg followed by a space: 1abcDE-000123-Xy or 1abcDE-00000000123-Xyzw.
std::size_t message_id_length(std::string_view msg) {
  if (!alnum_run(msg, 0, 6) || msg.size() < 17 || msg[6] != '-') return 0;
  if (alnum_run(msg, 7, 6) && msg[13] == '-' && alnum_run(msg, 14, 2) && (msg.size() == 16 || msg[16] == ' ')) return 16;
  if (msg.size() >= 23 && alnum_run(msg, 7, 11) && msg[18] == '-' && alnum_run(msg, 19, 4) &&
      (msg.size() == 23 || msg[23] == ' '))
    return 23;
  return 0;
}

std::string_view unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

/// "<= sender H=host (helo) [ip]:port P=esmtps X=... A=plain:alice S=1234 id=msgid"
void read_arrival(std::string_view rest, Event& ev) {
  ev.kind = EventKind::received;
  const std::size_t sp = rest.find(' ');
  ev.from = unbracket(rest.substr(0, sp));
  if (ev.from == "<>") ev.from = {};
  KvScanner kv(sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1));
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "H") ev.client = v;
    else if (k == "U" && ev.client.empty()) ev.client = "local";
    else if (k == "A") {
      const std::size_t colon = v.find(':');
      ev.stage = v.substr(0, colon);
      if (colon != std::string_view::npos) ev.user = v.substr(colon + 1);
    } else if (k == "X") ev.detail = v;
    else if (k == "S") ev.size = v;
    else if (k == "id") ev.message_id = v;
    else if (k == "R") ev.related = v;  // a bounce: R= is the message it reports on
  }
}

/// "=> rcpt <orig> R=router T=transport H=host [ip] X=... C=\"250 OK\"", "** rcpt ...: text", "== rcpt ... defer (111): text"
void read_delivery(std::string_view marker, std::string_view rest, Event& ev) {
  ev.kind = EventKind::delivery;
  ev.status = marker == "**" ? DeliveryStatus::bounced
              : marker == "==" ? DeliveryStatus::deferred
              : marker == "*>" ? DeliveryStatus::other
                               : DeliveryStatus::sent;
  std::size_t sp = rest.find(' ');
  std::string_view addr = rest.substr(0, sp);
  if (!addr.empty() && addr.back() == ':') addr.remove_suffix(1);
  ev.to = addr;
  std::string_view fields = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  if (!fields.empty() && fields.front() == '(') {  // "rcpt (parent) <orig>"
    const std::size_t close = fields.find(") ");
    fields = close == std::string_view::npos ? std::string_view{} : fields.substr(close + 2);
  }
  if (!fields.empty() && fields.front() == '<') {
    const std::size_t close = fields.find('>');
    ev.orig_to = fields.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    fields = close == std::string_view::npos ? std::string_view{} : fields.substr(close + 1);
  }
  if (ev.status == DeliveryStatus::bounced || ev.status == DeliveryStatus::deferred) {
    const std::size_t colon = rest.find(": ");
    if (colon != std::string_view::npos) {
      ev.text = rest.substr(colon + 2);
      fields = fields.substr(0, fields.find(": "));
    }
  }
  KvScanner kv(fields);
  std::string_view k;
  std::string_view v;
  std::string_view transport;
  while (kv.next(k, v)) {
    if (k == "H") ev.relay = v;
    else if (k == "T") transport = v.substr(0, v.find(' '));
    else if (k == "C") ev.text = unquote(v);
    else if (k == "DT") ev.delay = v;
    else if (k == "X") ev.detail = v;
  }
  if (ev.relay.empty()) ev.relay = transport;
  if (ev.status == DeliveryStatus::sent) ev.related = queued_as(ev.text);
}

/// "H=(helo) [1.2.3.4]:port F=<a> rejected RCPT <b>: reason" (and "temporarily rejected")
bool read_acl_reject(std::string_view msg, Event& ev) {
  std::size_t r = msg.find(" rejected ");
  if (r == std::string_view::npos) return false;
  ev.kind = EventKind::reject;
  KvScanner kv(msg.substr(0, r));
  std::string_view k;
  std::string_view v;
  while (kv.next(k, v)) {
    if (k == "H") ev.client = v;
    else if (k == "F") ev.from = unbracket(v);
  }
  std::string_view what = msg.substr(r + 10);
  const std::size_t colon = what.find(": ");
  if (colon != std::string_view::npos) ev.text = what.substr(colon + 2);
  what = what.substr(0, colon);
  ev.stage = what.substr(0, what.find(' '));
  if (ev.stage == "RCPT") ev.to = unbracket(what.substr(std::min(what.size(), std::size_t{5})));
  else if (ev.stage == "after") ev.stage = "DATA";
  else if (ev.stage == "EHLO") ev.stage = "HELO";
  return true;
}

/// "dovecot_plain authenticator failed for (helo) [1.2.3.4]:port I=[..]:587: 535 Incorrect authentication data (set_id=alice)"
bool read_auth_failed(std::string_view msg, Event& ev) {
  const std::size_t p = msg.find("authenticator failed for ");
  if (p == std::string_view::npos) return false;
  ev.kind = EventKind::auth_failed;
  if (p > 1) ev.stage = msg.substr(0, p - 1);
  std::string_view rest = msg.substr(p + 25);
  const std::size_t colon = rest.find(": ");
  std::string_view client = rest.substr(0, colon);
  client = client.substr(0, client.find(" I="));
  ev.client = client;
  if (colon != std::string_view::npos) ev.text = rest.substr(colon + 2);
  const std::size_t set_id = ev.text.find("(set_id=");
  if (set_id != std::string_view::npos) {
    const std::string_view u = ev.text.substr(set_id + 8);
    ev.user = u.substr(0, u.find(')'));
  }
  return true;
}

bool read_with_id(std::string_view rest, Event& ev) {
  const std::string_view marker = rest.substr(0, 2);
  if (rest.size() > 3 && rest[2] == ' ') {
    if (marker == "<=") {
      read_arrival(rest.substr(3), ev);
      return true;
    }
    if (marker == "=>" || marker == "->" || marker == "**" || marker == "==" || marker == "*>") {
      read_delivery(marker, rest.substr(3), ev);
      return true;
    }
  }
  if (starts_with(rest, "Completed")) {
    ev.kind = EventKind::removed;
    return true;
  }
  if (starts_with(rest, "Frozen") || starts_with(rest, "Message is frozen") || starts_with(rest, "frozen by")) {
    ev.kind = EventKind::held;
    ev.text = rest;
    return true;
  }
  if (starts_with(rest, "Unfrozen by") || starts_with(rest, "unfrozen by")) {
    ev.kind = EventKind::released;
    return true;
  }
  if (starts_with(rest, "removed by ") || starts_with(rest, "Message removed by ")) {
    ev.kind = EventKind::removed;
    ev.stage = "admin";
    return true;
  }
  if (starts_with(rest, "H=") && read_acl_reject(rest, ev)) return true;
  ev.kind = EventKind::note;
  ev.text = rest;
  return true;
}

}  // namespace

bool parse_exim(std::string_view msg, Event& ev) {
  ev.source = Source::exim;
  if (const std::size_t n = message_id_length(msg); n != 0) {
    ev.queue_id = msg.substr(0, n);
    return read_with_id(msg.substr(std::min(n + 1, msg.size())), ev);
  }
  if (starts_with(msg, "H=")) return read_acl_reject(msg, ev);
  if (starts_with(msg, "TLS error on connection from ")) {
    ev.kind = EventKind::tls_failed;
    std::string_view rest = msg.substr(29);
    const std::size_t colon = rest.find(": ");
    std::string_view client = rest.substr(0, colon);
    ev.client = client.substr(0, client.find(" I="));
    if (colon != std::string_view::npos) ev.text = rest.substr(colon + 2);
    return true;
  }
  return read_auth_failed(msg, ev);
}

}  // namespace maildiag::log::detail
