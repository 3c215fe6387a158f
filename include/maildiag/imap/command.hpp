#pragma once
/// IMAP commands as data and their wire form. Strings are sent quoted (with \ and " escaped)
/// when they are 7-bit, else as literals: non-synchronizing "{n+}" with LITERAL+ (or LITERAL-
/// up to 4096 octets, RFC 7888), else synchronizing "{n}", whose octets wait for the server's
/// "+" continuation. Secret arguments (the LOGIN password, SASL responses) have a redacted form.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::imap {

struct Arg {
  enum class Kind { atom, string, raw };
  Kind kind = Kind::atom;
  std::string value;
  bool secret = false;

  static Arg atom(std::string_view v) { return Arg{Kind::atom, std::string(v), false}; }
  static Arg string(std::string_view v, bool secret = false) { return Arg{Kind::string, std::string(v), secret}; }
  /// Sent as given (a parenthesised list, a sequence set, text typed by a user).
  static Arg raw(std::string_view v, bool secret = false) { return Arg{Kind::raw, std::string(v), secret}; }
};

struct Command {
  std::string verb;  ///< upper-case by convention ("EXAMINE")
  std::vector<Arg> args;
  /// A bare line answering a "+" continuation (an AUTHENTICATE step): args[0], untagged.
  bool continuation = false;

  static Command make(std::string_view verb, std::vector<Arg> args = {});
  static Command continuation_line(std::string_view line, bool secret = true);

  /// The line as it may be shown: tag, verb, arguments with secrets as "********".
  [[nodiscard]] std::string redacted(std::string_view tag) const;
};

/// How string arguments that need a literal are sent (from the server's capabilities).
struct LiteralPolicy {
  bool literal_plus = false;          ///< LITERAL+: every literal may be non-synchronizing
  bool literal_minus = false;         ///< LITERAL-: non-synchronizing up to 4096 octets
};

/// The bytes of a command: segments[0] goes out at once; each further segment only after a
/// "+" continuation from the server (synchronizing literals). nullopt (with a reason) when an
/// argument cannot be sent at all (NUL, CR or LF in an atom or raw argument).
std::optional<std::vector<std::string>> wire_segments(const Command& cmd, std::string_view tag,
                                                      const LiteralPolicy& policy, std::string* error = nullptr);

/// A line typed by a user (interactive mode, without a tag): "select inbox" -> SELECT + raw
/// "inbox". LOGIN's password and AUTHENTICATE's initial response are marked secret.
std::optional<Command> parse_command_line(std::string_view line);

}  // namespace maildiag::imap
