#pragma once
/// The one report model every subcommand produces: findings with a severity, optional
/// tables for the human view, structured `data` for --json, and an optional transcript.
/// Rendering (text or JSON) lives in render.hpp; exit codes derive from the worst finding.

#include <iosfwd>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::report {

/// Ordered by how much it matters for the exit code (see worst()).
enum class Severity { ok, info, warning, unknown, critical };

std::string_view to_string(Severity s);       ///< "ok", "info", "warning", "unknown", "critical"
std::string_view label(Severity s);           ///< fixed-width text label: "OK", "INFO", "WARN", "UNKN", "CRIT"
std::optional<Severity> severity_from_string(std::string_view s);

/// Monitoring-plugins exit code: 0 OK (ok/info), 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int exit_code(Severity s);
/// CRITICAL > UNKNOWN > WARNING > OK/INFO (monitoring-plugins' max_state_alt).
Severity worst(Severity a, Severity b);

/// One thing we found. `id` is a stable dotted identifier for scripts (e.g. "rcpt.user-unknown").
struct Finding {
  Severity severity = Severity::info;
  std::string id;
  std::string title;        ///< one short line
  std::string detail;       ///< what it means, in words
  std::string evidence;     ///< the exact server reply / record / header that proves it
  std::string remediation;  ///< what to do next
};

/// A table for the human view. Columns empty = key/value list (first column is the key).
struct Section {
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

/// One line of a protocol dialog, for -t/--transcript and the JSON "transcript" array.
struct TranscriptLine {
  enum class Dir { info, sent, received, error };
  Dir dir = Dir::info;
  bool tls = false;          ///< inside TLS
  bool unexpected = false;   ///< an error reply / a command sent out of the expected flow
  double t_ms = 0;           ///< milliseconds since the session start
  std::string text;          ///< the line, already sanitised and redacted
  std::string note;          ///< short annotation (the classifier's reading of a reply)
};

/// swaks-style three-character direction marker: " ->", " ~>", "<- ", "<~ ", "<**", "<~*", "===", "***".
std::string_view marker(const TranscriptLine& line);

struct Report {
  std::string command;                 ///< subcommand name, e.g. "mx"
  std::string target;                  ///< what was examined (domain, host, file, code)
  std::vector<Section> sections;       ///< human view
  std::vector<Finding> findings;
  std::vector<TranscriptLine> transcript;
  nlohmann::json data = nlohmann::json::object();  ///< subcommand-specific structured result
  /// `data` already written as JSON text, by a subcommand that writes its data without a tree (mx:
  /// a bulk run writes one per domain, tens of thousands a second). When not empty, write_json
  /// writes it as it is and `data` is not looked at; parse_data_text() makes it the tree.
  std::string data_text;

  Finding& add(Severity severity, std::string id, std::string title, std::string detail = {},
               std::string evidence = {}, std::string remediation = {});
  Section& add_section(std::string title, std::vector<std::string> columns = {});
  /// Worst severity over the findings; ok when there are none.
  [[nodiscard]] Severity status() const;
  [[nodiscard]] int exit_code() const { return report::exit_code(status()); }
};

/// JSON shape of schema_version 1 (documented in docs/json.md).
inline constexpr int kSchemaVersion = 1;
/// Writes the report as one compact JSON object (invalid UTF-8 replaced), no newline: schema_version,
/// tool, version, command, target, status, exit_code, findings, data and (with_transcript, when
/// there is one) transcript, keys in sorted order as nlohmann's dump() writes them.
void write_json(std::ostream& out, const Report& r, bool with_transcript = true);
nlohmann::json to_json(const TranscriptLine& l);
/// Moves r.data_text, when set, into r.data as a tree (for code that reads or changes `data`);
/// write_json gives the same bytes either way.
void parse_data_text(Report& r);

}  // namespace maildiag::report
