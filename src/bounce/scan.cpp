// Reading plain notification text: which recipients failed and what was said about each.
// Notices are recognised by their structure (an address standing at the start of a line or
// after a lead phrase, followed by reason lines), never by the name of the software.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace maildiag::bounce::detail {

namespace {

bool is_local_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u) != 0) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

bool is_domain_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

struct Found {
  std::size_t start = 0;
  std::size_t end = 0;
  std::string address;
};

/// The first plausible address in line at or after `from`.
std::optional<Found> find_address(std::string_view line, std::size_t from = 0) {
  for (auto at = line.find('@', from); at != std::string_view::npos; at = line.find('@', at + 1)) {
    std::size_t s = at;
    while (s > 0 && is_local_char(line[s - 1])) --s;
    std::size_t e = at + 1;
    while (e < line.size() && is_domain_char(line[e])) ++e;
    auto local = line.substr(s, at - s);
    while (!local.empty() && (local.front() == '\'' || local.front() == '.' || local.front() == '|')) {
      local.remove_prefix(1);
      ++s;
    }
    auto domain = line.substr(at + 1, e - at - 1);
    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) {
      domain.remove_suffix(1);
      --e;
    }
    std::string addr = std::string(local) + "@" + std::string(domain);
    if (plausible_address(addr)) return Found{s, e, std::move(addr)};
  }
  return std::nullopt;
}

/// Phrases that may stand before a failed recipient on its line (lower-case, matched at the end
/// of the text before the address, after trailing ':' and spaces are removed).
constexpr std::array<std::string_view, 20> kLeads{
    "recipient address", "recipient", "unknown user", "user unknown", "could not be delivered to",
    "unable to deliver message to", "unable to deliver to", "permanent errors", "delivery to",
    "failed recipient", "original-recipient", "invalid recipient", "was not delivered to",
    "无法发送到", "收件人", "邮件地址", "受信者", "宛先", "送信先", "to the following address"};

/// Header-like labels whose addresses are not failed recipients.
constexpr std::array<std::string_view, 19> kHeaderLabels{
    "from:", "to:", "cc:", "bcc:", "reply-to:", "sender:", "subject:", "date:", "sent:",
    "message-id:", "return-path:", "received:", "envelope-to:", "x-", "reporting-mta:",
    "delivered-to:", "in-reply-to:", "references:", "发件人"};

bool is_header_label(std::string_view t) {
  for (auto l : kHeaderLabels) {
    if (util::istarts_with(t, l)) return true;
  }
  return false;
}

std::string_view strip_lead_punct(std::string_view p) {
  constexpr std::string_view kFullColon = "\xEF\xBC\x9A";  // U+FF1A FULLWIDTH COLON
  constexpr std::string_view kFullParen = "\xEF\xBC\x88";  // U+FF08 FULLWIDTH LEFT PARENTHESIS
  while (!p.empty()) {
    if (p.size() >= 3 && (p.substr(p.size() - 3) == kFullColon || p.substr(p.size() - 3) == kFullParen)) {
      p.remove_suffix(3);
    } else if (p.back() == ' ' || p.back() == '\t' || p.back() == '<' || p.back() == '"' || p.back() == '\'' ||
               p.back() == '(' || p.back() == '[' || p.back() == ':') {
      p.remove_suffix(1);
    } else {
      break;
    }
  }
  return p;
}

