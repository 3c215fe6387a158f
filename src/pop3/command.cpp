#include "maildiag/pop3/command.hpp"

#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::pop3 {

namespace {

constexpr std::string_view kMask = "********";

// RFC 1939, 2449 (CAPA), 5034 (AUTH), 2595 (STLS), 6856 (UTF8, LANG). "AUTH" without an argument
// is the pre-RFC mechanism list some servers still answer with a body; "LANG" without one lists
// languages. TOP and RETR always take arguments.
constexpr std::array<CommandShape, 18> kShapes{{
    {"CAPA", true, true, false},   {"LIST", true, false, false}, {"UIDL", true, false, false},
    {"TOP", true, true, false},    {"RETR", true, true, false},  {"AUTH", true, false, true},
    {"LANG", true, false, false},  {"USER", false, false, false}, {"PASS", false, false, true},
    {"APOP", false, false, true},  {"STAT", false, false, false}, {"NOOP", false, false, false},
    {"RSET", false, false, false}, {"DELE", false, false, false}, {"QUIT", false, false, false},
    {"STLS", false, false, false}, {"UTF8", false, false, false}, {"XTND", false, false, false},
}};

}  // namespace

CommandShape shape_of(std::string_view verb) {
  for (const auto& s : kShapes) {
    if (util::iequals(s.verb, verb)) return s;
  }
  return CommandShape{verb, false, false, false};
}

bool Command::multiline() const {
  if (sasl_response) return false;
  const auto s = shape_of(verb);
  return argument.empty() ? s.multiline_without_argument : s.multiline_with_argument;
}

std::string Command::text() const {
  if (sasl_response) return argument;
  return argument.empty() ? verb : verb + " " + argument;
}

std::string Command::redacted() const {
  if (sasl_response) return argument == "*" ? argument : std::string(kMask);
  if (argument.empty() || !shape_of(verb).secret_argument) return text();
  if (util::iequals(verb, "APOP")) {
    // The user name is not secret; the digest is (it can be replayed against the same stamp).
    const auto sp = argument.find(' ');
    return verb + " " + (sp == std::string::npos ? std::string(kMask) : argument.substr(0, sp) + " " + std::string(kMask));
  }
  if (util::iequals(verb, "AUTH")) {
    // Keep the mechanism name, hide the initial response.
    const auto sp = argument.find(' ');
    return sp == std::string::npos ? text() : verb + " " + argument.substr(0, sp) + " " + std::string(kMask);
  }
  return verb + " " + std::string(kMask);
}

Command Command::make(std::string_view verb, std::string_view argument) {
  return Command{std::string(verb), std::string(argument), false};
}

std::optional<Command> parse_command_line(std::string_view line) {
  auto words = util::split_command_line(line);
  if (!words) return std::nullopt;
  return Command::make(words->verb, words->rest);
}

}  // namespace maildiag::pop3
