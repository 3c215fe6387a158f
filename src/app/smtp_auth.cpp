// smtp-test policy, part 2: AUTH (RFC 4954) with PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER.
// Credentials never travel in plain text unless --allow-plaintext-auth; they never reach output.

#include "maildiag/app/smtp_dialog.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/smtp/sasl.hpp"
#include "maildiag/util/text.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace maildiag::app {

namespace {

using report::Severity;

constexpr int kMaxSaslSteps = 6;

using i18n::text;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

std::string hmac_md5_hex(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), out, &len) == nullptr)
    return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xF];
  }
  return hex;
}

bool SmtpDialog::auth() {
  if (!opt_.auth_user) return true;
  const auto& caps = f_.caps_tls ? *f_.caps_tls : f_.caps;
  if (caps.auth.empty()) {
    const bool later = !s_.tls() && f_.caps.starttls && opt_.starttls == StartTlsMode::never;
    rep_.add(Severity::critical, "smtp.auth.not-offered", i18n::text("smtp.auth.not-offered.title"),
             text(later ? "smtp.auth.not-offered.detail.later" : "smtp.auth.not-offered.detail"), {},
             i18n::text("smtp.auth.not-offered.fix"));
    s_.quit();
    return false;
  }
  if (!s_.tls() && !opt_.allow_plaintext_auth) {
    rep_.add(f_.caps.starttls ? Severity::unknown : Severity::critical, "smtp.auth.plaintext-refused",
             i18n::text("smtp.auth.plaintext-refused.title"),
             text(f_.caps.starttls ? "smtp.auth.plaintext-refused.detail.skipped"
                                  : "smtp.auth.plaintext-refused.detail.no-tls"),
             {}, i18n::text("smtp.auth.plaintext-refused.fix"));
    s_.quit();
    return false;
  }
  const auto mech = smtp::choose_mechanism(caps.auth, secrets_.token, s_.tls(), opt_.auth_mech);
  if (!mech) {
    rep_.add(Severity::critical, "smtp.auth.no-mechanism",
             opt_.auth_mech ? i18n::format("smtp.auth.no-mechanism.title.asked",
                                           {std::string(smtp::to_string(*opt_.auth_mech))})
                            : i18n::text("smtp.auth.no-mechanism.title"),
             i18n::format(secrets_.token ? "smtp.auth.no-mechanism.detail.token" : "smtp.auth.no-mechanism.detail",
                          {util::sanitize(join(caps.auth), 300)}),
             {}, i18n::text("smtp.auth.no-mechanism.fix"));
    s_.quit();
    return false;
  }
  f_.auth_mechanism = std::string(smtp::to_string(*mech));
  smtp::SaslSession sasl(*mech, {*opt_.auth_user, secrets_.secret, "", host_.name, host_.port}, hmac_md5_hex);
  const auto initial = sasl.initial_response();
  auto cmd = smtp::auth(smtp::to_string(*mech),
                        initial ? std::optional<std::string_view>(*initial) : std::nullopt);
  if (!cmd) return false;
  // RFC 4954 §4: AUTH PLAIN with its initial response may lead the MAIL/RCPT/DATA group, saving
  // a round trip; its reply is then read first by the transaction (auth_pending_).
  const auto& caps_now = s_.engine().capabilities();
  const bool transaction_follows = !opt_.to.empty() && final_stage(opt_) != SmtpStage::auth;
  if (cmd->may_be_followed && caps_now.pipelining && opt_.pipelining && transaction_follows) {
    if (s_.send(*cmd, false)) return false;
    auth_pending_ = true;
    return true;
  }
  if (s_.send(*cmd)) return false;
  std::optional<smtp::event::Reply> r;
  for (int step = 0; step < kMaxSaslSteps; ++step) {
    r = reply("the reply to AUTH");
    if (!r) return false;
    if (r->reply.code != 334) break;
    const auto challenge = r->reply.lines.empty() ? std::string() : r->reply.lines.front();
    auto resp = smtp::auth_response(sasl.respond(challenge));
    if (!resp || s_.send(*resp)) return false;
  }
  if (!r) return false;
  if (auth_result(r->reply, sasl.last_challenge())) return true;
  if (r->reply.code == 334 && s_.send(smtp::auth_cancel())) return false;
  if (r->reply.code == 334) reply("the reply to the AUTH cancel");
  s_.quit();
  return false;
}

bool SmtpDialog::auth_result(const codes::Reply& r, const std::string& challenge) {
  f_.auth_reply = r;
  f_.auth_ok = r.code == 235;
  if (*f_.auth_ok) {
    rep_.add(Severity::ok, "smtp.auth.ok",
             i18n::format("smtp.auth.ok.title", {f_.auth_mechanism, util::sanitize(*opt_.auth_user, 200)}), {},
             util::sanitize(r.wire(), 300));
    return true;
  }
  const auto c = codes::classify(r);
  std::string detail =
      r.code == 334 ? i18n::text("smtp.auth.failed.challenges") : std::string(codes::info(c.reason).description);
  const auto mech = smtp::mechanism_from_string(f_.auth_mechanism);
  if (!challenge.empty() && mech && smtp::uses_token(*mech))
    detail += i18n::format("smtp.auth.failed.error-document", {challenge});
  rep_.add(Severity::critical, "smtp.auth.failed",
           i18n::format("smtp.auth.failed.title", {f_.auth_mechanism, util::sanitize(*opt_.auth_user, 200),
                                                   std::to_string(r.code)}),
           detail, util::sanitize(r.wire(), 500), c.remediation);
  return false;
}

bool SmtpDialog::settle_pending_auth() {
  if (!auth_pending_) return true;
  auth_pending_ = false;
  if (!s_.flush()) return false;
  auto r = reply("the reply to AUTH");
  return r && auth_result(r->reply, {});
}

}  // namespace maildiag::app
