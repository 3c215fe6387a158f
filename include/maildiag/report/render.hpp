#pragma once
/// Renders Reports for people (aligned text, colour only when asked) or for scripts (JSON).

#include "maildiag/report/report.hpp"

#include <ostream>

namespace maildiag::report {

struct TextStyle {
  bool color = false;        ///< ANSI colour (decided once in the CLI: TTY, NO_COLOR, --no-color)
  bool transcript = false;   ///< print the transcript block
  bool unicode = true;       ///< may use non-ASCII marks
  std::size_t width = 100;   ///< wrap long detail lines at this width
};

/// Decides colour the documented way: never when NO_COLOR is set or --no-color, else when fd is a TTY.
bool want_color(int fd, bool no_color_flag);

void render_text(std::ostream& out, const Report& r, const TextStyle& style);
/// One JSON document on one line (NDJSON-friendly), newline-terminated.
void render_json(std::ostream& out, const Report& r, bool with_transcript = true);

/// Helpers for the text renderer, also used by subcommands that print their own lines.
std::string colorize(std::string_view text, Severity s, bool color);
void render_table(std::ostream& out, const Section& s, const TextStyle& style);
void render_findings(std::ostream& out, const std::vector<Finding>& findings, const TextStyle& style);

}  // namespace maildiag::report
