#pragma once
/// SASL client mechanisms for SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN, CRAM-MD5
/// (RFC 2195), XOAUTH2 (Google/Microsoft) and OAUTHBEARER (RFC 7628). Pure: the one piece of
/// cryptography (HMAC-MD5 for CRAM-MD5) is passed in by the caller, so no OpenSSL here.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::smtp {

enum class Mechanism { plain, login, cram_md5, xoauth2, oauthbearer };
std::string_view to_string(Mechanism m);   ///< "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"
std::optional<Mechanism> mechanism_from_string(std::string_view name);
/// True for the OAuth mechanisms (their secret is a bearer token, not a password).
bool uses_token(Mechanism m);

/// Picks the mechanism to use from the server's list: the one asked for when offered; else for a
/// token OAUTHBEARER, then XOAUTH2; for a password PLAIN, LOGIN, CRAM-MD5 — except over plain
/// text, where CRAM-MD5 comes first because it does not reveal the password.
std::optional<Mechanism> choose_mechanism(const std::vector<std::string>& offered, bool have_token, bool tls,
                                          std::optional<Mechanism> wanted = std::nullopt);

struct SaslCredentials {
  std::string user;
  std::string secret;         ///< password, or the bearer token for the OAuth mechanisms
  std::string authzid;        ///< PLAIN authorisation identity, normally empty
  std::string host;           ///< OAUTHBEARER host and port
  int port = 0;
};

/// HMAC-MD5(key, message) as 32 lower-case hex digits (supplied by the caller: OpenSSL in app/).
using HmacMd5 = std::function<std::string(std::string_view key, std::string_view message)>;

/// One AUTH exchange. initial_response() goes on the AUTH line; respond() answers each 334.
class SaslSession {
 public:
  SaslSession(Mechanism m, SaslCredentials creds, HmacMd5 hmac = {});
  [[nodiscard]] Mechanism mechanism() const { return mech_; }
  /// Base64 initial response for the AUTH line (PLAIN, XOAUTH2, OAUTHBEARER), nullopt otherwise.
  [[nodiscard]] std::optional<std::string> initial_response() const;
  /// The line to send for a 334 challenge (its text, base64). For OAuth a second 334 carries the
  /// server's error JSON: the answer is then the empty line / %x01 that RFC 7628 asks for.
  std::string respond(std::string_view challenge_b64);
  /// The last challenge, decoded and sanitised (LOGIN's "Username:", an OAuth error document).
  [[nodiscard]] const std::string& last_challenge() const { return last_challenge_; }
  [[nodiscard]] int steps() const { return steps_; }

 private:
  Mechanism mech_;
  SaslCredentials creds_;
  HmacMd5 hmac_;
  std::string last_challenge_;
  int steps_ = 0;
};

}  // namespace maildiag::smtp
