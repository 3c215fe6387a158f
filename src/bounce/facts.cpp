// What a diagnostic text says besides its words: the reply code, the enhanced code, the SMTP
// command that failed and the host that answered — the facts the reason rules need.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <cctype>
#include <initializer_list>

namespace maildiag::bounce::detail {

namespace {

bool is_domain_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

/// Phrases naming the SMTP command a reply answered, grouped under a word every phrase of the
/// group contains: a text without the word is not searched for its phrases (the command search
/// runs over every diagnostic and notice, and most groups are absent from any one text).
struct CommandGroup {
  std::string_view anchor;
  std::string_view command;
  std::initializer_list<std::string_view> phrases;
};

const CommandGroup kCommandGroups[] = {
    {"rcpt", "RCPT",
     {"in reply to rcpt to", "after rcpt to", "rcpt to response", "after rcpt", "[rcpt_to]", "smtp:rcpt",
      ">>> rcpt to", "in reply to rcpt", "rcpt command", "did not like our rcpt to"}},
    {"mail", "MAIL",
     {"in reply to mail from", "after mail from", ">>> mail from", "mail from response", "smtp:mail", "[mail_from]",
      "in reply to mail", "did not like our mail from"}},
    {"data", "DATA",
     {"in reply to end of data", "after end of data", "in reply to data", "after data", ">>> data", "(data",
      "data response", "smtp:data", "end of data", "after the data command", "did not like our final data",
      "did not like our data"}},
    {"ehlo", "EHLO", {"in reply to ehlo", "after ehlo", ">>> ehlo"}},
    {"helo", "HELO", {"in reply to helo", "after helo", ">>> helo"}},
    {"smtp greeting", "CONN", {"smtp greeting"}},
    {"connect", "CONN", {"after initial connection", "in reply to connect", "connected to"}},
    {"server has rejected address", "RCPT", {"server has rejected address"}},
    {"refused to talk to me", "CONN", {"refused to talk to me"}},
};

constexpr std::string_view kCommandNames[] = {"RCPT", "MAIL", "DATA", "EHLO", "HELO", "CONN"};

/// "SMTP command: DATA" / "-------SMTP command\nDATA" (m-FILTER and others): a label naming the
/// command that failed, the command on the same or the next line.
std::string command_after_label(std::string_view text) {
  const auto p = util::ifind(text, "smtp command");
  if (p == std::string_view::npos) return {};
  std::size_t i = p + 12;
  std::size_t newlines = 0;
  while (i < text.size() && std::string_view(" \t\r\n:-=").find(text[i]) != std::string_view::npos) {
    if (text[i] == '\n') ++newlines;
    ++i;
  }
  if (newlines > 1) return {};
  for (auto c : kCommandNames) {
    if (util::istarts_with(text.substr(i), c)) return std::string(c);
  }
  return {};
}

/// "550 : User unknown" / "550: : User unknown": a refusal whose address slot is empty. At RCPT a
/// server names the address it refuses; a reply naming none came after DATA, for the message.
bool empty_address_slot(std::string_view t) {
  for (std::size_t i = 0; i + 3 < t.size(); ++i) {
    if ((t[i] != '4' && t[i] != '5') || !std::isdigit(static_cast<unsigned char>(t[i + 1])) ||
        !std::isdigit(static_cast<unsigned char>(t[i + 2]))) {
      continue;
    }
    if (i > 0 && std::isalnum(static_cast<unsigned char>(t[i - 1])) != 0) continue;
    std::size_t j = i + 3;
    if (j < t.size() && t[j] == ':') ++j;
    const std::size_t spaces = j;
    while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r')) ++j;
    if (j > spaces && j < t.size() && t[j] == ':') return true;
  }
  return false;
}

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

/// The first reply code in the text; a refusal (4xx/5xx) wins over a greeting or acceptance that
/// stands before it ("220-laposte 421 4.2.1 Service refuse").
std::optional<int> find_reply_code(std::string_view t) {
  std::optional<int> success;
  for (std::size_t i = 0; i + 3 <= t.size(); ++i) {
    if (!digit(t[i]) || !digit(t[i + 1]) || !digit(t[i + 2])) continue;
    const char first = t[i];
    if (first != '4' && first != '5' && first != '2') continue;
    const bool left_ok = i == 0 || std::string_view(" :(<[\"'=#\t").find(t[i - 1]) != std::string_view::npos;
    // "550: 5.2.2 <a@b>... Mailbox Full" (Yahoo, EZweb): a colon and a space may follow the code.
    const bool colon = i + 4 < t.size() && t[i + 3] == ':' && t[i + 4] == ' ';
    const bool right_ok = i + 3 == t.size() || t[i + 3] == ' ' || t[i + 3] == '-' || t[i + 3] == ',' ||
                          t[i + 3] == ')' || t[i + 3] == '\t' || colon;
    if (left_ok && right_ok && t[i + 1] <= '5') {
      // "550-5.7.1" / "550 5.1.1" / "550 Unknown": a code; "4 days" style numbers have no 3 digits.
      const int code = (first - '0') * 100 + (t[i + 1] - '0') * 10 + (t[i + 2] - '0');
      if (first != '2') return code;
      if (!success) success = code;
    }
    i += 2;
  }
  return success;
}

}  // namespace

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


namespace {

/// A reply code and the enhanced code of its own class right after it ("550-'5.7.1 ...").
struct CodedReply {
  int code = 0;
  codes::EnhancedCode status;
};

/// The first reply in the text with its own enhanced code that `accept` takes.
template <class Accept>
std::optional<CodedReply> find_coded_reply(std::string_view text, Accept accept) {
  for (std::size_t i = 0; i + 4 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] != '4' && text[i] != '5')) continue;
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0 || text[i - 1] == '.')) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i + 1])) || !std::isdigit(static_cast<unsigned char>(text[i + 2]))) continue;
    std::size_t j = i + 3;
    if (j >= text.size() || (text[j] != ' ' && text[j] != '-')) continue;
    while (j < text.size() && (text[j] == ' ' || text[j] == '-' || text[j] == '\'' || text[j] == '"')) ++j;
    if (auto e = codes::parse_enhanced_prefix(text.substr(j)); e && e->cls == text[i] - '0') {
      const CodedReply r{(text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0'), *e};
      if (accept(r)) return r;
    }
  }
  return std::nullopt;
}

