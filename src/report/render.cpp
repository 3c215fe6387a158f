#include "maildiag/report/render.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace maildiag::report {

namespace {

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";

std::string_view color_code(Severity s) {
  switch (s) {
    case Severity::ok: return "\x1b[32m";        // green
    case Severity::info: return "\x1b[36m";      // cyan
    case Severity::warning: return "\x1b[33m";   // yellow
    case Severity::unknown: return "\x1b[35m";   // magenta
    case Severity::critical: return "\x1b[31m";  // red
  }
  return "";
}

/// Terminal columns taken by UTF-8 text: East Asian wide characters count two.
std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    n = std::min(n, s.size() - i);
    unsigned cp = n == 1 ? b : (b & (0xFFu >> (n + 1)));
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    w += wide ? 2 : 1;
    i += n;
  }
  return w;
}

void pad(std::ostream& out, std::string_view s, std::size_t width) {
  out << s;
  for (std::size_t w = display_width(s); w < width; ++w) out << ' ';
}

/// One unit of line breaking: a run of non-blank text, or a single wide (CJK) character, which
/// may break on either side even without a space (Chinese text has no spaces to break at).
struct Token {
  std::string_view text;
  std::size_t spaces = 0;  ///< blanks before it in the source
  std::size_t width = 0;
  bool wide = false;
};

bool is_wide_lead(std::string_view s, std::size_t i) {
  return display_width(s.substr(i, static_cast<unsigned char>(s[i]) >= 0xF0 ? 4 : 3)) == 2;
}

/// Closing punctuation that must not start a line (a minimal kinsoku rule): ，。、；：！？）」』】》
bool no_break_before(std::string_view t) {
  static constexpr std::string_view kClosers[] = {"\uFF0C", "\u3002", "\u3001", "\uFF1B", "\uFF1A",
                                                  "\uFF01", "\uFF1F", "\uFF09", "\u300D", "\u300F",
                                                  "\u3011", "\u300B"};
  for (auto c : kClosers) {
    if (t.substr(0, c.size()) == c) return true;
  }
  return false;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t spaces = 0;
    while (i < text.size() && text[i] == ' ') {
      ++spaces;
      ++i;
    }
    if (i >= text.size()) break;
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0xE0 && is_wide_lead(text, i)) {
      const std::size_t n = std::min<std::size_t>(b >= 0xF0 ? 4 : 3, text.size() - i);
      out.push_back({text.substr(i, n), spaces, 2, true});
      i += n;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') {
      const auto c = static_cast<unsigned char>(text[j]);
      if (j > i && c >= 0xE0 && is_wide_lead(text, j)) break;
      j += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    j = std::min(j, text.size());
    out.push_back({text.substr(i, j - i), spaces, display_width(text.substr(i, j - i)), false});
    i = j;
  }
  return out;
}

/// Greedy line breaking of text into lines of at most avail columns (a token wider than avail
/// gets a line of its own). Breaks at blanks, and next to wide characters. keep_spaces keeps runs
/// of blanks inside a line as they are (aligned values), else they print as one blank.
std::vector<std::string> break_lines(std::string_view text, std::size_t avail, bool keep_spaces) {
  const auto tokens = tokenize(text);
  std::vector<std::vector<std::size_t>> lines(1);
  std::size_t col = 0;
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    const std::size_t sep = t.spaces == 0 ? 0 : keep_spaces ? t.spaces : 1;
    const bool can_break = t.spaces > 0 || (k > 0 && (t.wide || tokens[k - 1].wide) && !no_break_before(t.text));
    if (col > 0 && can_break && col + sep + t.width > avail) {
      lines.emplace_back();
      col = 0;
    }
    col += (col > 0 ? sep : 0) + t.width;
    lines.back().push_back(k);
  }
  std::vector<std::string> out;
  for (const auto& line : lines) {
    std::string s;
    for (std::size_t n = 0; n < line.size(); ++n) {
      const Token& t = tokens[line[n]];
      if (n > 0) s.append(t.spaces == 0 ? 0 : keep_spaces ? t.spaces : 1, ' ');
      s += t.text;
    }
    out.push_back(std::move(s));
  }
  return out;
}

/// Splits a value into lines of at most avail columns, keeping its inner spacing; a short last
/// line ("(29 d)") is avoided by breaking the line before it earlier.
std::vector<std::string> wrap_lines(std::string_view text, std::size_t avail) {
  auto lines = break_lines(text, avail, true);
  constexpr std::size_t kMinTail = 12;
  if (lines.size() >= 2 && display_width(lines.back()) < kMinTail) {
    std::string& prev = lines[lines.size() - 2];
    std::string& last = lines.back();
    for (std::size_t p = prev.rfind(' '); p != std::string::npos && p > 0; p = prev.rfind(' ', p - 1)) {
      if (display_width(std::string_view(prev).substr(0, p)) < avail / 2) break;
      const std::string moved = prev.substr(p + 1) + " " + last;
      if (display_width(moved) > avail) break;
      if (display_width(moved) >= kMinTail) {
        last = moved;
        prev.erase(p);
        while (!prev.empty() && prev.back() == ' ') prev.pop_back();
        break;
      }
    }
  }
  return lines;
}

