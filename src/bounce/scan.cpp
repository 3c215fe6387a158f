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
constexpr std::array<std::string_view, 23> kLeads{
    "recipient address", "recipient", "unknown user", "user unknown", "could not be delivered to",
    "unable to deliver message to", "unable to deliver to", "permanent errors", "delivery to",
    "failed recipient", "original-recipient", "invalid recipient", "was not delivered to",
    "无法发送到", "收件人", "邮件地址", "受信者", "宛先", "送信先", "to the following address",
    "delivering your mail to", "undeliverable to", "addressed to"};

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

/// "550 5.1.1 <a@b>: ..." / "550-<a@b> ...": a server reply quoting the address. The whole line
/// is the reason text (the codes stand before the address).
bool prefix_is_reply(std::string_view p) {
  p = util::trim(p);
  if (p.size() < 3 || std::isdigit(static_cast<unsigned char>(p[0])) == 0 || (p[0] != '4' && p[0] != '5') ||
      std::isdigit(static_cast<unsigned char>(p[1])) == 0 || std::isdigit(static_cast<unsigned char>(p[2])) == 0 ||
      (p.size() > 3 && p[3] != ' ' && p[3] != '-' && p[3] != ':')) {
    return false;
  }
  // Only an enhanced code and punctuation may stand between the code and the address
  // ("550 5.1.1 <a@b>", "550-<a@b>"), not other words ("550-F=[a@b]" names the sender).
  auto rest = p.substr(std::min<std::size_t>(p.size(), 4));
  std::size_t used = 0;
  if (codes::parse_enhanced_prefix(rest, &used)) rest.remove_prefix(used);
  return std::all_of(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '<' || c == '"' || c == '\'' || c == ':' || c == '-'; });
}

/// "User mailbox exceeds allowed size: a@b" (IMail and other terse notices): a reason, a colon,
/// the address ending the line. Only used when no line names a recipient the usual way.
std::optional<std::string_view> reason_before(std::string_view prefix, std::string_view rest) {
  if (!rest.empty() && rest != "." && rest != ">" && rest != ">.") return std::nullopt;
  auto p = util::trim(prefix);
  while (!p.empty() && (p.back() == '<' || p.back() == ' ')) p.remove_suffix(1);
  if (p.size() < 8 || p.size() > 100 || p.back() != ':' || p.find('@') != std::string_view::npos) return std::nullopt;
  p.remove_suffix(1);
  if (p.find(' ') == std::string_view::npos) return std::nullopt;  // one word: a label ("To", "Sender")
  // Envelope and header quotes ("MAIL FROM: a@b", "RCPT TO: a@b", "Sent by: a@b") name no failure.
  for (std::string_view label : {" from", " to", " cc", " by", " for", " sender"}) {
    if (p.size() >= label.size() && util::iequals(p.substr(p.size() - label.size()), label)) return std::nullopt;
  }
  return util::trim(p);
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

namespace {

/// A line of an SMTP session transcript: "... while talking to mx.example.org.:", ">>> RCPT To:<a@b>",
/// "<<< 550 5.1.1 ...", "Out: 451 ...", "In:  DATA". An address in it is what the server echoes (the
/// sender at MAIL FROM, or a recipient), so it anchors nothing by itself.
bool starts_with_verb(std::string_view t) {
  t = util::trim(t);
  for (std::string_view v : {"MAIL", "RCPT", "DATA", "EHLO", "HELO", "QUIT", "RSET", "STARTTLS", "AUTH", "BDAT",
                             "XFORWARD", "NOOP", "."}) {
    if (util::istarts_with(t, v)) return true;
  }
  return false;
}

bool starts_with_reply(std::string_view t) {
  t = util::trim(t);
  return prefix_is_reply(t.substr(0, std::min<std::size_t>(t.size(), 4))) || (t.size() >= 3 && t[0] == '2' &&
         std::isdigit(static_cast<unsigned char>(t[1])) != 0 && std::isdigit(static_cast<unsigned char>(t[2])) != 0) ||
         (t.size() >= 3 && t[0] == '3' && t[1] == '5' && t[2] == '4');
}

bool is_transcript_line(std::string_view t) {
  if (util::istarts_with(t, ">>>")) return starts_with_verb(t.substr(3));
  if (util::istarts_with(t, "In:")) return starts_with_verb(t.substr(3));
  if (util::istarts_with(t, "<<<")) return starts_with_reply(t.substr(3));
  if (util::istarts_with(t, "Out:")) return starts_with_reply(t.substr(4));
  while (!t.empty() && (t.front() == '.' || t.front() == ' ')) t.remove_prefix(1);
  return util::istarts_with(t, "while talking to");
}

/// A 4xx/5xx reply code somewhere in the line ("SMTP:RCPT host 192.0.2.8: 553 5.3.0 <a@b>...").
bool has_reply_code(std::string_view t) {
  for (std::size_t i = 0; i + 3 <= t.size(); ++i) {
    if ((i == 0 || t[i - 1] == ' ') && prefix_is_reply(t.substr(i, std::min<std::size_t>(4, t.size() - i)))) return true;
  }
  return false;
}

/// Sendmail's per-host summary "550 example.org (smtp)... 550 Host unknown": it explains the
/// recipient line that follows.
bool is_host_summary(std::string_view t) {
  return prefix_is_reply(t.substr(0, std::min<std::size_t>(t.size(), 4))) && t.find('@') == std::string_view::npos &&
         t.find("... ") != std::string_view::npos;
}

/// The last 4xx/5xx reply line of a transcript ("Out: 451 4.3.0 ...", "<<< 550 ...", "550 - ...")
/// and the command it answered ("In:  DATA", ">>> DATA"), for notices that name a recipient only
/// in the envelope they quote ("RCPT TO: a@b").
struct SessionFailure {
  std::string reply;
  std::string command;
};

std::string_view strip_transcript_mark(std::string_view t) {
  for (std::string_view m : {">>>", "<<<", "In:", "Out:"}) {
    if (util::istarts_with(t, m)) return util::trim(t.substr(m.size()));
  }
  return t;
}

SessionFailure session_failure(const std::vector<std::string_view>& lines) {
  SessionFailure f;
  std::string last_command;
  for (const auto raw : lines) {
    const auto t = util::trim(raw);
    const bool client = util::istarts_with(t, ">>>") || util::istarts_with(t, "In:");
    const auto body = strip_transcript_mark(t);
    if (client) {
      last_command.clear();
      for (char c : body.substr(0, std::min<std::size_t>(body.size(), 4))) {
        last_command.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      }
    } else if (prefix_is_reply(body.substr(0, std::min<std::size_t>(body.size(), 4)))) {
      f.reply = one_line(body, 1000);
      f.command = last_command == "RCPT" || last_command == "MAIL" || last_command == "DATA" ? last_command : "";
    }
  }
  return f;
}

/// "RCPT TO:<a@b>" / "RCPT TO: a@b" in a transcript or a notice's details: the envelope recipient.
std::vector<std::string> envelope_recipients(const std::vector<std::string_view>& lines, std::size_t max) {
  std::vector<std::string> out;
  for (const auto raw : lines) {
    const auto body = strip_transcript_mark(util::trim(raw));
    if (!util::istarts_with(body, "RCPT TO:") || out.size() >= max) continue;
    if (auto a = find_address(body)) {
      if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return util::iequals(o, a->address); })) {
        out.push_back(a->address);
      }
    }
  }
  return out;
}

