#include "maildiag/codes/reply.hpp"

#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::codes {

namespace {

struct CodeText {
  int code;
  std::string_view text;
};

// RFC 5321 §4.2.2-4.2.3, plus RFC 4954 (AUTH), RFC 7504 (521/556), RFC 3030 (CHUNKING),
// RFC 2034/3463 and the common 252/551 forms.
constexpr std::array<CodeText, 32> kCodes{{
    {211, "System status, or system help reply"},
    {214, "Help message"},
    {220, "Service ready"},
    {221, "Service closing transmission channel"},
    {235, "Authentication succeeded (RFC 4954)"},
    {250, "Requested mail action okay, completed"},
    {251, "User not local; will forward"},
    {252, "Cannot VRFY user, but will accept message and attempt delivery"},
    {334, "Server challenge for authentication (RFC 4954)"},
    {354, "Start mail input; end with <CRLF>.<CRLF>"},
    {421, "Service not available, closing transmission channel"},
    {432, "A password transition is needed (RFC 4954)"},
    {450, "Requested mail action not taken: mailbox unavailable (busy or temporarily blocked)"},
    {451, "Requested action aborted: local error in processing"},
    {452, "Requested action not taken: insufficient system storage"},
    {454, "Temporary authentication failure (RFC 4954) / TLS not available due to temporary reason (RFC 3207)"},
    {455, "Server unable to accommodate parameters"},
    {500, "Syntax error, command unrecognized (or command line too long)"},
    {501, "Syntax error in parameters or arguments"},
    {502, "Command not implemented"},
    {503, "Bad sequence of commands"},
    {504, "Command parameter not implemented"},
    {521, "Host does not accept mail (RFC 7504)"},
    {530, "Authentication required (RFC 4954)"},
    {534, "Authentication mechanism is too weak (RFC 4954)"},
    {535, "Authentication credentials invalid (RFC 4954)"},
    {538, "Encryption required for requested authentication mechanism (RFC 4954)"},
    {550, "Requested action not taken: mailbox unavailable (not found, no access, or policy rejection)"},
    {551, "User not local; please try the forward-path"},
    {552, "Requested mail action aborted: exceeded storage allocation"},
    {553, "Requested action not taken: mailbox name not allowed"},
    {554, "Transaction failed (or, as a banner: no SMTP service here)"},
}};

constexpr CodeText kExtra{555, "MAIL FROM/RCPT TO parameters not recognized or not implemented"};
constexpr CodeText kExtra2{556, "Domain does not accept mail (RFC 7504)"};

std::string_view class_meaning(int code) {
  switch (code / 100) {
    case 2: return "Positive completion (success)";
    case 3: return "Positive intermediate (send more)";
    case 4: return "Transient negative completion (temporary failure: try again later)";
    case 5: return "Permanent negative completion (permanent failure: do not retry as is)";
    default: return "Not a valid SMTP reply code";
  }
}

/// A line "NNN-text", "NNN text" or "NNN": code, continuation flag, text.
struct Line {
  int code;
  bool more;
  std::string_view text;
};

std::optional<Line> parse_line(std::string_view l) {
  if (l.size() < 3) return std::nullopt;
  for (std::size_t i = 0; i < 3; ++i) {
    if (l[i] < '0' || l[i] > '9') return std::nullopt;
  }
  Line out{(l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0'), false, {}};
  if (l.size() == 3) return out;
  if (l[3] == '-') out.more = true;
  else if (l[3] != ' ' && l[3] != '\t') return std::nullopt;
  out.text = l.substr(4);
  return out;
}

}  // namespace

bool is_valid_code(int code) {
  const int a = code / 100;
  const int b = (code / 10) % 10;
  return code >= 200 && code <= 599 && a >= 2 && a <= 5 && b <= 5;
}

bool is_standard_code(int code) {
  for (const auto& c : kCodes) {
    if (c.code == code) return true;
  }
  return code == kExtra.code || code == kExtra2.code;
}

std::string_view code_meaning(int code) {
  for (const auto& c : kCodes) {
    if (c.code == code) return c.text;
  }
  if (code == kExtra.code) return kExtra.text;
  if (code == kExtra2.code) return kExtra2.text;
  return class_meaning(code);
}

std::string Reply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (i > 0) {
      std::size_t used = 0;
      if (enhanced && parse_enhanced_prefix(l, &used)) l.remove_prefix(used);
      if (!out.empty()) out += ' ';
    } else if (enhanced) {
      std::size_t used = 0;
      if (parse_enhanced_prefix(l, &used)) l.remove_prefix(used);
    }
    out += util::trim(l);
  }
  return out;
}

std::string Reply::wire() const {
  std::string out;
  const std::string c = code == 0 ? std::string("???") : std::to_string(code);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += c;
    out += (i + 1 < lines.size()) ? '-' : ' ';
    out += lines[i];
  }
  if (lines.empty()) out = c;
  return out;
}

std::optional<Reply> parse_reply(std::string_view text, ReplyParseError* err) {
  auto fail = [&](std::string msg) -> std::optional<Reply> {
    if (err != nullptr) err->message = std::move(msg);
    return std::nullopt;
  };
  const std::string_view t = util::trim(text);
  if (t.empty()) return fail("empty input: expected a reply such as \"550 5.1.1 User unknown\"");

  // A bare enhanced status code ("5.1.1" or "5.1.1 text").
  std::size_t used = 0;
  if (auto e = parse_enhanced_prefix(t, &used); e && (used == t.size() || t[used - 1] == ' ')) {
    Reply r;
    r.enhanced = e;
    r.lines.emplace_back(util::trim(t));
    return r;
  }

  Reply r;
  const auto lines = util::split_lines(t);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view raw = util::trim(lines[i]);
    if (raw.empty()) continue;
    auto l = parse_line(raw);
    if (!l) {
      if (i == 0) return fail("no three-digit reply code at the start: \"" + util::sanitize(raw, 40) + "\"");
      return fail("line " + std::to_string(i + 1) + " has no reply code: \"" + util::sanitize(raw, 40) + "\"");
    }
    if (r.code != 0 && l->code != r.code)
      return fail("lines carry different reply codes (" + std::to_string(r.code) + " and " +
                  std::to_string(l->code) + ")");
    r.code = l->code;
    r.lines.emplace_back(l->text);
  }
  if (!is_valid_code(r.code))
    return fail("\"" + std::to_string(r.code) + "\" is not a valid SMTP reply code (2xx-5xx)");
  if (!r.lines.empty()) r.enhanced = parse_enhanced_prefix(r.lines.front());
  return r;
}

}  // namespace maildiag::codes