/// Word-wraps text to width, each line after the first indented by indent spaces.
void wrapped(std::ostream& out, std::string_view text, std::size_t indent, std::size_t width) {
  const std::size_t avail = width > indent + 20 ? width - indent : 60;
  const auto lines = break_lines(text, avail, false);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k > 0) out << '\n' << std::string(indent, ' ');
    out << lines[k];
  }
  out << '\n';
}

}  // namespace

bool want_color(int fd, bool no_color_flag) {
  if (no_color_flag) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc != nullptr && *nc != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fd) == 1;
}

std::string colorize(std::string_view text, Severity s, bool color) {
  if (!color) return std::string(text);
  std::string out(color_code(s));
  out += text;
  out += kReset;
  return out;
}

/// A row's cells as the terminal may receive them (util::terminal_safe).
std::vector<std::string> safe_cells(const std::vector<std::string>& row) {
  std::vector<std::string> out;
  out.reserve(row.size());
  for (const auto& cell : row) out.push_back(util::terminal_safe(cell));
  return out;
}

void render_table(std::ostream& out, const Section& section, const TextStyle& style) {
  const std::string title = util::terminal_safe(section.title);
  if (!title.empty()) {
    if (style.color) out << kBold << title << kReset << '\n';
    else out << title << '\n';
  }
  Section s;
  s.columns = safe_cells(section.columns);
  s.rows.reserve(section.rows.size());
  for (const auto& row : section.rows) s.rows.push_back(safe_cells(row));
  std::size_t ncol = s.columns.size();
  for (const auto& row : s.rows) ncol = std::max(ncol, row.size());
  std::vector<std::size_t> widths(ncol, 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  };
  if (!s.columns.empty()) measure(s.columns);
  for (const auto& row : s.rows) measure(row);
  // Cells are padded to their column; a row ends at its last character (empty trailing cells
  // leave no trailing blanks, so golden files and `diff` stay clean).
  // In a key/value list (no column titles) a long last value wraps under itself, so keys stay
  // readable; tables with column titles never wrap (their rows stay one line for grep and cut).
  const bool wrap_values = s.columns.empty();
  auto print_row = [&](const std::vector<std::string>& row) {
    std::ostringstream line;
    line << "  ";
    std::size_t col = 2;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c + 1 < row.size()) {
        pad(line, row[c], widths[c]);
        line << "  ";
        col += widths[c] + 2;
        continue;
      }
      if (wrap_values && col + display_width(row[c]) > style.width && col + 40 <= style.width) {
        const auto parts = wrap_lines(row[c], style.width - col);
        for (std::size_t k = 0; k < parts.size(); ++k) {
          if (k > 0) line << '\n' << std::string(col, ' ');
          line << parts[k];
        }
      } else {
        line << row[c];
      }
    }
    std::string text = line.str();
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  };
  if (!s.columns.empty()) print_row(s.columns);
  for (const auto& row : s.rows) print_row(row);
}

void render_findings(std::ostream& out, const std::vector<Finding>& findings, const TextStyle& style) {
  constexpr std::size_t kIndent = 9;  // "  [CRIT] ": every title starts in the same column
  for (const auto& f : findings) {
    const std::string mark = "[" + std::string(label(f.severity)) + "]";
    out << "  " << colorize(mark, f.severity, style.color)
        << std::string(kIndent - 2 - std::min(mark.size(), kIndent - 3), ' ');
    wrapped(out, util::terminal_safe(f.title), kIndent, style.width);
    const std::string ind(kIndent, ' ');
    if (!f.detail.empty()) {
      out << ind;
      wrapped(out, util::terminal_safe(f.detail), kIndent, style.width);
    }
    if (!f.evidence.empty()) {
      const std::string label = std::string(i18n::msg("ui.evidence")) + ": ";
      out << ind << label;
      wrapped(out, util::terminal_safe(f.evidence), kIndent + display_width(label), style.width);
    }
    if (!f.remediation.empty()) {
      const std::string label = std::string(i18n::msg("ui.fix")) + ": ";
      out << ind << label;
      wrapped(out, util::terminal_safe(f.remediation), kIndent + display_width(label), style.width);
    }
  }
}

void render_text(std::ostream& out, const Report& r, const TextStyle& style) {
  const std::string head = util::terminal_safe(r.command + (r.target.empty() ? "" : " " + r.target));
  if (style.color) out << kBold << "== " << head << kReset << '\n';
  else out << "== " << head << '\n';
  for (const auto& s : r.sections) render_table(out, s, style);
  if (style.transcript && !r.transcript.empty()) {
    out << i18n::msg("ui.transcript") << "\n";
    for (const auto& l : r.transcript) {
      char t[32];
      std::snprintf(t, sizeof t, "%8.1fms", l.t_ms);
      out << "  " << t << ' ' << marker(l) << ' ' << util::terminal_safe(l.text);
      if (!l.note.empty()) out << "   # " << util::terminal_safe(l.note);
      out << '\n';
    }
  }
  if (!r.findings.empty()) {
    out << i18n::msg("ui.findings") << "\n";
    render_findings(out, r.findings, style);
  }
  const Severity st = r.status() == Severity::info ? Severity::ok : r.status();
  std::string verdict(to_string(st));
  std::transform(verdict.begin(), verdict.end(), verdict.begin(),
                 [](char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c); });
  out << i18n::msg("ui.status") << ": " << colorize(verdict, st, style.color) << "\n\n";
}

void render_json(std::ostream& out, const Report& r, bool with_transcript) {
  write_json(out, r, with_transcript);
  out << '\n';
}

}  // namespace maildiag::report
