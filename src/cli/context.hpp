#pragma once
// CLI-private: what every subcommand's callback needs to print reports and set the exit code.

#include "maildiag/app/common.hpp"
#include "maildiag/report/render.hpp"

#include <stdexcept>
#include <string>

namespace CLI {
class App;
}

namespace maildiag::cli {

/// Thrown by a subcommand for bad input it could not reject at parse time:
/// printed as one line "maildiag: error: <what>" and exit 3 (UNKNOWN).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Context {
  app::CommonOptions common;
  bool no_color = false;
  bool transcript = false;        ///< set by subcommands that have -t/--transcript
  report::Severity worst = report::Severity::ok;
  bool any_report = false;

  /// Renders one report to stdout (text or one JSON line) and folds its status into the exit code.
  void emit(const report::Report& r);
  /// The end of an interactive session, whose lines were printed as they came: with --json the
  /// report (findings and data) as one JSON line on stdout, otherwise its findings on stderr.
  /// Folds its status into the exit code.
  void emit_interactive(const report::Report& r);
  /// Folds a status without printing (subcommands that print their own stream).
  void fold(report::Severity s);
  [[nodiscard]] report::TextStyle text_style() const;
  [[nodiscard]] int exit_code() const;
};

// One registration function per subcommand, each in its own cmd_<name>.cpp.
void register_explain(CLI::App& app, Context& ctx);
void register_mx(CLI::App& app, Context& ctx);
void register_smtp_test(CLI::App& app, Context& ctx);
void register_pop3_test(CLI::App& app, Context& ctx);
void register_imap_test(CLI::App& app, Context& ctx);
void register_bounce(CLI::App& app, Context& ctx);
void register_headers(CLI::App& app, Context& ctx);
void register_probe(CLI::App& app, Context& ctx);
void register_log(CLI::App& app, Context& ctx);
void register_queue(CLI::App& app, Context& ctx);
void register_diagnose(CLI::App& app, Context& ctx);
void register_completion(CLI::App& app, Context& ctx);

/// Registers every subcommand (commands.cpp holds the one list).
void register_all(CLI::App& app, Context& ctx);

}  // namespace maildiag::cli
