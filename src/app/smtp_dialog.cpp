// smtp-test policy, part 1: the flow, the greeting, EHLO/HELO and STARTTLS.
// AUTH is in smtp_auth.cpp, the relay probe and MAIL/RCPT/DATA in smtp_transaction.cpp.

#include "maildiag/app/smtp_dialog.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/address.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

namespace maildiag::app {

namespace {

using report::Severity;

/// Evidence text for a reply: its lines as sent, sanitised.
std::string evidence(const codes::Reply& r) { return util::sanitize(r.wire(), 1500); }


}  // namespace

SmtpDialog::SmtpDialog(const SmtpTestOptions& options, const SmtpHostContext& host, const SmtpSecrets& secrets,
                       SmtpSession& session, report::Report& rep, SmtpFacts& facts)
    : opt_(options), host_(host), secrets_(secrets), s_(session), rep_(rep), f_(facts) {
  where_ = net::is_ip_literal(host.name) && host.name.find(':') != std::string::npos
               ? fmt::format("[{}]:{}", host.name, host.port)
               : fmt::format("{}:{}", host.name, host.port);
}

SmtpStage final_stage(const SmtpTestOptions& o) {
  if (o.quit_after) return *o.quit_after;
  if (!o.to.empty()) return o.data ? SmtpStage::data : SmtpStage::rcpt;
  if (o.relay_test) return SmtpStage::rcpt;
  if (o.auth_user) return SmtpStage::auth;
  return SmtpStage::tls;
}

tls::TlsOptions smtp_tls_options(const SmtpTestOptions& o, const SmtpHostContext& host) {
  tls::TlsOptions t;
  t.sni = o.sni.value_or(tls::default_sni(host.name));
  t.names = {host.name};
  t.verify = !o.no_verify;
  t.ca_file = o.ca_file;
  t.tlsa = host.tlsa;
  t.expiry_warn_days = o.expiry_warn_days;
  return t;
}

bool SmtpDialog::stop_after(SmtpStage stage) const { return final_stage(opt_) == stage; }

bool SmtpDialog::tls_optional() const {
  // Opportunistic STARTTLS between MTAs (RFC 3207 §4.1; RFC 7435): most senders do not verify.
  // Submission (587), implicit TLS and --starttls require are not opportunistic.
  return !opt_.tls_on_connect && opt_.starttls == StartTlsMode::automatic && host_.port != 587;
}

bool SmtpDialog::run() {
  f_.stage = "banner";
  const double t = s_.elapsed_ms();
  if (opt_.tls_on_connect && !handshake("implicit TLS")) return true;
  if (!greeting()) return !temp_refusal_;
  f_.banner_ms = s_.elapsed_ms() - t;
  if (stop_after(SmtpStage::connect) || stop_after(SmtpStage::banner)) {
    f_.completed = true;
    return true;
  }
  f_.stage = "ehlo";
  if (!hello(false)) return true;
  if (stop_after(SmtpStage::ehlo)) {
    f_.completed = true;
    return true;
  }
  f_.stage = "tls";
  if (!starttls()) return true;
  if (stop_after(SmtpStage::tls)) {
    f_.completed = true;
    return true;
  }
  if (opt_.relay_test && !relay_probe()) return true;
  if (opt_.auth_user) f_.stage = "auth";
  if (!auth()) return true;
  if (stop_after(SmtpStage::auth)) {
    f_.completed = true;
    return true;
  }
  f_.completed = transaction();
  return true;
}

std::optional<smtp::event::Reply> SmtpDialog::reply(const char* waiting_for) {
  for (;;) {
    auto ev = s_.next(waiting_for);
    if (!ev) return std::nullopt;
    if (auto* r = std::get_if<smtp::event::Reply>(&*ev)) {
      if (r->unsolicited) {
        rep_.add(Severity::critical, "smtp.closing", i18n::text("smtp.closing.title"), i18n::text("smtp.closing.detail"),
                 evidence(r->reply));
        return std::nullopt;
      }
      return std::move(*r);
    }
    if (std::holds_alternative<smtp::event::Capabilities>(*ev)) continue;
    if (auto* e = std::get_if<smtp::event::ProtocolError>(&*ev)) {
      protocol_error(*e);
      return std::nullopt;
    }
    if (std::holds_alternative<smtp::event::Closed>(*ev)) {
      rep_.add(Severity::critical, "smtp.closed",
               i18n::format("smtp.closed.waiting.title", {waiting_text(waiting_for)}),
               i18n::text("smtp.closed.waiting.detail"));
      return std::nullopt;
    }
    // ReadyForTls / Greeting cannot come here in a correct flow; treat as a protocol slip.
    return std::nullopt;
  }
}

void SmtpDialog::protocol_error(const smtp::event::ProtocolError& e) {
  const bool injection = e.kind == smtp::ErrorKind::data_after_starttls;
  const std::string kind(smtp::to_string(e.kind));  // a protocol token: stays as it is
  rep_.add(Severity::critical, injection ? "smtp.starttls.injection" : "smtp.protocol." + kind,
           injection ? i18n::text("smtp.starttls.injection.title") : i18n::format("smtp.protocol.title", {kind}), e.message,
           {}, injection ? i18n::text("smtp.starttls.injection.fix") : i18n::text("smtp.protocol.fix"));
}

bool SmtpDialog::greeting() {
  auto ev = s_.next("the greeting (220)");
  if (!ev) return false;
  if (auto* e = std::get_if<smtp::event::ProtocolError>(&*ev)) {
    protocol_error(*e);
    s_.quit();
    return false;
  }
  if (std::holds_alternative<smtp::event::Closed>(*ev)) {
    rep_.add(Severity::critical, "smtp.closed", i18n::text("smtp.closed.greeting.title"), i18n::text("smtp.closed.greeting.detail"));
    return false;
  }
  const auto* g = std::get_if<smtp::event::Greeting>(&*ev);
  if (g == nullptr) return false;
  f_.banner = g->reply;
  if (g->reply.code == 220) return true;
  const auto c = codes::classify(g->reply);
  temp_refusal_ = g->reply.reply_class() == 4;
  rep_.add(Severity::critical, "smtp.banner.rejected",
           i18n::format("smtp.banner.rejected.title", {std::to_string(g->reply.code)}),
           i18n::text(temp_refusal_ ? "smtp.banner.rejected.detail.4xx" : "smtp.banner.rejected.detail.5xx"),
           evidence(g->reply), c.remediation);
  s_.quit();
  return false;
}

bool SmtpDialog::hello(bool after_tls) {
  if (helo_name_.empty()) {
    helo_name_ = opt_.helo;
    if (helo_name_.empty()) {
      // An address literal of our side (RFC 5321 §4.1.4) when no name was given.
      auto local = s_.local();
      const auto colon = local.rfind(':');
      if (colon != std::string::npos) local = local.substr(0, colon);
      if (!local.empty() && local.front() == '[') local = local.substr(1, local.size() - 2);
      helo_name_ = local.find(':') != std::string::npos ? "[IPv6:" + local + "]" : "[" + local + "]";
    }
  }
  auto cmd = smtp::ehlo(helo_name_);
  if (!cmd || s_.send(*cmd)) return false;
  auto r = reply("the reply to EHLO");
  if (!r) return false;
  if (r->reply.code == 250) {
    const auto& caps = s_.engine().capabilities();
    if (after_tls) f_.caps_tls = caps;
    else {
      f_.hello = r->reply;
      f_.caps = caps;
      if (!caps.auth.empty() && !s_.tls())
        rep_.add(Severity::warning, "smtp.auth.before-tls", i18n::text("smtp.auth.before-tls.title"),
                 i18n::format("smtp.auth.before-tls.detail", {util::sanitize(caps.auth.front(), 40)}),
                 evidence(r->reply), i18n::text("smtp.auth.before-tls.fix"));
    }
    return true;
  }
  if (after_tls || r->reply.code == 421 || r->reply.code == 554) {
    rep_.add(Severity::critical, after_tls ? "smtp.ehlo-tls.refused" : "smtp.ehlo.refused",
             i18n::format(after_tls ? "smtp.ehlo-tls.refused.title" : "smtp.ehlo.refused.title",
                          {std::to_string(r->reply.code)}),
             "", evidence(r->reply), codes::classify(r->reply).remediation);
    s_.quit();
    return false;
  }
  // RFC 5321 §3.2: a server without ESMTP answers EHLO with an error; fall back to HELO.
  auto h = smtp::helo(helo_name_);
  if (!h || s_.send(*h)) return false;
  auto hr = reply("the reply to HELO");
  if (!hr) return false;
  f_.hello = hr->reply;
  if (hr->reply.code != 250) {
    rep_.add(Severity::critical, "smtp.helo.refused",
             i18n::format("smtp.helo.refused.title", {std::to_string(hr->reply.code)}),
             "", evidence(hr->reply), codes::classify(hr->reply).remediation);
    s_.quit();
    return false;
  }
  f_.esmtp = false;
  rep_.add(Severity::warning, "smtp.esmtp.missing", i18n::text("smtp.esmtp.missing.title"), i18n::text("smtp.esmtp.missing.detail"),
           evidence(r->reply), i18n::text("smtp.esmtp.missing.fix"));
  return true;
}

bool SmtpDialog::starttls() {
  if (opt_.tls_on_connect) return true;
  const auto& caps = f_.caps;
  if (opt_.starttls == StartTlsMode::never) {
    if (caps.starttls)
      rep_.add(Severity::info, "smtp.starttls.skipped", i18n::text("smtp.starttls.skipped.title"), {}, {},
               i18n::text("smtp.starttls.skipped.fix"));
    return true;
  }
  if (!caps.starttls) {
    const auto sev = opt_.starttls == StartTlsMode::require ? Severity::critical : Severity::warning;
    rep_.add(sev, "smtp.starttls.missing", i18n::text("smtp.starttls.missing.title"), i18n::text("smtp.starttls.missing.detail"),
             f_.hello ? evidence(*f_.hello) : std::string(), i18n::text("smtp.starttls.missing.fix"));
    if (opt_.starttls == StartTlsMode::require) {
      s_.quit();
      return false;
    }
    return true;
  }
  if (s_.send(smtp::starttls())) return false;
  auto r = reply("the reply to STARTTLS");
  if (!r) return false;
  f_.starttls_reply = r->reply;
  if (r->reply.code != 220) {
    const bool req = opt_.starttls == StartTlsMode::require;
    rep_.add(req ? Severity::critical : Severity::warning, "smtp.starttls.refused",
             i18n::format("smtp.starttls.refused.title", {std::to_string(r->reply.code)}),
             i18n::text("smtp.starttls.refused.detail"), evidence(r->reply), i18n::text("smtp.starttls.refused.fix"));
    if (req) {
      s_.quit();
      return false;
    }
    return true;
  }
  auto ev = s_.next("the TLS switch");
  if (!ev) return false;
  if (auto* e = std::get_if<smtp::event::ProtocolError>(&*ev)) {
    protocol_error(*e);
    s_.quit();
    return false;
  }
  if (!std::holds_alternative<smtp::event::ReadyForTls>(*ev)) return false;
  if (!handshake("STARTTLS")) return false;
  return hello(true);
}

bool SmtpDialog::handshake(const char* how) {
  auto r = s_.start_tls(smtp_tls_options(opt_, host_));
  if (s_.interrupted()) return false;  // Ctrl-C cut the handshake: no verdict on a half-done one
  f_.tls_how = how;
  if (!r.injected.empty()) {
    rep_.add(Severity::critical, "smtp.starttls.injection", i18n::text("smtp.starttls.injected.title"),
             i18n::text("smtp.starttls.injected.detail"), util::sanitize(r.injected, 300),
             i18n::text("smtp.starttls.injected.fix"));
  }
  f_.tls = r.report;
  const std::size_t first = rep_.findings.size();
  tls::add_findings(rep_, r.report, "smtp.tls", where_);
  adjust_tls_findings(first);
  return r.ok;
}

void SmtpDialog::adjust_tls_findings(std::size_t first) {
  for (std::size_t i = first; i < rep_.findings.size(); ++i) {
    auto& fd = rep_.findings[i];
    if (fd.severity != Severity::critical) continue;
    const bool verification = fd.id == "smtp.tls.chain" || fd.id == "smtp.tls.name" || fd.id == "smtp.tls.expiry";
    if (verification && tls_optional()) {
      fd.severity = Severity::warning;
      fd.detail += i18n::msg("smtp.tls.opportunistic.note");
    } else if (fd.id == "smtp.tls.dane" && !host_.tlsa_secure) {
      fd.severity = Severity::warning;
      fd.detail += i18n::msg("smtp.tls.dane-unvalidated.note");
    }
  }
}

}  // namespace maildiag::app
