// `maildiag smtp-test HOST[:PORT]` / `--mx DOMAIN`: option binding and output only; the dialog is
// app::run_smtp_test (or app::run_smtp_interactive).

#include "context.hpp"

#include "maildiag/app/smtp_test.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace maildiag::cli {

namespace {

struct SmtpArgs {
  app::SmtpTestOptions opts;
  std::string starttls = "auto";
  std::string quit_after;
  std::string auth_mech;
  std::string timeout_state = "unknown";
  double connect_timeout_s = 0;
  double command_timeout_s = 0;
  std::size_t max_line = 4096;
  std::size_t max_lines = 1000;
  bool no_pipelining = false;
  bool no_dane = false;
  bool interactive = false;
};

std::chrono::milliseconds millis(double s) { return std::chrono::milliseconds(static_cast<long long>(s * 1000.0)); }

/// Turns the strings CLI11 collected into the typed options (after the global options are final).
void finish_options(Context& ctx, SmtpArgs& a) {
  auto& o = a.opts;
  o.common = ctx.common;
  o.starttls = *app::starttls_mode_from_string(a.starttls);
  if (!a.quit_after.empty()) {
    o.quit_after = app::smtp_stage_from_string(a.quit_after);
    if (!o.quit_after) throw UsageError("--quit-after: unknown stage \"" + a.quit_after + "\"");
  }
  if (!a.auth_mech.empty()) {
    o.auth_mech = smtp::mechanism_from_string(a.auth_mech);
    if (!o.auth_mech) throw UsageError("--auth-mech: unknown mechanism \"" + a.auth_mech + "\"");
  }
  o.timeout_state = *report::severity_from_string(a.timeout_state);
  if (a.connect_timeout_s > 0) o.connect_timeout = millis(a.connect_timeout_s);
  if (a.command_timeout_s > 0) o.command_timeout = millis(a.command_timeout_s);
  o.limits.max_line = a.max_line;
  o.limits.max_lines = a.max_lines;
  o.pipelining = !a.no_pipelining;
  o.dane = !a.no_dane;
  if (o.target.empty() == !o.mx_domain) throw UsageError("give either HOST[:PORT] or --mx DOMAIN");
}

void run(Context& ctx, SmtpArgs& a) {
  finish_options(ctx, a);
  std::string error;
  if (a.interactive) {
    auto r = app::run_smtp_interactive(a.opts, std::cin, std::cout, &error);
    if (!r) throw UsageError(error);
    ctx.emit_interactive(*r);
    return;
  }
  auto r = app::run_smtp_test(a.opts, &error);
  if (!r) throw UsageError(error);
  ctx.emit(*r);
}

void bind_session(CLI::App* cmd, SmtpArgs& a, Context& ctx) {
  auto& o = a.opts;
  cmd->add_option("target", o.target, "Server HOST[:PORT] (name, IPv4, or [IPv6]:port)");
  cmd->add_option("--mx", o.mx_domain, "Test DOMAIN's mail exchangers in MX order, falling back like an MTA")
      ->type_name("DOMAIN");
  cmd->add_option("--port,-p", o.port, "Port (default 25; 465 with --tls-on-connect)");
  cmd->add_option("--helo", o.helo, "Name for EHLO/HELO (default: our address literal, e.g. [192.0.2.1])");
  cmd->add_option("--from,-f", o.from, "Envelope sender (default: the null sender <>)");
  cmd->add_option("--to", o.to, "Recipient to test (repeatable)");
  cmd->add_option("--quit-after", a.quit_after,
                  "Stop after: connect, banner, ehlo, tls, auth, mail, rcpt, data (default: rcpt with --to, "
                  "else after EHLO/STARTTLS)")
      ->check(CLI::IsMember({"connect", "banner", "ehlo", "helo", "tls", "starttls", "auth", "mail", "rcpt", "data"}));
  cmd->add_flag("--relay-test", o.relay_test, "Try to relay from an outside sender to an outside recipient");
  cmd->add_option("--relay-from", o.relay_from, "Sender for --relay-test")->capture_default_str();
  cmd->add_option("--relay-to", o.relay_to, "Recipient for --relay-test")->capture_default_str();
  cmd->add_flag("--no-pipelining", a.no_pipelining, "Do not pipeline MAIL/RCPT/DATA even when offered");
  cmd->add_flag("-t,--transcript", ctx.transcript, "Show every line sent and received (swaks-style markers)");
  cmd->add_flag("--interactive,-i", a.interactive,
                "Type SMTP commands yourself: replies explained, STARTTLS upgrades, DATA dot-stuffed");
}

void bind_tls_auth(CLI::App* cmd, SmtpArgs& a) {
  auto& o = a.opts;
  cmd->add_option("--starttls", a.starttls, "STARTTLS: auto (when offered), never, require")
      ->check(CLI::IsMember({"auto", "never", "require"}))
      ->capture_default_str();
  cmd->add_flag("--tls-on-connect", o.tls_on_connect, "Implicit TLS right after connecting (SMTPS, port 465)");
  cmd->add_option("--ca-file", o.ca_file, "Trust these PEM certificates instead of the system store")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--no-verify", o.no_verify, "Certificate failures are reported but not counted");
  cmd->add_option("--sni", o.sni, "Server name for TLS SNI (default: the host name)");
  cmd->add_flag("--no-dane", a.no_dane, "Do not look up TLSA records");
  cmd->add_option("--tlsa-name", o.tlsa_name, "Look up TLSA records at this name instead of _PORT._tcp.HOST");
  cmd->add_option("--auth-user", o.auth_user,
                  "AUTH as this user (password: MAILDIAG_PASSWORD, --password-file or a prompt)");
  cmd->add_option("--auth-mech", a.auth_mech, "AUTH mechanism: PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER");
  cmd->add_option("--password-file", o.password_source.file, "Read the password from the first line of this file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--token-file", o.token_file, "Bearer token for XOAUTH2/OAUTHBEARER (or MAILDIAG_OAUTH_TOKEN)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--allow-plaintext-auth", o.allow_plaintext_auth, "Send credentials even without TLS");
}

void bind_message(CLI::App* cmd, SmtpArgs& a) {
  auto& o = a.opts;
  cmd->add_flag("--data", o.data, "Send a test message (unique Subject token and Message-ID)");
  cmd->add_option("--header", o.headers, "Extra header \"Name: value\" for --data (repeatable)");
  cmd->add_option("--body", o.body, "Body text for --data");
  cmd->add_option("--data-file", o.data_file, "Send this file as the whole message (headers and body)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--notify", o.notify, "DSN NOTIFY: NEVER or SUCCESS,FAILURE,DELAY (with --data)")->delimiter(',');
  cmd->add_option("--ret", o.ret, "DSN RET: FULL or HDRS (with --data)")->check(CLI::IsMember({"FULL", "HDRS", "full", "hdrs"}));
  cmd->add_option("--envid", o.envid, "DSN ENVID (with --data)");
}

void bind_transport(CLI::App* cmd, SmtpArgs& a) {
  auto& o = a.opts;
  cmd->add_option("--source", o.source, "Local address to connect from");
  cmd->add_option("--connect-timeout", a.connect_timeout_s, "Seconds for connect and greeting (default: --timeout)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd->add_option("--command-timeout", a.command_timeout_s, "Seconds per reply (default: --timeout)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd->add_option("--timeout-state", a.timeout_state, "Severity of a timeout: unknown, warning, critical")
      ->check(CLI::IsMember({"unknown", "warning", "critical"}))
      ->capture_default_str();
  cmd->add_option("--max-line", a.max_line, "Longest reply line accepted, bytes")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--max-lines", a.max_lines, "Most lines in one reply")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
}

}  // namespace

void register_smtp_test(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("smtp-test", "Test an SMTP server: banner, EHLO, STARTTLS/certificate, AUTH, "
                                              "recipients, relay, a test message");
  cmd->footer(
      "Examples:\n"
      "  maildiag smtp-test mx.example.org\n"
      "  maildiag smtp-test --mx example.org --to alice@example.org -t\n"
      "  maildiag smtp-test smtp.example.org:587 --starttls require --auth-user alice --to bob@example.org --data\n"
      "  maildiag smtp-test mx.example.org --relay-test\n"
      "  maildiag smtp-test mx.example.org --interactive\n"
      "No message is sent unless --data is given. Passwords are never taken from the command line.\n"
      "Exit code: 0 OK, 1 WARNING (4xx/greylisting, certificate expiring, STARTTLS missing, AUTH before TLS),\n"
      "2 CRITICAL (no connection, rejecting banner, recipient refused, TLS required but failing, AUTH failed,\n"
      "open relay), 3 UNKNOWN (usage, target not resolvable, timeout unless --timeout-state says otherwise).");
  auto a = std::make_shared<SmtpArgs>();
  bind_session(cmd, *a, ctx);
  bind_tls_auth(cmd, *a);
  bind_message(cmd, *a);
  bind_transport(cmd, *a);
  cmd->callback([&ctx, a] { run(ctx, *a); });
}

}  // namespace maildiag::cli
