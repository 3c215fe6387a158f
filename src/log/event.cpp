#include "maildiag/log/event.hpp"

#include "readers.hpp"

#include "maildiag/codes/enhanced.hpp"

namespace maildiag::log {

namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string_view last_component(std::string_view program) {
  const std::size_t slash = program.rfind('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

bool is_sendmail_program(std::string_view p) {
  return p == "sm-mta" || p == "sendmail" || p == "sm-msp-queue" || p == "sm-mta-rx" || p == "sm-mta-tx";
}

bool is_dovecot_program(std::string_view p) {
  if (p == "dovecot" || p == "auth" || p == "auth-worker" || p == "master" || p == "lda" || p == "deliver" ||
      p == "dovecot-lda" || p == "config" || p == "anvil" || p == "log" || p == "stats" || p == "indexer" ||
      p == "indexer-worker")
    return true;
  // "imap-login", "pop3-login", "submission-login", "managesieve-login"
  if (p.size() > 6 && p.substr(p.size() - 6) == "-login") return true;
  // "imap(alice)<123><sess>", "lmtp(12345)", "auth-worker(123)"
  const std::size_t paren = p.find('(');
  if (paren == std::string_view::npos) return false;
  const std::string_view svc = p.substr(0, paren);
  return svc == "imap" || svc == "pop3" || svc == "lmtp" || svc == "lda" || svc == "submission" ||
         svc == "managesieve" || svc == "auth-worker" || svc == "auth" || svc == "indexer-worker";
}

}  // namespace

std::string_view to_string(Source s) {
  switch (s) {
    case Source::postfix: return "postfix";
    case Source::sendmail: return "sendmail";
    case Source::exim: return "exim";
    case Source::dovecot: return "dovecot";
  }
  return "postfix";
}

std::string_view to_string(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::none: return "none";
    case DeliveryStatus::sent: return "sent";
    case DeliveryStatus::deferred: return "deferred";
    case DeliveryStatus::bounced: return "bounced";
    case DeliveryStatus::expired: return "expired";
    case DeliveryStatus::other: return "other";
  }
  return "none";
}

bool parse_event(const SyslogLine& line, Event& ev) {
  ev.clear();
  if (line.format == LineFormat::exim) return detail::parse_exim(line.message, ev);
  const std::string_view prog = line.program;
  if (prog.empty()) return false;
  if (prog == "exim" || prog == "exim4") {
    // Exim to syslog repeats its own timestamp unless syslog_timestamp = false.
    std::string_view msg = line.message;
    std::size_t used = 0;
    if (auto t = parse_iso_time(msg, &used); t && used < msg.size()) msg.remove_prefix(used + 1);
    return detail::parse_exim(msg, ev);
  }
  const std::string_view daemon = last_component(prog);
  if (prog.find('/') != std::string_view::npos || prog.substr(0, 7) == "postfix") {
    if (detail::is_postfix_daemon(daemon)) return detail::parse_postfix(daemon, line.message, ev);
    return false;
  }
  if (is_sendmail_program(prog)) return detail::parse_sendmail(line.message, ev);
  if (is_dovecot_program(prog)) return detail::parse_dovecot(prog, line.message, ev);
  return false;
}

RemoteReply remote_reply(std::string_view text) {
  RemoteReply r;
  r.reply = text;
  std::size_t said = text.find(" said: ");
  std::size_t start = std::string_view::npos;
  if (detail::starts_with(text, "host ") && said != std::string_view::npos) {
    r.host = text.substr(5, said - 5);
    start = said + 7;
  } else if (const std::size_t e = text.find("SMTP error from remote mail server after "); e != std::string_view::npos) {
    // Exim: "... after RCPT TO:<x@y>: 550 5.1.1 ..." / "... after end of data: 550 ..."
    const std::size_t colon = text.find(": ", e + 41);
    if (colon == std::string_view::npos) return r;
    r.command = text.substr(e + 41, colon - e - 41);
    if (const std::size_t lt = r.command.find(":<"); lt != std::string_view::npos) r.command = r.command.substr(0, lt);
    start = colon + 2;
  } else if (detail::starts_with(text, "host ") && text.find(" refused to talk to me: ") != std::string_view::npos) {
    said = text.find(" refused to talk to me: ");
    r.host = text.substr(5, said - 5);
    start = said + 24;
  }
  if (start == std::string_view::npos || start >= text.size()) return r;
  std::string_view reply = text.substr(start);
  const std::size_t in_reply = reply.rfind(" (in reply to ");
  if (in_reply != std::string_view::npos && reply.size() > in_reply + 14 && reply.back() == ')') {
    std::string_view cmd = reply.substr(in_reply + 14, reply.size() - in_reply - 15);
    if (cmd.size() > 8 && cmd.substr(cmd.size() - 8) == " command") cmd.remove_suffix(8);
    r.command = cmd;
    reply = reply.substr(0, in_reply);
  }
  r.reply = reply;
  return r;
}

codes::Classification classify_reason(std::string_view text, std::string_view dsn) {
  const auto rr = remote_reply(text.substr(0, 4000));
  return codes::classify_text(rr.reply, std::nullopt, codes::parse_enhanced(dsn));
}

std::string_view domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view d = address.substr(at + 1);
  while (!d.empty() && (d.back() == '>' || d.back() == '.')) d.remove_suffix(1);
  return d;
}