/// Reads notification text line by line: address-anchored lines open a recipient, the lines that
/// follow are its reason text, transcript blocks are kept for the recipient line they explain.
class TextScanner {
 public:
  explicit TextScanner(std::size_t max) : max_(max) {}

  /// False when the recipient limit is reached.
  bool line(std::string_view raw);
  std::vector<TextRecipient> finish(const std::vector<std::string_view>& lines);

 private:
  bool anchor(std::string_view t, const Found& f, std::size_t indent);
  bool known(std::string_view address) const {
    return std::any_of(out_.begin(), out_.end(), [&](const auto& r) { return util::iequals(r.address, address); });
  }
  void append(std::string_view t);

  std::size_t max_;
  std::vector<TextRecipient> out_;
  std::vector<TextRecipient> terse_;  // "reason: address" lines, the fallback
  std::string pending_;               // transcript lines waiting for their recipient line
  TextRecipient* cur_ = nullptr;
  std::size_t diag_lines_ = 0;
  std::size_t cur_indent_ = 0;
  bool blank_after_ = false;
  bool attached_ = false;             // transcript lines are going to cur_
};

bool TextScanner::anchor(std::string_view t, const Found& f, std::size_t indent) {
  auto it = std::find_if(out_.begin(), out_.end(), [&](const auto& r) { return util::iequals(r.address, f.address); });
  if (it == out_.end()) {
    if (out_.size() >= max_) return false;
    out_.push_back(TextRecipient{f.address, {}, {}, {}});
    it = out_.end() - 1;
  }
  cur_ = &*it;
  cur_indent_ = indent;
  diag_lines_ = 0;
  blank_after_ = false;
  if (!pending_.empty()) {
    append(pending_);
    pending_.clear();
  }
  // "554 <a@b>... 550 Host unknown": the remote server's own reply follows the address; otherwise a
  // line with a reply code before the address is the reply itself.
  auto rest = after_address(t, f);
  if (has_reply_code(t.substr(0, f.start)) && !prefix_is_reply(rest.substr(0, std::min<std::size_t>(rest.size(), 4)))) {
    rest = t;
  }
  // "a@b <a@b>": the address said twice carries no reason, nor does the full stop of a sentence.
  if (rest.size() == f.address.size() + 2 && rest.front() == '<' && util::iequals(rest.substr(1, f.address.size()), f.address)) {
    rest = {};
  }
  if (rest == "." || rest == ".)" || rest == ")") rest = {};
  append(rest);
  return true;
}