bool prefix_is_bullet(std::string_view p) {
  for (char c : p) {
    if (c != ' ' && c != '\t' && c != '*' && c != '-' && c != '>' && c != '<' && c != '"' && c != '\'' &&
        c != '#' && c != '+' && c != '.' && c != '(' && c != '[' && !std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool prefix_is_lead(std::string_view p) {
  p = strip_lead_punct(p);
  for (auto l : kLeads) {
    if (p.size() >= l.size() && util::iequals(p.substr(p.size() - l.size()), l)) return true;
  }
  return false;
}

/// "(expanded from: <a@b>)" / "(generated from a@b)": the original address of the line above.
std::optional<std::string> expanded_from(std::string_view t) {
  for (std::string_view k : {"expanded from", "generated from"}) {
    if (const auto p = util::ifind(t, k); p != std::string_view::npos && p < 8) {
      if (auto a = find_address(t, p)) return a->address;
    }
  }
  return std::nullopt;
}

std::string_view after_address(std::string_view line, const Found& f) {
  auto rest = line.substr(f.end);
  while (!rest.empty() && (rest.front() == '>' || rest.front() == '"' || rest.front() == '\'' ||
                           rest.front() == ':' || rest.front() == ' ' || rest.front() == '\t' ||
                           rest.front() == ',' || rest.front() == ';' || rest.front() == ')')) {
    rest.remove_prefix(1);
  }
  if (rest.substr(0, 3) == "...") rest.remove_prefix(3);
  // "a@b<mailto:a@b>" (Exchange) carries nothing more.
  if (util::istarts_with(rest, "<mailto:") || util::istarts_with(rest, "mailto:")) {
    const auto gt = rest.find('>');
    rest = gt == std::string_view::npos ? std::string_view{} : rest.substr(gt + 1);
  }
  return util::trim(rest);
}

bool is_separator(std::string_view t) {
  if (t.size() < 5) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return c == '-' || c == '=' || c == '*' || c == '_' || c == ' '; });
}

struct CommandPhrase {
  std::string_view phrase;
  std::string_view command;
};

constexpr CommandPhrase kCommands[] = {
    {"in reply to rcpt to", "RCPT"}, {"after rcpt to", "RCPT"}, {"rcpt to response", "RCPT"},
    {"after rcpt", "RCPT"}, {"[rcpt_to]", "RCPT"}, {"smtp:rcpt", "RCPT"}, {">>> rcpt to", "RCPT"},
    {"in reply to rcpt", "RCPT"}, {"rcpt command", "RCPT"},
    {"in reply to mail from", "MAIL"}, {"after mail from", "MAIL"}, {">>> mail from", "MAIL"},
    {"mail from response", "MAIL"}, {"smtp:mail", "MAIL"}, {"[mail_from]", "MAIL"}, {"in reply to mail", "MAIL"},
    {"in reply to end of data", "DATA"}, {"after end of data", "DATA"}, {"in reply to data", "DATA"},
    {"after data", "DATA"}, {">>> data", "DATA"}, {"(data", "DATA"}, {"data response", "DATA"},
    {"smtp:data", "DATA"}, {"end of data", "DATA"}, {"after the data command", "DATA"},
    {"in reply to ehlo", "EHLO"}, {"after ehlo", "EHLO"}, {">>> ehlo", "EHLO"},
    {"in reply to helo", "HELO"}, {"after helo", "HELO"}, {">>> helo", "HELO"},
    {"smtp greeting", "CONN"}, {"after initial connection", "CONN"}, {"in reply to connect", "CONN"},
    {"connected to", "CONN"},
};

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::optional<int> find_reply_code(std::string_view t) {
  for (std::size_t i = 0; i + 3 <= t.size(); ++i) {
    if (!digit(t[i]) || !digit(t[i + 1]) || !digit(t[i + 2])) continue;
    const char first = t[i];
    if (first != '4' && first != '5' && first != '2') continue;
    const bool left_ok = i == 0 || std::string_view(" :(<[\"'=#\t").find(t[i - 1]) != std::string_view::npos;
    const bool right_ok = i + 3 == t.size() || t[i + 3] == ' ' || t[i + 3] == '-' || t[i + 3] == ',' ||
                          t[i + 3] == ')' || t[i + 3] == '\t';
    if (left_ok && right_ok && t[i + 1] <= '5') {
      // "550-5.7.1" / "550 5.1.1" / "550 Unknown": a code; "4 days" style numbers have no 3 digits.
      return (first - '0') * 100 + (t[i + 1] - '0') * 10 + (t[i + 2] - '0');
    }
    i += 2;
  }
  return std::nullopt;
}

}  // namespace

bool plausible_address(std::string_view a) {
  const auto at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 254) return false;
  const auto domain = a.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.front() == '-') return false;
  if (domain.find("..") != std::string_view::npos) return false;
  const auto tld = domain.substr(domain.rfind('.') + 1);
  if (tld.size() < 2) return false;
  return std::any_of(tld.begin(), tld.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

std::string first_address(std::string_view text) {
  if (auto f = find_address(text)) return f->address;
  return {};
}

std::string one_line(std::string_view s, std::size_t max) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= max) break;
  }
  return out;
}