std::string_view client_address(std::string_view client) {
  const std::size_t open = client.rfind('[');
  if (open == std::string_view::npos) return client;
  const std::size_t close = client.find(']', open);
  if (close == std::string_view::npos) return client;
  return client.substr(open + 1, close - open - 1);
}

namespace detail {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool KvScanner::key_at(std::size_t p) const {
  std::size_t q = p;
  while (q < s_.size() && is_key_char(s_[q])) ++q;
  return q > p && q < s_.size() && s_[q] == '=';
}

bool KvScanner::next(std::string_view& key, std::string_view& value) {
  while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == ',')) ++pos_;
  if (pos_ >= s_.size() || !key_at(pos_)) return false;
  const std::size_t eq = s_.find('=', pos_);
  key = s_.substr(pos_, eq - pos_);
  std::size_t p = eq + 1;
  value_start_ = p;
  if (p < s_.size() && (s_[p] == '<' || s_[p] == '"')) {
    const std::size_t close = s_.find(s_[p] == '<' ? '>' : '"', p + 1);
    p = close == std::string_view::npos ? s_.size() : close + 1;
  }
  // The value ends at a separator followed by another key.
  while (p < s_.size()) {
    if (s_[p] == ',' || s_[p] == ' ') {
      std::size_t q = p;
      while (q < s_.size() && (s_[q] == ',' || s_[q] == ' ')) ++q;
      if (q >= s_.size() || key_at(q)) break;
      p = q;
      continue;
    }
    ++p;
  }
  std::size_t end = p;
  while (end > value_start_ && (s_[end - 1] == ',' || s_[end - 1] == ' ')) --end;
  value = s_.substr(value_start_, end - value_start_);
  pos_ = p;
  return true;
}

std::string_view KvScanner::take_rest() {
  const std::string_view rest = s_.substr(value_start_);
  pos_ = s_.size();
  return rest;
}

std::string_view unbracket(std::string_view v) {
  if (v.size() >= 2 && v.front() == '<') {
    const std::size_t close = v.find('>');
    if (close != std::string_view::npos) return v.substr(1, close - 1);
  }
  return v;
}

StatusText split_status(std::string_view v) {
  StatusText st;
  const std::size_t sp = v.find(' ');
  st.word = v.substr(0, sp);
  if (sp == std::string_view::npos) return st;
  std::string_view t = v.substr(sp + 1);
  if (t.size() >= 2 && t.front() == '(' && t.back() == ')') t = t.substr(1, t.size() - 2);
  st.text = t;
  return st;
}

std::string_view queued_as(std::string_view text) {
  static constexpr std::string_view kQueuedAs = "queued as ";
  std::size_t p = text.find(kQueuedAs);
  if (p == std::string_view::npos) {
    p = text.find("Queued as ");  // some servers capitalise it
    if (p == std::string_view::npos) return {};
  }
  p += kQueuedAs.size();
  std::size_t e = p;
  while (e < text.size() && (is_key_char(text[e]) || text[e] == '.')) ++e;
  while (e > p && text[e - 1] == '.') --e;
  return text.substr(p, e - p);
}

}  // namespace detail

}  // namespace maildiag::log
