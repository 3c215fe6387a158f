#include "maildiag/smtp/sasl.hpp"

#include "maildiag/message/charset.hpp"
#include "maildiag/util/base64.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <array>

namespace maildiag::smtp {

namespace {

constexpr std::array<std::pair<Mechanism, std::string_view>, 5> kNames{{
    {Mechanism::plain, "PLAIN"},
    {Mechanism::login, "LOGIN"},
    {Mechanism::cram_md5, "CRAM-MD5"},
    {Mechanism::xoauth2, "XOAUTH2"},
    {Mechanism::oauthbearer, "OAUTHBEARER"},
}};

bool offered_by(const std::vector<std::string>& offered, Mechanism m) {
  return std::any_of(offered.begin(), offered.end(), [m](const std::string& o) { return util::iequals(o, to_string(m)); });
}

}  // namespace

std::string_view to_string(Mechanism m) {
  for (const auto& [mech, name] : kNames) {
    if (mech == m) return name;
  }
  return "?";
}

std::optional<Mechanism> mechanism_from_string(std::string_view name) {
  for (const auto& [mech, n] : kNames) {
    if (util::iequals(n, name)) return mech;
  }
  return std::nullopt;
}

bool uses_token(Mechanism m) { return m == Mechanism::xoauth2 || m == Mechanism::oauthbearer; }

std::optional<Mechanism> choose_mechanism(const std::vector<std::string>& offered, bool have_token, bool tls,
                                          std::optional<Mechanism> wanted) {
  if (wanted) return offered_by(offered, *wanted) ? wanted : std::nullopt;
  std::vector<Mechanism> order;
  if (have_token) order = {Mechanism::oauthbearer, Mechanism::xoauth2};
  else if (tls) order = {Mechanism::plain, Mechanism::login, Mechanism::cram_md5};
  else order = {Mechanism::cram_md5, Mechanism::plain, Mechanism::login};
  for (auto m : order) {
    if (offered_by(offered, m)) return m;
  }
  return std::nullopt;
}

SaslSession::SaslSession(Mechanism m, SaslCredentials creds, HmacMd5 hmac)
    : mech_(m), creds_(std::move(creds)), hmac_(std::move(hmac)) {}

std::optional<std::string> SaslSession::initial_response() const {
  switch (mech_) {
    case Mechanism::plain: {
      std::string msg = creds_.authzid;
      msg += '\0';
      msg += creds_.user;
      msg += '\0';
      msg += creds_.secret;
      return util::base64_encode(msg);
    }
    case Mechanism::xoauth2:
      return util::base64_encode("user=" + creds_.user + "\x01" + "auth=Bearer " + creds_.secret + "\x01\x01");
    case Mechanism::oauthbearer: {
      std::string msg = "n,a=" + creds_.user + ",\x01";
      if (!creds_.host.empty()) msg += "host=" + creds_.host + "\x01";
      if (creds_.port > 0) msg += "port=" + std::to_string(creds_.port) + "\x01";
      msg += "auth=Bearer " + creds_.secret + "\x01\x01";
      return util::base64_encode(msg);
    }
    case Mechanism::login:
    case Mechanism::cram_md5:
      break;
  }
  return std::nullopt;
}

std::string SaslSession::respond(std::string_view challenge_b64) {
  ++steps_;
  const auto decoded = message::decode_base64(util::trim(challenge_b64));
  const std::string challenge = decoded.value_or(std::string());
  last_challenge_ = util::sanitize(challenge, 512);
  switch (mech_) {
    case Mechanism::login: {
      // Servers send "Username:" then "Password:"; some send other words, so the step decides then.
      const bool wants_user = util::icontains(challenge, "user") ||
                              (!util::icontains(challenge, "pass") && steps_ == 1);
      return util::base64_encode(wants_user ? creds_.user : creds_.secret);
    }
    case Mechanism::cram_md5: {
      const std::string digest = hmac_ ? hmac_(creds_.secret, challenge) : std::string();
      return util::base64_encode(creds_.user + " " + digest);
    }
    case Mechanism::xoauth2:
      return {};  // the challenge is an error document; an empty line ends the exchange (then 535)
    case Mechanism::oauthbearer:
      return util::base64_encode("\x01");  // RFC 7628 §3.2.3: %x01 acknowledges the error
    case Mechanism::plain:
      // The initial response went with AUTH; a server that still asks gets it again.
      return initial_response().value_or(std::string());
  }
  return {};
}

}  // namespace maildiag::smtp
