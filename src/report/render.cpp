#include "maildiag/report/render.hpp"

#include "maildiag/i18n/catalog.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

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

/// Word-wraps text to width, each line after the first indented by indent spaces.
void wrapped(std::ostream& out, std::string_view text, std::size_t indent, std::size_t width) {
  const std::size_t avail = width > indent + 20 ? width - indent : 60;
  std::size_t col = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view word = text.substr(i, j - i);
    const std::size_t ww = display_width(word);
    if (col > 0 && col + 1 + ww > avail) {
      out << '\n' << std::string(indent, ' ');
      col = 0;
    } else if (col > 0) {
      out << ' ';
      ++col;
    }
    out << word;
    col += ww;
    i = j;
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

void render_table(std::ostream& out, const Section& s, const TextStyle& style) {
  if (!s.title.empty()) {
    if (style.color) out << kBold << s.title << kReset << '\n';
    else out << s.title << '\n';
  }
  std::size_t ncol = s.columns.size();
  for (const auto& row : s.rows) ncol = std::max(ncol, row.size());
  std::vector<std::size_t> widths(ncol, 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  };
  if (!s.columns.empty()) measure(s.columns);
  for (const auto& row : s.rows) measure(row);
  auto print_row = [&](const std::vector<std::string>& row) {
    out << "  ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c + 1 == row.size()) out << row[c];
      else {
        pad(out, row[c], widths[c]);
        out << "  ";
      }
    }
    out << '\n';
  };
  if (!s.columns.empty()) print_row(s.columns);
  for (const auto& row : s.rows) print_row(row);
}

void render_findings(std::ostream& out, const std::vector<Finding>& findings, const TextStyle& style) {
  constexpr std::size_t kIndent = 9;  // "  [CRIT] "
  for (const auto& f : findings) {
    out << "  " << colorize(std::string("[") + std::string(label(f.severity)) + "]", f.severity, style.color)
        << ' ';
    wrapped(out, f.title, kIndent, style.width);
    const std::string ind(kIndent, ' ');
    if (!f.detail.empty()) {
      out << ind;
      wrapped(out, f.detail, kIndent, style.width);
    }
    if (!f.evidence.empty()) {
      const std::string label = std::string(i18n::msg("ui.evidence")) + ": ";
      out << ind << label;
      wrapped(out, f.evidence, kIndent + display_width(label), style.width);
    }
    if (!f.remediation.empty()) {
      const std::string label = std::string(i18n::msg("ui.fix")) + ": ";
      out << ind << label;
      wrapped(out, f.remediation, kIndent + display_width(label), style.width);
    }
  }
}

void render_text(std::ostream& out, const Report& r, const TextStyle& style) {
  const std::string head = r.command + (r.target.empty() ? "" : " " + r.target);
  if (style.color) out << kBold << "== " << head << kReset << '\n';
  else out << "== " << head << '\n';
  for (const auto& s : r.sections) render_table(out, s, style);
  if (style.transcript && !r.transcript.empty()) {
    out << i18n::msg("ui.transcript") << "\n";
    for (const auto& l : r.transcript) {
      char t[32];
      std::snprintf(t, sizeof t, "%8.1fms", l.t_ms);
      out << "  " << t << ' ' << marker(l) << ' ' << l.text;
      if (!l.note.empty()) out << "   # " << l.note;
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
  out << to_json(r, with_transcript).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
      << '\n';
}

}  // namespace maildiag::report
