// `maildiag imap-test HOST[:PORT]`: option binding and output only; the dialog is
// app::run_imap_test (or app::run_imap_interactive).

#include "context.hpp"

#include "maildiag/app/imap_test.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace maildiag::cli {

// Defined in cmd_pop3_test.cpp: the options pop3-test and imap-test share.
void bind_mailbox_access_options(CLI::App* cmd, app::MailboxAccessOptions& o, Context& ctx,
                                 const std::string& auth_methods);

namespace {

struct ImapArgs {
  app::ImapTestOptions opts;
  bool interactive = false;
};

void run(Context& ctx, ImapArgs& a) {
  a.opts.common = ctx.common;
  std::string error;
  if (a.interactive) {
    auto r = app::run_imap_interactive(a.opts, std::cin, std::cout, &error);
    if (!r) throw UsageError(error);
    ctx.emit_interactive(*r);
    return;
  }
  auto r = app::run_imap_test(a.opts, &error);
  if (!r) throw UsageError(error);
  ctx.emit(*r);
}

}  // namespace

void register_imap_test(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("imap-test", "Test an IMAP server: greeting, STARTTLS/TLS, login, mailbox (read-only)");
  cmd->footer(
      "Examples:\n"
      "  maildiag imap-test imap.example.org\n"
      "  MAILDIAG_PASSWORD=... maildiag imap-test imap.example.org:993 --user alice -t\n"
      "  maildiag imap-test imap.example.org --user alice --mailbox Archive\n"
      "  maildiag imap-test imap.example.org --interactive\n"
      "Read-only: the mailbox is opened with EXAMINE, never SELECT. The password is never taken from\n"
      "the command line.\n"
      "Exit code: 0 OK, 1 WARNING (no STARTTLS, plaintext password possible, expiring certificate,\n"
      "[INUSE], [UNAVAILABLE]), 2 CRITICAL (server down, login refused, TLS failing), 3 UNKNOWN (timeout, usage).");
  auto a = std::make_shared<ImapArgs>();
  bind_mailbox_access_options(cmd, a->opts, ctx, "auto|login|plain");
  cmd->add_option("--mailbox", a->opts.mailbox, "Mailbox to look at with STATUS and EXAMINE")->capture_default_str();
  cmd->add_flag("--interactive,-i", a->interactive,
                "Type IMAP commands yourself (tags added, literals and STARTTLS handled, passwords redacted)");
  cmd->callback([&ctx, a] { run(ctx, *a); });
}

}  // namespace maildiag::cli
