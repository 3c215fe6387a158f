#include "context.hpp"

#include <CLI/CLI.hpp>

namespace maildiag::cli {

void register_all(CLI::App& app, Context& ctx) {
  // The one list of subcommands, in the order `--help` shows them.
  register_explain(app, ctx);
  register_mx(app, ctx);
  register_smtp_test(app, ctx);
  register_pop3_test(app, ctx);
  register_imap_test(app, ctx);
  register_bounce(app, ctx);
  register_headers(app, ctx);
  register_probe(app, ctx);
  register_log(app, ctx);
  register_queue(app, ctx);
  register_diagnose(app, ctx);
  register_completion(app, ctx);  // keep last: completion and manpage describe all of the above
}

}  // namespace maildiag::cli
