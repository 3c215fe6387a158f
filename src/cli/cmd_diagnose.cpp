// `maildiag diagnose ADDRESS|DOMAIN` and `--bounce FILE`: option binding; the work is app::run_diagnose.

#include "context.hpp"

#include "maildiag/app/diagnose.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <iostream>

namespace maildiag::cli {

namespace {

struct DiagnoseArgs {
  std::string target;
  std::string bounce;
  std::string controls;
  bool no_control = false;
  std::string source;
  std::uint16_t port = 25;
  app::DiagnoseOptions opts;
};

void run(Context& ctx, DiagnoseArgs& a) {
  if (a.target.empty() == a.bounce.empty()) throw UsageError("give an ADDRESS or DOMAIN, or --bounce FILE (one of them)");
  auto& o = a.opts;
  o.common = ctx.common;
  o.port = a.port;
  if (!a.source.empty()) o.source = a.source;
  if (a.no_control) o.controls = std::vector<std::string>{};
  else if (!a.controls.empty()) {
    std::vector<std::string> list;
    std::size_t start = 0;
    while (start <= a.controls.size()) {
      const auto comma = a.controls.find(',', start);
      const auto item = a.controls.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) list.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    o.controls = list;
  }
  // A progress line on stderr, only for a person watching a terminal.
  const bool tty = isatty(STDERR_FILENO) == 1;
  app::DiagnoseProgress progress;
  if (tty) progress = [](const std::string& m) { std::cerr << "\r\x1b[K" << m << std::flush; };
  auto clear = [&] {
    if (tty) std::cerr << "\r\x1b[K" << std::flush;
  };
  std::string error;
  if (!a.bounce.empty()) {
    auto reports = app::run_diagnose_bounce(a.bounce, o, progress, &error);
    clear();
    if (!reports) throw UsageError(error);
    for (const auto& r : *reports) ctx.emit(r);
    return;
  }
  o.target = a.target;
  auto r = app::run_diagnose(o, progress, &error);
  clear();
  if (!r) throw UsageError(error);
  ctx.emit(*r);
}

}  // namespace

void register_diagnose(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("diagnose", "Walk the whole mail path to an address or domain and name the root cause");
  cmd->footer(
      "Examples:\n"
      "  maildiag diagnose bob@example.org\n"
      "  maildiag diagnose example.org --control mx.example.net\n"
      "  maildiag diagnose --bounce returned-mail.eml\n"
      "Steps: DNS (MX, addresses, policy) -> port 25 on every MX (with control hosts) -> SMTP up to\n"
      "RCPT TO (QUIT before DATA: no message is sent). Exit code: the worst finding.");
  auto a = std::make_shared<DiagnoseArgs>();
  cmd->add_option("target", a->target, "user@domain or domain");
  cmd->add_option("--bounce", a->bounce, "Start from a bounce message: diagnose each failed recipient")->type_name("FILE");
  cmd->add_option("--from", a->opts.from, "MAIL FROM address (default: the null sender <>)");
  cmd->add_option("--helo", a->opts.helo, "EHLO name");
  cmd->add_option("--port", a->port, "SMTP port on the MX hosts")->capture_default_str();
  cmd->add_option("--control", a->controls, "Control hosts for the port-25 check, comma-separated")->type_name("HOST,...");
  cmd->add_flag("--no-control", a->no_control, "Probe no control hosts");
  cmd->add_option("--ca-file", a->opts.ca_file, "Trust these CA certificates (PEM) instead of the system store");
  cmd->add_flag("--no-verify", a->opts.no_verify, "Do not verify certificates (reported)");
  cmd->add_option("--source", a->source, "Local address to connect from");
  cmd->add_flag("--allow-private", a->opts.allow_private, "Private or loopback MX addresses are not findings");
  cmd->callback([&ctx, a] { run(ctx, *a); });
}

}  // namespace maildiag::cli
