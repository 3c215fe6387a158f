// maildiag entry point: global options, subcommand registration, and the only place that
// turns results into an exit code.

#include "context.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/interrupt.hpp"
#include "maildiag/version.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

namespace {

constexpr const char* kFooter = R"(Exit codes (monitoring-plugins convention):
  0 OK        nothing wrong found
  1 WARNING   something needs attention (temporary failure, expiring certificate, ...)
  2 CRITICAL  mail is failing (rejected recipient, no MX, server down, ...)
  3 UNKNOWN   maildiag could not tell (bad usage, timeout, DNS of the target failed,
              interrupted: Ctrl-C ends a session with QUIT/LOGOUT and prints what was seen;
              a second Ctrl-C exits at once)
Environment: NO_COLOR disables colour; MAILDIAG_PASSWORD supplies a password.
Run 'maildiag SUBCOMMAND --help' for a subcommand's options and examples.)";

void setup_logging(int verbose) {
  auto logger = spdlog::stderr_color_mt("maildiag");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("maildiag: %^%l%$: %v");
  switch (verbose) {
    case 0: spdlog::set_level(spdlog::level::warn); break;
    case 1: spdlog::set_level(spdlog::level::info); break;
    case 2: spdlog::set_level(spdlog::level::debug); break;
    default: spdlog::set_level(spdlog::level::trace); break;
  }
}

/// "Examples:" with the first example line of every subcommand's own footer, so the top-level
/// --help shows one line per subcommand and never drifts from the subcommands' help.
std::string examples_of(const CLI::App& app) {
  std::string out = "Examples:\n";
  for (const auto* sub : app.get_subcommands({})) {
    const std::string footer = sub->get_footer();
    const auto pos = footer.find("  maildiag ");
    if (pos == std::string::npos) continue;
    out += footer.substr(pos, footer.find('\n', pos) - pos) + "\n";
  }
  return out + "\n";
}

/// Subcommands whose network waits poll the interrupt flag (util/interrupt.hpp): Ctrl-C there
/// ends the session politely. The others (file readers, log --follow) keep the default action,
/// so Ctrl-C stops them at once.
bool polls_interrupt(const CLI::App& app) {
  for (const char* name : {"mx", "probe", "smtp-test", "pop3-test", "imap-test", "diagnose"}) {
    if (app.got_subcommand(name)) return true;
  }
  return false;
}

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed socket or stdout becomes an error code, not a death
  using maildiag::cli::Context;
  Context ctx;

  CLI::App app{"maildiag - diagnose mail delivery: DNS, ports, SMTP, POP3, headers, bounces",
               "maildiag"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("maildiag ") + maildiag::kVersion);

  double timeout_s = static_cast<double>(ctx.common.timeout.count()) / 1000.0;
  bool v4 = false;
  bool v6 = false;
  app.add_flag("--json", ctx.common.json, "Print JSON (one document per line) instead of text");
  app.add_flag("--no-color", ctx.no_color, "Never colour the output (NO_COLOR is honoured too)");
  app.add_flag("-v,--verbose", ctx.common.verbose, "More log detail on stderr (repeatable)");
  app.add_option("--timeout", timeout_s, "Timeout per network step, in seconds")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str()
      ->type_name("SECONDS");
  app.add_option("--dns-server", ctx.common.dns_servers,
                 "DNS server HOST[:PORT] to ask (repeatable; default: the system's)")
      ->type_name("HOST[:PORT]");
  std::string lang;
  app.add_option("--lang", lang, "Language of the text view: en or zh (default: from LC_ALL/LC_MESSAGES/LANG); --json is always English")
      ->check(CLI::IsMember({"en", "zh"}));
  auto* f4 = app.add_flag("-4", v4, "Use IPv4 only");
  app.add_flag("-6", v6, "Use IPv6 only")->excludes(f4);
  app.fallthrough();

  maildiag::cli::register_all(app, ctx);
  app.footer(examples_of(app) + kFooter);

  // Options are final before any subcommand callback runs.
  app.parse_complete_callback([&] {
    ctx.common.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000.0));
    ctx.common.family = v4   ? maildiag::app::Family::v4
                        : v6 ? maildiag::app::Family::v6
                             : maildiag::app::Family::any;
    setup_logging(ctx.common.verbose);
    if (polls_interrupt(app)) maildiag::util::install_interrupt_handlers();
    // --json is for scripts: one vocabulary whatever the locale or --lang (docs/json.md).
    maildiag::i18n::set_language(ctx.common.json ? maildiag::i18n::Lang::en
                                 : lang.empty()  ? maildiag::i18n::lang_from_environment()
                                                 : *maildiag::i18n::lang_from_string(lang));
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "maildiag: error: " << one_line(e.what()) << " (see 'maildiag --help')\n";
    return 3;
  } catch (const maildiag::cli::UsageError& e) {
    std::cerr << "maildiag: error: " << one_line(e.what()) << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "maildiag: internal error: " << one_line(e.what()) << "\n";
    return 3;
  }
  std::cout.flush();
  if (maildiag::util::interrupted()) {
    // The report above holds what was done before the signal; the run itself is incomplete.
    std::cerr << "maildiag: " << maildiag::util::interrupt_message() << "\n";
    return maildiag::util::kInterruptedExitCode;
  }
  if (!std::cout) return 3;  // stdout closed or full: the report did not reach anyone
  return ctx.exit_code();
}
