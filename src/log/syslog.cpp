#include "maildiag/log/syslog.hpp"

namespace maildiag::log {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Skips a "<PRI>" prefix (forwarded syslog); returns the rest.
std::string_view skip_pri(std::string_view s) {
  if (s.size() < 3 || s[0] != '<') return s;
  std::size_t i = 1;
  while (i < s.size() && i < 5 && is_digit(s[i])) ++i;
  if (i == 1 || i >= s.size() || s[i] != '>') return s;
  return s.substr(i + 1);
}

/// Next space-delimited token starting at pos (one space skipped before); advances pos past it.
std::string_view token(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  const std::size_t start = pos;
  while (pos < s.size() && s[pos] != ' ') ++pos;
  return s.substr(start, pos - start);
}

/// "program[pid]: message" or "program: message" starting at pos. When there is no colon
/// where a tag would end, the whole rest is the message and the program stays empty.
void tag_and_message(std::string_view s, std::size_t pos, SyslogLine& out) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  const std::string_view rest = s.substr(pos);
  // A tag has no spaces; it ends at "[pid]:" or ":".
  const std::size_t space = rest.find(' ');
  const std::string_view tag = rest.substr(0, space);
  if (tag.empty() || tag.back() != ':') {
    out.message = rest;
    return;
  }
  std::string_view prog = tag.substr(0, tag.size() - 1);
  if (!prog.empty() && prog.back() == ']') {
    const std::size_t open = prog.rfind('[');
    if (open != std::string_view::npos) {
      out.pid = prog.substr(open + 1, prog.size() - open - 2);
      prog = prog.substr(0, open);
    }
  }
  out.program = prog;
  out.message = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
}

std::optional<SyslogLine> parse_bsd(std::string_view s) {
  std::size_t used = 0;
  auto t = parse_bsd_time(s, &used);
  if (!t) return std::nullopt;
  SyslogLine out;
  out.format = LineFormat::bsd;
  out.time = *t;
  out.time_text = s.substr(0, used);
  std::size_t pos = used;
  std::size_t probe = pos;
  const std::string_view first = token(s, probe);
  if (!first.empty() && first.back() == ':') {
    // Dovecot's own log_path and other host-less logs: "Nov 23 04:57:48 imap-login: Info: ..."
    tag_and_message(s, pos, out);
    return out;
  }
  out.host = first;
  tag_and_message(s, probe, out);
  return out;
}

std::optional<SyslogLine> parse_rfc5424(std::string_view s) {
  // "1 TIMESTAMP HOST APP PROCID MSGID SD MSG" (after <PRI>)
  if (s.size() < 2 || s[0] != '1' || s[1] != ' ') return std::nullopt;
  std::size_t pos = 2;
  std::size_t used = 0;
  auto t = parse_iso_time(s.substr(pos), &used);
  if (!t) return std::nullopt;
  SyslogLine out;
  out.format = LineFormat::rfc5424;
  out.time = *t;
  out.time_text = s.substr(pos, used);
  pos += used;
  auto nil = [](std::string_view v) { return v == "-" ? std::string_view{} : v; };
  out.host = nil(token(s, pos));
  out.program = nil(token(s, pos));
  out.pid = nil(token(s, pos));
  token(s, pos);  // MSGID
  while (pos < s.size() && s[pos] == ' ') ++pos;
  if (pos < s.size() && s[pos] == '[') {
    // Structured data: one or more [id k="v"...] elements; "\]" escapes inside values.
    while (pos < s.size() && s[pos] == '[') {
      ++pos;
      while (pos < s.size() && s[pos] != ']') pos += (s[pos] == '\\' && pos + 1 < s.size()) ? std::size_t{2} : std::size_t{1};
      if (pos < s.size()) ++pos;
    }
  } else {
    token(s, pos);  // "-"
  }
  if (pos < s.size() && s[pos] == ' ') ++pos;
  std::string_view msg = s.substr(std::min(pos, s.size()));
  if (msg.substr(0, 3) == "\xEF\xBB\xBF") msg.remove_prefix(3);  // RFC 5424 BOM
  out.message = msg;
  return out;
}

std::optional<SyslogLine> parse_iso_line(std::string_view s) {
  std::size_t used = 0;
  auto t = parse_iso_time(s, &used);
  if (!t) return std::nullopt;
  SyslogLine out;
  out.time = *t;
  std::size_t pos = used;
  if (s[10] == ' ') {
    // Exim mainlog: "2026-11-23 10:00:00[.123] [+0100] [[pid]] message"
    out.format = LineFormat::exim;
    if (!t->utc_offset_min && pos + 6 <= s.size() && s[pos] == ' ' && (s[pos + 1] == '+' || s[pos + 1] == '-') &&
        is_digit(s[pos + 2]) && is_digit(s[pos + 3]) && is_digit(s[pos + 4]) && is_digit(s[pos + 5])) {
      const int hh = (s[pos + 2] - '0') * 10 + (s[pos + 3] - '0');
      const int mm = (s[pos + 4] - '0') * 10 + (s[pos + 5] - '0');
      out.time.utc_offset_min = (s[pos + 1] == '-' ? -1 : 1) * (hh * 60 + mm);
      pos += 6;
    }
    out.time_text = s.substr(0, pos);
    out.program = "exim";
    if (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos < s.size() && s[pos] == '[') {
      const std::size_t close = s.find(']', pos);
      if (close != std::string_view::npos && close - pos <= 12) {
        out.pid = s.substr(pos + 1, close - pos - 1);
        pos = close + 1;
        if (pos < s.size() && s[pos] == ' ') ++pos;
      }
    }
    out.message = s.substr(std::min(pos, s.size()));
    return out;
  }
  out.format = LineFormat::iso;
  out.time_text = s.substr(0, pos);
  out.host = token(s, pos);
  tag_and_message(s, pos, out);
  return out;
}

}  // namespace

std::optional<SyslogLine> parse_syslog(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::string_view s = skip_pri(line);
  if (s.empty()) return std::nullopt;
  if (is_digit(s[0])) {
    if (s.size() > 2 && s[0] == '1' && s[1] == ' ') return parse_rfc5424(s);
    if (s.size() > 19) return parse_iso_line(s);
    return std::nullopt;
  }
  return parse_bsd(s);
}

}  // namespace maildiag::log
