#include "maildiag/report/report.hpp"

#include "maildiag/version.hpp"

#include <array>
#include <ostream>

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

nlohmann::json to_json(const Finding& f) {
  nlohmann::json j{{"severity", to_string(f.severity)}, {"id", f.id}, {"title", f.title}};
  j["detail"] = f.detail;
  j["evidence"] = f.evidence;
  j["remediation"] = f.remediation;
  return j;
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

void write_json(std::ostream& out, const Report& r, bool with_transcript) {
  // The top-level object written key by key, in the order nlohmann's objects sort their keys (the
  // bytes its dump() would give, tested), without copying r.data into a new tree first: for
  // `mx -` over many domains that copy and its frees were a tenth of the run.
  const auto dump = [&out](const nlohmann::json& v) {
    out << v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) findings.push_back(to_json(f));
  out << "{\"command\":";
  dump(r.command);
  out << ",\"data\":";
  dump(r.data);
  out << ",\"exit_code\":" << r.exit_code() << ",\"findings\":";
  dump(findings);
  out << ",\"schema_version\":" << kSchemaVersion << ",\"status\":";
  dump(to_string(r.status() == Severity::info ? Severity::ok : r.status()));
  out << ",\"target\":";
  dump(r.target);
  out << ",\"tool\":\"maildiag\"";
  if (with_transcript && !r.transcript.empty()) {
    nlohmann::json ts = nlohmann::json::array();
    for (const auto& l : r.transcript) ts.push_back(to_json(l));
    out << ",\"transcript\":";
    dump(ts);
  }
  out << ",\"version\":";
  dump(kVersion);
  out << '}';
}

}  // namespace maildiag::report
