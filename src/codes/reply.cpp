#include "maildiag/codes/reply.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>

#include <array>

namespace maildiag::codes {

namespace {

// Codes defined by RFC 5321 §4.2.2-4.2.3, RFC 4954 (AUTH), RFC 7504 (521/556), RFC 3207 and
// RFC 1869 (555). Their meanings are in the message catalog as "code.<NNN>".
constexpr std::array<int, 34> kStandardCodes{211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432,
                                             450, 451, 452, 454, 455, 500, 501, 502, 503, 504, 521, 530,
                                             534, 535, 538, 550, 551, 552, 553, 554, 555, 556};

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
  return std::find(kStandardCodes.begin(), kStandardCodes.end(), code) != kStandardCodes.end();
}

std::string_view code_meaning(int code) {
  if (is_standard_code(code)) return i18n::msg("code." + std::to_string(code));
  const int cls = is_valid_code(code) ? code / 100 : 0;
  return i18n::msg("code.class." + std::to_string(cls));
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