std::string strip_continuations(std::string_view diag) {
  const auto t = util::trim(diag);
  if (t.size() < 4 || !digit(t[0]) || !digit(t[1]) || !digit(t[2]) || (t[3] != '-' && t[3] != ' ')) return std::string(t);
  // The prefix to remove: "550-5.7.1 " / "550 5.7.1 " / "550-" / "550 ".
  std::size_t plen = 4;
  std::size_t used = 0;
  if (codes::parse_enhanced_prefix(t.substr(4), &used)) plen += used;
  const auto code = t.substr(0, 3);
  const auto enh = util::trim(t.substr(4, plen - 4));
  std::string out(t.substr(0, plen));
  std::size_t i = plen;
  while (i < t.size()) {
    // " 550-5.7.1 " or " 550 5.7.1 " in the middle: a joined continuation line.
    if (t[i] == ' ' && i + 4 < t.size() && t.substr(i + 1, 3) == code && (t[i + 4] == '-' || t[i + 4] == ' ')) {
      std::size_t j = i + 5;
      if (!enh.empty() && t.substr(j, enh.size()) == enh) j += enh.size();
      else if (!enh.empty()) {
        out.push_back(t[i++]);
        continue;
      }
      out.push_back(' ');
      i = j;
      while (i < t.size() && t[i] == ' ') ++i;
      continue;
    }
    out.push_back(t[i++]);
  }
  return out;
}

TextFacts text_facts(std::string_view text) {
  TextFacts f;
  f.reply_code = find_reply_code(text);
  f.status = codes::find_enhanced(text);
  std::size_t best = std::string_view::npos;
  for (const auto& c : kCommands) {
    const auto p = util::ifind(text, c.phrase);
    if (p != std::string_view::npos && (best == std::string_view::npos || p < best)) {
      best = p;
      f.command = std::string(c.command);
    }
  }
  if (const auto h = util::ifind(text, "host "); h != std::string_view::npos) {
    std::size_t i = h + 5;
    std::size_t j = i;
    while (j < text.size() && is_domain_char(text[j])) ++j;
    const auto host = text.substr(i, j - i);
    if (host.find('.') != std::string_view::npos && host.size() > 3) f.remote_mta = std::string(host);
  }
  return f;
}

std::vector<TextRecipient> scan_text(std::string_view text, std::size_t max_recipients) {
  std::vector<TextRecipient> out;
  const auto lines = util::split_lines(text);
  TextRecipient* cur = nullptr;
  std::size_t diag_lines = 0;
  std::size_t cur_indent = 0;
  bool blank_after = false;
  for (const auto raw : lines) {
    const auto t = util::trim(raw);
    if (t.empty()) {
      if (cur != nullptr && !cur->diagnostic.empty()) blank_after = true;
      continue;
    }
    if (is_separator(t)) {
      cur = nullptr;
      continue;
    }
    if (cur != nullptr) {
      if (auto e = expanded_from(t)) {
        cur->original_address = *e;
        continue;
      }
    }
    std::optional<Found> f;
    if (!is_header_label(t)) f = find_address(t);
    const std::size_t indent = static_cast<std::size_t>(t.data() - raw.data());
    // A deeper-indented line naming the same address continues the reason text (Postfix folds).
    const bool continuation = cur != nullptr && !blank_after && f &&
                              (util::iequals(f->address, cur->address) || indent > cur_indent);
    if (f && !continuation) {
      const auto prefix = t.substr(0, f->start);
      if (prefix_is_bullet(prefix) || prefix_is_lead(prefix)) {
        auto it = std::find_if(out.begin(), out.end(), [&](const auto& r) { return util::iequals(r.address, f->address); });
        if (it == out.end()) {
          if (out.size() >= max_recipients) break;
          out.push_back(TextRecipient{f->address, {}, {}});
          it = out.end() - 1;
        }
        cur = &*it;
        cur_indent = indent;
        diag_lines = 0;
        blank_after = false;
        const auto rest = after_address(t, *f);
        if (!rest.empty()) {
          if (!cur->diagnostic.empty()) cur->diagnostic += ' ';
          cur->diagnostic += one_line(rest, 1000);
        }
        continue;
      }
    }
    if (cur == nullptr || diag_lines >= 12) continue;
    // A paragraph after a blank line belongs to the recipient only while it is indented.
    if (blank_after && raw.front() != ' ' && raw.front() != '\t') {
      cur = nullptr;
      continue;
    }
    if (!cur->diagnostic.empty()) cur->diagnostic += ' ';
    cur->diagnostic += one_line(t, 1000);
    ++diag_lines;
  }
  return out;
}

}  // namespace maildiag::bounce::detail
