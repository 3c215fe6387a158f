#pragma once
/// POP3 commands as data: the verb, its argument, and the reply shape (single- or multi-line)
/// taken from one constexpr table, as curl's pop3cmds[] does. A command that carries a secret
/// (PASS, APOP, AUTH and SASL responses) knows its redacted form, so no caller can log it by accident.

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::pop3 {

/// One row of the shape table: does a +OK reply to this verb carry a dot-terminated body?
struct CommandShape {
  std::string_view verb;
  bool multiline_without_argument;
  bool multiline_with_argument;
  bool secret_argument;  ///< the argument must never be shown (PASS, APOP digest, AUTH response)
};

/// Shape of a verb (case-insensitive). Unknown verbs (X-extensions typed interactively) are
/// single-line and not secret.
CommandShape shape_of(std::string_view verb);

struct Command {
  std::string verb;      ///< upper-case by convention ("LIST"); sent as given
  std::string argument;  ///< empty for none; must not contain CR, LF or NUL
  /// A bare SASL response line (RFC 5034 continuation answer): sent without verb, always secret.
  bool sasl_response = false;

  /// Expects a dot-terminated body after +OK (shape table + whether an argument is present).
  [[nodiscard]] bool multiline() const;
  /// The wire form without CRLF ("LIST 1").
  [[nodiscard]] std::string text() const;
  /// The wire form with secrets replaced ("PASS ********", "AUTH PLAIN ********").
  [[nodiscard]] std::string redacted() const;

  static Command make(std::string_view verb, std::string_view argument = {});
  static Command sasl(std::string_view response) { return Command{{}, std::string(response), true}; }
};

/// Parses a line typed by a user (interactive mode) into a command; nullopt for an empty line.
std::optional<Command> parse_command_line(std::string_view line);

}  // namespace maildiag::pop3