/// The enhanced code a server put right after its reply code ("550-'5.7.1 ...", "550 5.1.1 ..."):
/// the one that belongs to the reply, even when a relay's own code stands before it.
std::optional<codes::EnhancedCode> enhanced_after_reply(std::string_view text) {
  const auto r = find_coded_reply(text, [](const CodedReply&) { return true; });
  return r ? std::optional<codes::EnhancedCode>(r->status) : std::nullopt;
}

}  // namespace

std::optional<codes::EnhancedCode> verdict_status(std::string_view text, std::string_view address) {
  if (address.empty()) return std::nullopt;
  const auto p = util::ifind(text, "<" + std::string(address) + ">...");
  if (p == std::string_view::npos) return std::nullopt;
  const std::size_t start = p > 20 ? p - 20 : 0;
  return enhanced_after_reply(text.substr(start, p - start));
}

std::optional<int> reply_code_carrying(std::string_view text, const codes::EnhancedCode& status) {
  const auto r = find_coded_reply(text, [&](const CodedReply& c) { return c.status == status; });
  return r ? std::optional<int>(r->code) : std::nullopt;
}

std::optional<codes::EnhancedCode> diagnostic_status(std::string_view text) {
  if (auto e = enhanced_after_reply(text)) return e;
  return codes::find_enhanced(text);
}

CommandFacts command_facts(std::string_view text) {
  CommandFacts f;
  std::size_t best = std::string_view::npos;
  for (const auto& g : kCommandGroups) {
    const auto at = util::ifind(text, g.anchor);
    if (at == std::string_view::npos) continue;
    for (const auto phrase : g.phrases) {
      // The phrase holds the anchor, so it cannot start long before the anchor's first place.
      const auto p = util::ifind(text, phrase, at > phrase.size() ? at - phrase.size() : 0);
      if (p == std::string_view::npos) continue;
      if (!f.command.empty() && f.command != g.command) f.several_commands = true;
      if (best == std::string_view::npos || p < best) {
        best = p;
        f.command = std::string(g.command);
      }
    }
  }
  if (f.command.empty()) f.command = command_after_label(text);
  if (f.command.empty() && empty_address_slot(text)) f.command = "DATA";
  return f;
}

TextFacts text_facts(std::string_view text) {
  TextFacts f;
  f.reply_code = find_reply_code(text);
  f.status = diagnostic_status(text);
  auto c = command_facts(text);
  f.command = std::move(c.command);
  f.several_commands = c.several_commands;
  if (const auto h = util::ifind(text, "host "); h != std::string_view::npos) {
    std::size_t i = h + 5;
    std::size_t j = i;
    while (j < text.size() && is_domain_char(text[j])) ++j;
    const auto host = text.substr(i, j - i);
    if (host.find('.') != std::string_view::npos && host.size() > 3) f.remote_mta = std::string(host);
  }
  return f;
}


}  // namespace maildiag::bounce::detail
