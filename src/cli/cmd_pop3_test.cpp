// `maildiag pop3-test HOST[:PORT]`: option binding and output only; the dialog is
// app::run_pop3_test (or app::run_pop3_interactive).

#include "context.hpp"

#include "maildiag/app/pop3_test.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

namespace maildiag::cli {

/// Binds the options pop3-test and imap-test share (also used by cmd_imap_test.cpp).
void bind_mailbox_access_options(CLI::App* cmd, app::MailboxAccessOptions& o, Context& ctx,
                                 const std::string& auth_methods) {
  cmd->add_option("target", o.target, "Server HOST[:PORT] (name, IPv4, or [IPv6]:port)")->required();
  cmd->add_option("--starttls", o.starttls, "Upgrade with STLS/STARTTLS: auto (when offered), never, require")
      ->check(CLI::IsMember({"auto", "never", "require"}))
      ->capture_default_str();
  cmd->add_flag("--tls-on-connect", o.tls_on_connect, "Implicit TLS right after connecting (the default on 995/993)");
  cmd->add_option("--sni", o.sni, "Server name to send in TLS SNI (default: the host name)");
  cmd->add_option("--ca-file", o.ca_file, "Trust these PEM certificates instead of the system store")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--no-verify", o.no_verify, "Do not insist on a valid certificate (still checked and reported)");
  cmd->add_option("--source", o.source, "Local address to connect from");
  cmd->add_option("--user,-u", o.user, "Log in as this user (password: MAILDIAG_PASSWORD, --password-file or prompt)");
  cmd->add_option("--password-file", o.password_source.file, "Read the password from the first line of this file")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--allow-plaintext", o.allow_plaintext, "Send credentials even without TLS (reported as a warning)");
  cmd->add_option("--auth", o.auth, "Login method: " + auth_methods)
      ->check(CLI::IsMember(CLI::detail::split(auth_methods, '|')))
      ->capture_default_str();
  cmd->add_flag("-t,--transcript", ctx.transcript, "Show the protocol transcript (swaks-style markers)");
}


namespace {

struct Pop3Args {
  app::Pop3TestOptions opts;
  std::string output;
  bool interactive = false;
};

void run(Context& ctx, Pop3Args& a) {
  a.opts.common = ctx.common;
  std::string error;
  if (a.interactive) {
    auto r = app::run_pop3_interactive(a.opts, std::cin, std::cout, &error);
    if (!r) throw UsageError(error);
    ctx.emit_interactive(*r);
    return;
  }
  std::ofstream file;
  const bool to_stdout = a.opts.retr && (a.output.empty() || a.output == "-");
  if (a.opts.retr) {
    if (!to_stdout) {
      file.open(a.output, std::ios::binary | std::ios::trunc);
      if (!file) throw UsageError("cannot write " + a.output);
      a.opts.retr_out = &file;
    } else {
      a.opts.retr_out = &std::cout;
    }
  }
  auto r = app::run_pop3_test(a.opts, &error);
  if (!r) throw UsageError(error);
  if (to_stdout && !ctx.common.json) {
    // The message owns stdout; the report goes to stderr so `> message.eml` stays clean.
    auto style = ctx.text_style();
    style.color = report::want_color(2, ctx.no_color);
    report::render_text(std::cerr, *r, style);
    ctx.fold(r->status());
    return;
  }
  if (to_stdout) {
    report::render_json(std::cerr, *r, true);
    ctx.fold(r->status());
    return;
  }
  ctx.emit(*r);
}

}  // namespace

void register_pop3_test(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("pop3-test", "Test a POP3 server: greeting, STLS/TLS, login, mailbox (read-only)");
  cmd->footer(
      "Examples:\n"
      "  maildiag pop3-test pop.example.org\n"
      "  MAILDIAG_PASSWORD=... maildiag pop3-test pop.example.org:995 --user alice -t\n"
      "  maildiag pop3-test pop.example.org --user alice --top 1\n"
      "  maildiag pop3-test pop.example.org:995 --user alice --retr 3 --output msg3.eml\n"
      "  maildiag pop3-test pop.example.org --interactive\n"
      "Never deletes anything (no DELE). The password is never taken from the command line.\n"
      "Exit code: 0 OK, 1 WARNING (no STLS, plaintext password possible, expiring certificate, [IN-USE],\n"
      "[LOGIN-DELAY]), 2 CRITICAL (server down, login refused, TLS failing), 3 UNKNOWN (timeout, usage).");
  auto a = std::make_shared<Pop3Args>();
  bind_mailbox_access_options(cmd, a->opts, ctx, "auto|user|apop|plain");
  cmd->add_option("--list-max", a->opts.list_max, "Show at most N entries of LIST and UIDL (the rest are counted)")
      ->capture_default_str();
  cmd->add_option("--top", a->opts.top, "Show the headers of message N (TOP N 0)");
  cmd->add_option("--retr", a->opts.retr, "Write message N to stdout (the report then goes to stderr) or --output");
  cmd->add_option("--output,-o", a->output, "File for --retr ('-' = stdout)");
  cmd->add_flag("--interactive,-i", a->interactive,
                "Type POP3 commands yourself (replies framed, STLS upgrades, PASS redacted)");
  cmd->callback([&ctx, a] { run(ctx, *a); });
}

}  // namespace maildiag::cli
