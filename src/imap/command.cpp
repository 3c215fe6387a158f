#include "maildiag/imap/command.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::imap {

namespace {

constexpr std::string_view kMask = "********";
constexpr std::size_t kLiteralMinusMax = 4096;

bool quotable(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) return false;
  }
  return true;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool has_line_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

std::string display(const Arg& a) {
  if (a.secret) return a.kind == Arg::Kind::string ? quote(kMask) : std::string(kMask);
  if (a.kind != Arg::Kind::string) return a.value;
  if (quotable(a.value)) return quote(a.value);
  return "{" + std::to_string(a.value.size()) + "} " + a.value;
}

/// Splits the next astring (quoted or atom) off s; nullopt when s does not start with one.
std::optional<std::string> next_astring(std::string_view& s) {
  s = util::trim(s);
  if (s.empty()) return std::nullopt;
  std::string out;
  if (s.front() == '"') {
    std::size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
    }
    if (i >= s.size()) return std::nullopt;
    s.remove_prefix(i + 1);
    return out;
  }
  const auto sp = s.find(' ');
  out = std::string(s.substr(0, sp));
  s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
  return out;
}

}  // namespace

Command Command::make(std::string_view verb, std::vector<Arg> args) {
  return Command{std::string(verb), std::move(args), false};
}

Command Command::continuation_line(std::string_view line, bool secret) {
  return Command{{}, {Arg::raw(line, secret)}, true};
}

std::string Command::redacted(std::string_view tag) const {
  if (continuation) return args.empty() ? std::string() : display(args.front());
  std::string out(tag);
  out += ' ';
  out += verb;
  for (const auto& a : args) out += " " + display(a);
  return out;
}

std::optional<std::vector<std::string>> wire_segments(const Command& cmd, std::string_view tag,
                                                      const LiteralPolicy& policy, std::string* error) {
  auto refuse = [&](std::string message) -> std::optional<std::vector<std::string>> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  std::vector<std::string> segs(1);
  if (cmd.continuation) {
    const auto& line = cmd.args.empty() ? std::string() : cmd.args.front().value;
    if (has_line_break(line)) return refuse("a continuation line must not contain CR, LF or NUL");
    segs.front() = line + "\r\n";
    return segs;
  }
  if (cmd.verb.empty() || cmd.verb.find(' ') != std::string::npos || has_line_break(cmd.verb))
    return refuse("a command needs a verb without spaces or line breaks");
  segs.front() = std::string(tag) + " " + cmd.verb;
  for (const auto& a : cmd.args) {
    auto& cur = segs.back();
    cur += ' ';
    if (a.kind != Arg::Kind::string) {
      if (has_line_break(a.value)) return refuse("an argument must not contain CR, LF or NUL");
      cur += a.value;
    } else if (a.value.find('\0') != std::string::npos) {
      return refuse("a string argument must not contain NUL");
    } else if (quotable(a.value)) {
      cur += quote(a.value);
    } else if (policy.literal_plus || (policy.literal_minus && a.value.size() <= kLiteralMinusMax)) {
      cur += "{" + std::to_string(a.value.size()) + "+}\r\n" + a.value;
    } else {
      cur += "{" + std::to_string(a.value.size()) + "}\r\n";
      segs.push_back(a.value);
    }
  }
  segs.back() += "\r\n";
  return segs;
}

std::optional<Command> parse_command_line(std::string_view line) {
  auto words = util::split_command_line(line);
  if (!words) return std::nullopt;
  const auto& verb = words->verb;
  const auto rest = words->rest;
  Command cmd = Command::make(verb);
  if (rest.empty()) return cmd;
  if (verb == "LOGIN") {
    auto r = rest;
    auto user = next_astring(r);
    auto pass = next_astring(r);
    if (user && pass && util::trim(r).empty()) {
      cmd.args = {Arg::string(*user), Arg::string(*pass, true)};
    } else {
      cmd.args = {Arg::raw(rest, true)};  // unparsable: hide all of it
    }
    return cmd;
  }
  if (verb == "AUTHENTICATE") {
    const auto msp = rest.find(' ');
    cmd.args.push_back(Arg::atom(rest.substr(0, msp)));
    if (msp != std::string_view::npos) cmd.args.push_back(Arg::raw(util::trim(rest.substr(msp + 1)), true));
    return cmd;
  }
  cmd.args = {Arg::raw(rest)};
  return cmd;
}

}  // namespace maildiag::imap
