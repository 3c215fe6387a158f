// `maildiag bounce [FILE|DIR|-]...`: option binding and output only; the reading is
// bounce::analyse, the reports come from app/bounce.cpp.

#include "context.hpp"

#include "maildiag/app/bounce.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace maildiag::cli {

namespace {

struct BounceArgs {
  std::vector<std::string> inputs;
  bool summary = false;
  std::size_t max_message = app::kMaxMessage;
};

void run(Context& ctx, const BounceArgs& args) {
  app::BounceSummary summary;
  std::size_t errors = 0;
  auto on_error = [&](const std::string& e) {
    ++errors;
    std::cerr << "maildiag: error: " << e << "\n";
    ctx.fold(report::Severity::unknown);
  };
  auto on_message = [&](const app::BounceMessage& m) {
    const auto a = bounce::analyse(m.bytes);
    summary.add(a);
    ctx.fold(app::bounce_severity(a));
    if (m.cut) ctx.fold(report::Severity::warning);
    if (args.summary) return;
    if (ctx.common.json) {
      for (auto& line : app::bounce_json_lines(m.source, a)) {
        if (m.cut) line["input_cut"] = true;
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      }
    } else {
      auto rep = app::bounce_report(m.source, a);
      if (m.cut) app::add_cut_finding(rep, args.max_message);
      report::render_text(std::cout, rep, ctx.text_style());
    }
  };
  app::for_each_message(args.inputs, std::cin, on_message, on_error, args.max_message);
  if (summary.messages == 0 && errors > 0) throw UsageError("no message could be read");
  if (args.summary) {
    if (ctx.common.json) {
      nlohmann::json j;
      j["schema_version"] = report::kSchemaVersion;
      j["command"] = "bounce";
      j["summary"] = summary.to_json();
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      report::render_text(std::cout, summary.to_report(), ctx.text_style());
    }
  }
  std::cout.flush();
}

}  // namespace

void register_bounce(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("bounce", "Read bounce messages (NDRs): who failed, why, and what to do next");
  cmd->footer(
      "Examples:\n"
      "  maildiag bounce returned.eml\n"
      "  maildiag bounce ~/Maildir/.Bounces --summary\n"
      "  maildiag --json bounce /var/mail/postmaster | jq 'select(.hard)'\n"
      "  cat ndr.eml | maildiag bounce -\n"
      "Inputs: message files, mbox files, maildirs (cur/ and new/), directories of .eml files, '-' for stdin\n"
      "(the default). --json prints one line per recipient (docs/bounce.md).\n"
      "Exit code: 0 no bounce / delivered / auto-reply, 1 soft bounce or delay, 2 hard bounce, 3 unreadable input.");
  auto args = std::make_shared<BounceArgs>();
  cmd->add_option("input", args->inputs, "Message file, mbox, maildir or directory ('-' = stdin, the default)");
  cmd->add_flag("--summary", args->summary, "Print only counts by reason and by recipient domain");
  cmd->add_option("--max-message-size", args->max_message,
                  "Bytes of one message read; the rest is skipped and the message reported as cut (default 64 MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cmd->callback([&ctx, args] { run(ctx, *args); });
}

}  // namespace maildiag::cli
