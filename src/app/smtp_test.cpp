// `maildiag smtp-test`: checks the usage, reads secrets before any connection, walks the
// target hosts (MX order with fallback, as an MTA does) and runs the dialog on the first that
// answers; then builds the tables and the JSON.

#include "maildiag/app/smtp_test.hpp"

#include "interrupted.hpp"
#include "maildiag/app/smtp_dialog.hpp"
#include "maildiag/app/smtp_report.hpp"
#include "maildiag/app/smtp_target.hpp"
#include "maildiag/dns/idn.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/address.hpp"
#include "maildiag/smtp/test_message.hpp"
#include "maildiag/tls/session.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace maildiag::app {

namespace {

using report::Severity;

constexpr std::array<std::pair<SmtpStage, std::string_view>, 8> kStages{{
    {SmtpStage::connect, "connect"},
    {SmtpStage::banner, "banner"},
    {SmtpStage::ehlo, "ehlo"},
    {SmtpStage::tls, "tls"},
    {SmtpStage::auth, "auth"},
    {SmtpStage::mail, "mail"},
    {SmtpStage::rcpt, "rcpt"},
    {SmtpStage::data, "data"},
}};


bool fail(std::string* error, std::string text) {
  if (error != nullptr) *error = std::move(text);
  return false;
}

/// Every address, header and name the user gave must be fit for the wire before we connect.
bool check_usage(const SmtpTestOptions& o, std::string* error) {
  smtp::CommandError err;
  if (!smtp::mail_from(o.from, {}, &err)) return fail(error, "--from: " + err.message);
  for (const auto& t : o.to) {
    if (!smtp::rcpt_to(t, {}, &err)) return fail(error, "--to: " + err.message);
  }
  if (o.relay_test && (!smtp::mail_from(o.relay_from, {}, &err) || !smtp::rcpt_to(o.relay_to, {}, &err)))
    return fail(error, i18n::format("smtp.usage.relay-address", {err.message}));
  if (!o.helo.empty() && !smtp::ehlo(o.helo, &err)) return fail(error, "--helo: " + err.message);
  for (const auto& h : o.headers) {
    if (!smtp::valid_header_line(h)) return fail(error, i18n::format("smtp.usage.header", {util::sanitize(h, 60)}));
  }
  if (o.data && o.to.empty()) return fail(error, i18n::text("smtp.usage.data-needs-to"));
  if (o.quit_after == SmtpStage::data && !o.data) return fail(error, i18n::text("smtp.usage.quit-after-data"));
  if (o.auth_user && o.auth_user->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    return fail(error, i18n::text("smtp.usage.auth-user"));
  if (o.data_file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(*o.data_file, ec);
    if (ec) return fail(error, "--data-file " + util::sanitize(*o.data_file, 200) + ": " + ec.message());
    if (size > (64u << 20)) return fail(error, i18n::text("smtp.usage.data-file-size"));
  }
  if (o.source && !net::Address::parse(*o.source))
    return fail(error, i18n::format("smtp.usage.source", {util::sanitize(*o.source, 60)}));
  if (!o.ca_file.empty() && !std::filesystem::exists(o.ca_file))
    return fail(error, i18n::format("smtp.usage.ca-file", {util::sanitize(o.ca_file, 200)}));
  return true;
}

/// The secret for AUTH: a bearer token (file, then environment) for the OAuth mechanisms,
/// otherwise the password (file, environment, prompt).
std::optional<SmtpSecrets> read_secrets(const SmtpTestOptions& o, std::string* error) {
  SmtpSecrets s;
  if (!o.auth_user) return s;
  const bool oauth_mech = o.auth_mech && smtp::uses_token(*o.auth_mech);
  const char* env_token = std::getenv(o.token_env.c_str());
  if (o.token_file || oauth_mech || (env_token != nullptr && !o.auth_mech)) {
    s.token = true;
    if (o.token_file) {
      std::ifstream in(*o.token_file);
      if (!in || !std::getline(in, s.secret)) {
        fail(error, i18n::format("smtp.usage.token-file", {util::sanitize(*o.token_file, 200)}));
        return std::nullopt;
      }
      if (!s.secret.empty() && s.secret.back() == '\r') s.secret.pop_back();
    } else if (env_token != nullptr) {
      s.secret = env_token;
    }
    if (s.secret.empty()) {
      fail(error, i18n::format("smtp.usage.no-token", {o.token_env}));
      return std::nullopt;
    }
    return s;
  }
  auto pw = read_secret(o.password_source, error);
  if (!pw) return std::nullopt;
  s.secret = std::move(*pw);
  return s;
}

std::string where(const std::string& host, std::uint16_t port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

/// Starts OpenSSL's set-up on a second thread when the session will use TLS, so that it overlaps
/// the DNS lookups, the connect and the first round trips instead of following them.
void prepare_tls(const SmtpTestOptions& opt, const std::string& host, std::uint16_t port) {
  const bool starttls = opt.starttls != StartTlsMode::never && final_stage(opt) >= SmtpStage::tls;
  if (opt.tls_on_connect || starttls) tls::prepare_client_context(smtp_tls_options(opt, {host, port, false, {}, false}));
}

void connect_failed(report::Report& rep, const SmtpTarget& t, std::uint16_t port, const net::ConnectResult& cr,
                    bool last, std::chrono::milliseconds timeout, Severity timeout_state) {
  const auto outcome = cr.summary();
  const std::string what(net::to_string(outcome));
  const std::string detail = outcome == net::ConnectOutcome::refused ? i18n::text("smtp.connect.refused.detail")
                             : outcome == net::ConnectOutcome::filtered
                                 ? i18n::format("smtp.connect.filtered.detail", {std::to_string(timeout.count())})
                                 : i18n::text("smtp.connect.failed.detail");
  const std::string ev = cr.attempts.empty() ? std::string() : cr.attempts.back().detail;
  // A connect that times out is a timeout like any other: its severity is --timeout-state.
  const auto sev = outcome == net::ConnectOutcome::filtered ? timeout_state : Severity::critical;
  if (!last && t.from_mx) {
    rep.add(Severity::warning, "smtp.mx.host-failed",
            i18n::format("smtp.mx.host-failed.title", {where(t.name, port), std::to_string(t.preference), what}),
            detail, ev);
    return;
  }
  rep.add(sev, "smtp.connect", i18n::format("smtp.connect.title", {where(t.name, port), what}), detail, ev,
          i18n::text("smtp.connect.fix"));
}

}  // namespace

std::string_view to_string(SmtpStage s) {
  for (const auto& [st, name] : kStages) {
    if (st == s) return name;
  }
  return "?";
}

std::optional<SmtpStage> smtp_stage_from_string(std::string_view s) {
  for (const auto& [st, name] : kStages) {
    if (util::iequals(name, s)) return st;
  }
  if (util::iequals(s, "starttls")) return SmtpStage::tls;
  if (util::iequals(s, "helo") || util::iequals(s, "first-helo")) return SmtpStage::ehlo;
  return std::nullopt;
}

std::optional<StartTlsMode> starttls_mode_from_string(std::string_view s) {
  if (s == "auto") return StartTlsMode::automatic;
  if (s == "never") return StartTlsMode::never;
  if (s == "require") return StartTlsMode::require;
  return std::nullopt;
}

std::uint16_t SmtpTestOptions::effective_port(std::optional<std::uint16_t> from_target) const {
  if (port) return *port;
  if (from_target) return *from_target;
  return tls_on_connect ? 465 : 25;
}

std::optional<report::Report> run_smtp_test(const SmtpTestOptions& o, std::string* error) {
  std::string host;
  std::optional<std::uint16_t> target_port;
  if (o.mx_domain) {
    auto d = dns::normalize_domain(*o.mx_domain, error);
    if (!d) return std::nullopt;
    host = d->ascii;
  } else {
    auto hp = net::parse_host_port(o.target, error);
    if (!hp) return std::nullopt;
    host = hp->host;
    target_port = hp->port;
  }
  if (!check_usage(o, error)) return std::nullopt;
  SmtpTestOptions opt = o;
  opt.tls_on_connect = o.tls_on_connect || (!o.port && target_port == 465) || o.port == 465;
  const std::uint16_t port = opt.effective_port(target_port);
  auto secrets = read_secrets(opt, error);
  if (!secrets) return std::nullopt;
  Redactor redactor;
  if (opt.auth_user) redactor.add_credentials(*opt.auth_user, secrets->secret);

  report::Report rep;
  rep.command = "smtp-test";
  rep.target = util::sanitize(o.mx_domain ? *o.mx_domain : o.target, 300);
  SmtpSessionOptions so;
  so.connect_timeout = opt.connect_timeout.value_or(opt.common.timeout);
  so.command_timeout = opt.command_timeout.value_or(opt.common.timeout);
  so.timeout_state = opt.timeout_state;
  so.limits = opt.limits;
  if (opt.source) so.source = net::Address::parse(*opt.source);

  const auto started = net::Clock::now();
  prepare_tls(opt, host, port);
  const auto targets = resolve_smtp_targets(opt, host, rep);
  SmtpFacts facts;
  SmtpEndpoint endpoint{host, port, {}, opt.mx_domain.has_value(), {}};
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (util::interrupted()) {  // Ctrl-C during the DNS lookups or between MX hosts
      add_interrupted(rep, "smtp", waiting_text(i == 0 ? "the DNS lookups" : "the next MX host"));
      break;
    }
    const auto& t = targets[i];
    const bool last = i + 1 == targets.size();
    endpoint = SmtpEndpoint{t.name, port, {}, t.from_mx, {}};
    if (t.addresses.empty()) {
      rep.add(last ? Severity::critical : Severity::warning, "smtp.mx.host-unresolved",
              i18n::format("smtp.mx.host-unresolved.title",
                           {util::sanitize(t.name, 200), util::sanitize(t.error, 200)}));
      continue;
    }
    SmtpHostContext ctx{t.name, port, t.from_mx, {}, false};
    if (opt.dane && (opt.tls_on_connect || opt.starttls != StartTlsMode::never)) {
      endpoint.tlsa = lookup_tlsa(opt, t.name, port);
      ctx.tlsa = endpoint.tlsa.records;
      ctx.tlsa_secure = endpoint.tlsa.secure;
    }
    facts = SmtpFacts{};
    SmtpSession session(rep, redactor, so);
    const auto cr = session.connect(t.addresses, port, where(t.name, port));
    if (session.interrupted()) break;  // Ctrl-C: no connect finding, no next MX
    if (!cr.ok()) {
      connect_failed(rep, t, port, cr, last, so.connect_timeout, so.timeout_state);
      continue;
    }
    facts.connect_ms = cr.attempts.at(*cr.winner).latency_ms();
    endpoint.address = session.peer();
    SmtpDialog dialog(opt, ctx, *secrets, session, rep, facts);
    const bool settled = dialog.run();
    session.quit();
    facts.round_trips = session.round_trips();
    if (session.engine().bare_lf_lines() > 0)
      rep.add(Severity::warning, "smtp.bare-lf", i18n::text("smtp.bare-lf.title"),
              i18n::format("smtp.bare-lf.detail", {std::to_string(session.engine().bare_lf_lines())}));
    if (session.interrupted()) break;
    if (!settled && !last && t.from_mx) {
      session.info("temporary refusal: trying the next MX");
      continue;
    }
    break;
  }
  facts.total_ms = std::chrono::duration<double, std::milli>(net::Clock::now() - started).count();
  add_smtp_sections(rep, opt, endpoint, facts);
  const nlohmann::json data = smtp_data(opt, endpoint, facts);
  for (auto it = data.begin(); it != data.end(); ++it) rep.data[it.key()] = it.value();
  if (rep.status() == Severity::ok && facts.completed)
    rep.add(Severity::ok, "smtp.ok", i18n::format("smtp.ok.title", {where(endpoint.host, port), facts.stage}));
  return rep;
}

}  // namespace maildiag::app