void TextScanner::append(std::string_view t) {
  if (t.empty()) return;
  if (!cur_->diagnostic.empty()) cur_->diagnostic += ' ';
  cur_->diagnostic += one_line(t, 1000);
}

bool TextScanner::line(std::string_view raw) {
  const auto t = util::trim(raw);
  if (t.empty()) {
    if (cur_ != nullptr && !cur_->diagnostic.empty()) blank_after_ = true;
    return true;
  }
  if (is_separator(t)) {
    cur_ = nullptr;
    return true;
  }
  // A transcript right under a recipient line that gave no reason is that recipient's session
  // ("Recipient: <a@b>" / ">>> RCPT TO:<a@b>" / "<<< 550 ..."); otherwise it explains the recipient
  // line that follows it (sendmail: the session, then "550 <a@b>... User unknown").
  if (is_transcript_line(t) && cur_ != nullptr && (cur_->diagnostic.empty() || attached_)) {
    attached_ = true;
    append(t);
    return true;
  }
  attached_ = false;
  if (is_transcript_line(t) || is_host_summary(t)) {
    if (util::icontains(t.substr(0, 24), "while talking to")) pending_.clear();
    if (pending_.size() < 4000) pending_.append(pending_.empty() ? "" : " ").append(one_line(t, 1000));
    cur_ = nullptr;
    return true;
  }
  if (cur_ != nullptr) {
    if (auto e = expanded_from(t)) {
      cur_->original_address = *e;
      return true;
    }
  }
  std::optional<Found> f;
  if (!is_header_label(t)) f = find_address(t);
  const std::size_t indent = static_cast<std::size_t>(t.data() - raw.data());
  // A deeper-indented line naming the same address continues the reason text (Postfix folds).
  const bool continuation =
      cur_ != nullptr && !blank_after_ && f && (util::iequals(f->address, cur_->address) || indent > cur_indent_);
  if (f && !continuation) {
    const auto prefix = t.substr(0, f->start);
    if (prefix_is_reply(prefix) || prefix_is_bullet(prefix) || prefix_is_lead(prefix)) return anchor(t, *f, indent);
    // A server reply quoting a recipient already named: its reason, wherever it stands.
    if (known(f->address) && has_reply_code(prefix)) return anchor(t, *f, indent);
    if (const auto why = reason_before(prefix, after_address(t, *f)); why && terse_.size() < max_) {
      terse_.push_back(TextRecipient{f->address, one_line(*why, 1000), {}, {}});
    }
  }
  if (cur_ == nullptr || diag_lines_ >= 12) return true;
  // A paragraph after a blank line belongs to the recipient only while it is indented.
  if (blank_after_ && raw.front() != ' ' && raw.front() != '\t') {
    cur_ = nullptr;
    return true;
  }
  append(t);
  ++diag_lines_;
  return true;
}

std::vector<TextRecipient> TextScanner::finish(const std::vector<std::string_view>& lines) {
  if (!out_.empty()) return std::move(out_);
  if (!terse_.empty()) return std::move(terse_);
  // Only the envelope names the recipient: the session's last refusal is its reason.
  const auto rcpts = envelope_recipients(lines, max_);
  if (rcpts.empty()) return {};
  const auto failure = session_failure(lines);
  std::vector<TextRecipient> out;
  for (const auto& a : rcpts) out.push_back(TextRecipient{a, failure.reply, {}, failure.command});
  return out;
}

}  // namespace

std::string notice_reply(std::string_view text) {
  for (const auto raw : util::split_lines(text)) {
    const auto body = strip_transcript_mark(util::trim(raw));
    if (prefix_is_reply(body.substr(0, std::min<std::size_t>(body.size(), 4)))) return one_line(body, 1000);
    // "host mx.example.jp [192.0.2.20]: 550 5.7.0 ..." (Exim): a reply after a colon.
    if (const auto c = body.find(": "); c != std::string_view::npos && c + 6 <= body.size() &&
                                        prefix_is_reply(body.substr(c + 2, 4))) {
      return one_line(body, 1000);
    }
  }
  return {};
}

std::vector<TextRecipient> scan_text(std::string_view text, std::size_t max_recipients) {
  const auto lines = util::split_lines(text);
  TextScanner scanner(max_recipients);
  for (const auto raw : lines) {
    if (!scanner.line(raw)) break;
  }
  return scanner.finish(lines);
}

}  // namespace maildiag::bounce::detail
