#pragma once
// Generates shell completion scripts and the man page from the CLI11 tree itself, so they can
// never disagree with --help (the test suite checks they contain every option).

#include <string>

namespace CLI {
class App;
}

namespace maildiag::cli {

std::string completion_bash(const CLI::App& root);
std::string completion_zsh(const CLI::App& root);
/// maildiag(1) in roff (man(7) macros).
std::string manpage(const CLI::App& root);

}  // namespace maildiag::cli
