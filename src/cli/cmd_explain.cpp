// `maildiag explain CODE|REPLY|-`: option binding only; the work is app::run_explain.

#include "context.hpp"

#include "maildiag/app/explain.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <iterator>

namespace maildiag::cli {

namespace {
constexpr std::size_t kMaxStdin = 1 << 20;

std::string read_stdin() {
  std::string s;
  char buf[4096];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    s.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    if (s.size() > kMaxStdin) throw UsageError("input on stdin is larger than 1 MiB");
  }
  return s;
}
}  // namespace

void register_explain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("explain", "Explain an SMTP reply, status code or POP3 response in plain words");
  cmd->footer(
      "Examples:\n"
      "  maildiag explain 550 5.1.1\n"
      "  maildiag explain \"452 4.2.2 Mailbox full\"\n"
      "  echo \"550 5.7.1 blocked using zen.spamhaus.org\" | maildiag explain -\n"
      "Exit code follows the reply: 2xx/3xx 0, 4xx 1 (WARNING), 5xx 2 (CRITICAL), unparsable 3.");
  auto words = std::make_shared<std::vector<std::string>>();
  cmd->add_option("reply", *words, "The reply, code or response (several words are joined; '-' reads stdin)")
      ->required();
  cmd->callback([&ctx, words] {
    std::string input;
    if (words->size() == 1 && words->front() == "-") {
      input = read_stdin();
    } else {
      for (const auto& w : *words) input += (input.empty() ? "" : " ") + w;
    }
    std::string error;
    auto r = app::run_explain(input, &error);
    if (!r) throw UsageError(error);
    ctx.emit(*r);
  });
}

}  // namespace maildiag::cli
