#include "maildiag/report/report.hpp"

#include "maildiag/report/json_text.hpp"
#include "maildiag/version.hpp"

#include <array>
#include <ostream>
#include <string>
#include <utility>

namespace maildiag::report {

namespace {
struct SeverityName {
  Severity s;
  std::string_view name;
  std::string_view label;
};
constexpr std::array<SeverityName, 5> kSeverities{{
    {Severity::ok, "ok", "OK"},
    {Severity::info, "info", "INFO"},
    {Severity::warning, "warning", "WARN"},
    {Severity::unknown, "unknown", "UNKN"},
    {Severity::critical, "critical", "CRIT"},
}};
}  // namespace

std::string_view to_string(Severity s) { return kSeverities.at(static_cast<std::size_t>(s)).name; }
std::string_view label(Severity s) { return kSeverities.at(static_cast<std::size_t>(s)).label; }

std::optional<Severity> severity_from_string(std::string_view s) {
  for (const auto& e : kSeverities) {
    if (e.name == s) return e.s;
  }
  return std::nullopt;
}

int exit_code(Severity s) {
  switch (s) {
    case Severity::ok:
    case Severity::info: return 0;
    case Severity::warning: return 1;
    case Severity::critical: return 2;
    case Severity::unknown: return 3;
  }
  return 3;
}

Severity worst(Severity a, Severity b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

std::string_view marker(const TranscriptLine& line) {
  using Dir = TranscriptLine::Dir;
  switch (line.dir) {
    case Dir::info: return "===";
    case Dir::error: return "***";
    case Dir::sent:
      if (line.unexpected) return line.tls ? "*~>" : "**>";
      return line.tls ? " ~>" : " ->";
    case Dir::received:
      if (line.unexpected) return line.tls ? "<~*" : "<**";
      return line.tls ? "<~ " : "<- ";
  }
  return "===";
}

Finding& Report::add(Severity severity, std::string id, std::string title, std::string detail,
                     std::string evidence, std::string remediation) {
  findings.push_back(Finding{severity, std::move(id), std::move(title), std::move(detail),
                             std::move(evidence), std::move(remediation)});
  return findings.back();
}

Section& Report::add_section(std::string title, std::vector<std::string> columns) {
  sections.push_back(Section{std::move(title), std::move(columns), {}});
  return sections.back();
}

Severity Report::status() const {
  Severity s = Severity::ok;
  for (const auto& f : findings) s = worst(s, f.severity);
  return s;
}

nlohmann::json to_json(const TranscriptLine& l) {
  static constexpr std::array<std::string_view, 4> kDir{"info", "sent", "received", "error"};
  return {{"t_ms", l.t_ms},
          {"dir", kDir.at(static_cast<std::size_t>(l.dir))},
          {"tls", l.tls},
          {"unexpected", l.unexpected},
          {"text", l.text},
          {"note", l.note}};
}

void parse_data_text(Report& r) {
  if (r.data_text.empty()) return;
  r.data = nlohmann::json::parse(r.data_text);
  r.data_text = std::string();
}

namespace {

void append_finding(std::string& out, const Finding& f) {
  // Keys in sorted order, as nlohmann's objects dump them.
  const std::pair<std::string_view, std::string_view> fields[] = {
      {"detail", f.detail}, {"evidence", f.evidence}, {"id", f.id}, {"remediation", f.remediation},
      {"severity", to_string(f.severity)}, {"title", f.title}};
  json_text::Object o(out);
  for (const auto& [key, value] : fields) o.string(key, value);
}

template <class Items, class AppendItem>
void append_array(std::string& out, const Items& items, AppendItem append_item) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    append_item(out, items[i]);
  }
  out += ']';
}

void append_transcript_line(std::string& out, const TranscriptLine& l) {
  json_text::append(out, to_json(l));
}

}  // namespace

void write_json(std::ostream& out, const Report& r, bool with_transcript) {
  // The top-level object written key by key, in the order nlohmann's objects sort their keys (the
  // bytes its dump() would give, tested), into one string written at once; nothing copies
  // r.data into a new tree first. For `mx -` over many domains dump() and that copy were a
  // third of the run.
  using namespace json_text;
  std::string s;
  s.reserve(2048);
  s += "{\"command\":";
  append_string(s, r.command);
  s += ",\"data\":";
  if (r.data_text.empty()) append(s, r.data);
  else s += r.data_text;
  s += ",\"exit_code\":";
  s += std::to_string(r.exit_code());
  s += ",\"findings\":";
  append_array(s, r.findings, append_finding);
  s += ",\"schema_version\":";
  s += std::to_string(kSchemaVersion);
  s += ",\"status\":";
  append_string(s, to_string(r.status() == Severity::info ? Severity::ok : r.status()));
  s += ",\"target\":";
  append_string(s, r.target);
  s += ",\"tool\":\"maildiag\"";
  if (with_transcript && !r.transcript.empty()) {
    s += ",\"transcript\":";
    append_array(s, r.transcript, append_transcript_line);
  }
  s += ",\"version\":";
  append_string(s, kVersion);
  s += '}';
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

}  // namespace maildiag::report
