#pragma once
/// Secrets for AUTH / USER-PASS / LOGIN: where they come from, and how they are kept out of
/// every output. A password is never taken from argv (it would show in `ps` and shell history).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::app {

struct SecretSource {
  std::optional<std::string> file;           ///< --password-file: first line, newline stripped
  std::string env = "MAILDIAG_PASSWORD";     ///< environment variable consulted next
  bool allow_prompt = true;                  ///< finally a no-echo prompt on /dev/tty
  std::string prompt;                        ///< empty: "Password: " in the user's language
};

/// The secret from, in order: the file, the environment variable, a no-echo prompt on the
/// controlling terminal. nullopt and a one-line error when none is available (no TTY, say).
std::optional<std::string> read_secret(const SecretSource& source, std::string* error);

/// Replaces secrets in text before it is shown, logged or put in a transcript. Knows the forms
/// a secret takes on the wire: the plain text, base64 of it (AUTH LOGIN), and base64 of the SASL
/// PLAIN message "\0user\0pass" / "authz\0user\0pass".
class Redactor {
 public:
  static constexpr std::string_view kMask = "<redacted>";
  void add_secret(std::string_view secret);
  /// Also registers the SASL PLAIN and XOAUTH2 encodings for this user and secret.
  void add_credentials(std::string_view user, std::string_view secret);
  [[nodiscard]] std::string apply(std::string_view text) const;
  [[nodiscard]] bool empty() const { return needles_.empty(); }

 private:
  std::vector<std::string> needles_;  // longest first
};

}  // namespace maildiag::app
