// `maildiag completion bash|zsh` and the hidden `maildiag manpage`: generated from the CLI11
// tree so they always match --help. The build installs their output (CMakeLists.txt).

#include "context.hpp"
#include "docgen.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace maildiag::cli {

void register_completion(CLI::App& app, Context& /*ctx*/) {
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash or zsh)");
  cmd->footer("Examples:\n  maildiag completion bash > /etc/bash_completion.d/maildiag\n"
              "  maildiag completion zsh > \"${fpath[1]}/_maildiag\"");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  cmd->callback([&app, shell] { std::cout << (*shell == "bash" ? completion_bash(app) : completion_zsh(app)); });

  auto* man = app.add_subcommand("manpage", "Print the maildiag(1) man page in roff");
  man->group("");  // hidden from --help
  man->callback([&app] { std::cout << manpage(app); });
}

}  // namespace maildiag::cli
