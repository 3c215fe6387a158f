// `maildiag headers [FILE...]`: option binding and output only; the reading is
// app::for_each_header_section, each report comes from app::headers_report.

#include "context.hpp"

#include "maildiag/app/headers.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace maildiag::cli {

namespace {

struct HeadersArgs {
  std::vector<std::string> inputs;
  bool all = false;
};

void run(Context& ctx, const HeadersArgs& args) {
  app::HeadersOptions options;
  options.all = args.all;
  auto on_error = [&](const std::string& e) {
    std::cerr << "maildiag: error: " << e << "\n";
    ctx.fold(report::Severity::unknown);
  };
  auto on_message = [&](const app::HeaderInput& in) {
    if (!in.mbox && app::looks_like_junk(in.headers)) {
      on_error(in.source + " is not an email message (no header fields found)");
      return;
    }
    ctx.emit(app::headers_report(in.source, in.headers, in.cut, options));
  };
  app::for_each_header_section(args.inputs, on_message, on_error);
}

}  // namespace

void register_headers(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("headers", "Read a message's headers: its path hop by hop, TLS, delays, SPF/DKIM/DMARC, forgeries");
  cmd->footer(
      "Examples:\n"
      "  maildiag headers < message.eml          (Gmail: \"Show original\", save and pipe)\n"
      "  maildiag headers --all message.eml      (also list every header, decoded)\n"
      "  maildiag --json headers ~/mbox | jq .data.origin\n"
      "Inputs: message files, mbox files (one report per message), '-' for stdin (the default).\n"
      "Exit code: 0 nothing wrong, 1 a warning (forged-hop hint, SPF/DKIM/DMARC failure, clock skew,\n"
      "hop without TLS...), 2 DMARC fails under a reject policy, 3 unreadable input or not a message.");
  auto args = std::make_shared<HeadersArgs>();
  cmd->add_option("input", args->inputs, "Message or mbox file ('-' = stdin, the default)");
  cmd->add_flag("--all", args->all, "List every header field, decoded");
  cmd->callback([&ctx, args] { run(ctx, *args); });
}

}  // namespace maildiag::cli
