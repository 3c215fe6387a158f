// Golden-output tests: the offline subcommands' exact text (--no-color) and JSON on fixed inputs,
// compared with tests/cli/golden/<case>.txt and <case>.json. A mismatch fails with a unified diff.
//
// Regenerate after an intended change (then review `git diff tests/cli/golden`):
//   MAILDIAG_GOLDEN_UPDATE=1 ctest --test-dir build -R golden
// The layout checks below hold every case to the same finding layout, severity marks, column
// alignment and wrapping, whichever subcommand produced it.

#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

using maildiag::test::run_maildiag;
using maildiag::test::run_process;

namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(MAILDIAG_SOURCE_DIR) / "tests" / "cli" / "golden";
const fs::path kInputDir = kGoldenDir / "input";

struct GoldenCase {
  std::string name;               ///< golden/<name>.txt and golden/<name>.json
  std::vector<std::string> args;  ///< after the global options
  std::string stdin_file;         ///< under golden/input/, or empty
  int exit_code;
};

/// Offline only: no clock-dependent input (queue listings with ages, not dates), no network.
const std::vector<GoldenCase> kCases = {
    {"explain_user_unknown", {"explain", "550", "5.1.1"}, "", 2},
    {"explain_mailbox_full", {"explain", "452 4.2.2 <bob@example.org>: Mailbox full"}, "", 1},
    {"explain_blocklist", {"explain", "-"}, "explain_blocklist.txt", 2},
    {"explain_pop3_in_use", {"explain", "--", "-ERR [IN-USE] Mailbox locked by another session"}, "", 1},
    {"explain_inconsistent", {"explain", "550 4.1.1 mailbox unavailable"}, "", 2},
    {"explain_zh", {"--lang", "zh", "explain", "550 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org"}, "", 2},
    {"headers_clean", {"headers"}, "headers_clean.eml", 0},
    {"headers_forged", {"headers"}, "headers_forged.eml", 2},
    {"headers_testbed", {"headers", "--all"}, "headers_testbed.eml", 0},
    {"bounce_testbed", {"bounce"}, "bounce_testbed.eml", 2},
    {"bounce_qmail", {"bounce"}, "bounce_qmail.eml", 1},
    {"bounce_delay", {"bounce"}, "bounce_delay.eml", 1},
    {"log_story", {"log", "--id", "12BDBE6FEE9", "-"}, "postfix_mail.log", 0},
    {"log_all", {"log", "--all", "--no-timeline", "-"}, "postfix_mail.log", 2},
    // The summary's JSON has epoch times: syslog stamps have no year, so it reads the ISO copy.
    {"log_summary", {"log", "--summary", "-"}, "postfix_mail_iso.log", 1},
    {"log_not_found", {"log", "--id", "0000000000", "-"}, "postfix_mail.log", 3},
    {"queue_exim", {"queue", "--input", "-"}, "exim_bp.txt", 2},
    // The same look in Simplified Chinese (CJK width, wrapping); their .json are English (--json).
    {"headers_forged_zh", {"--lang", "zh", "headers"}, "headers_forged.eml", 2},
    {"bounce_testbed_zh", {"--lang", "zh", "bounce"}, "bounce_testbed.eml", 2},
    {"log_story_zh", {"--lang", "zh", "log", "--id", "12BDBE6FEE9", "-"}, "postfix_mail.log", 0},
    {"queue_exim_zh", {"--lang", "zh", "queue", "--input", "-"}, "exim_bp.txt", 2},
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spill(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

maildiag::test::ProcessResult run_case(const GoldenCase& c, bool json) {
  std::vector<std::string> args = {json ? "--json" : "--no-color"};
  // The *_zh cases pass their own --lang; the others pin English so LANG cannot change them.
  if (c.args.front() != "--lang") args.insert(args.end(), {"--lang", "en"});
  args.insert(args.end(), c.args.begin(), c.args.end());
  const std::string in = c.stdin_file.empty() ? std::string() : slurp(kInputDir / c.stdin_file);
  return run_maildiag(args, in, {{"LC_ALL", "C.UTF-8"}, {"TZ", "UTC"}, {"COLUMNS", "100"}});
}

/// JSON as one pretty-printed document per NDJSON line (keys sorted), the version pinned.
std::string normalise_json(const std::string& ndjson) {
  std::istringstream lines(ndjson);
  std::string line;
  std::string out;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      out += "NOT JSON: " + line + "\n";
      continue;
    }
    if (j.is_object() && j.contains("version")) j["version"] = "VERSION";
    out += j.dump(2) + "\n";
  }
  return out;
}

/// `diff -u` of expected and actual (falls back to the first differing line without diff(1)).
std::string describe_diff(const fs::path& golden, const std::string& actual) {
  const auto tmp = fs::temp_directory_path() / ("maildiag-golden-" + std::to_string(::getpid()));
  spill(tmp, actual);
  auto d = run_process({"diff", "-u", "--label", "expected " + golden.filename().string(), "--label",
                        "actual", golden.string(), tmp.string()});
  fs::remove(tmp);
  if (d.exit_code == 1) return d.out;
  const std::string expected = slurp(golden);
  std::size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  return "outputs differ from byte " + std::to_string(i) + ": expected \"" + expected.substr(i, 80) +
         "\", actual \"" + actual.substr(i, 80) + "\"";
}

bool updating() {
  const char* v = std::getenv("MAILDIAG_GOLDEN_UPDATE");
  return v != nullptr && std::string_view(v) == "1";
}

void compare_or_update(const fs::path& golden, const std::string& actual) {
  if (updating()) {
    spill(golden, actual);
    WARN("updated " << golden.string());
    return;
  }
  INFO("golden file " << golden.string()
                      << " (regenerate: MAILDIAG_GOLDEN_UPDATE=1 ctest -R golden, then review git diff)");
  REQUIRE(fs::exists(golden));
  const std::string expected = slurp(golden);
  if (expected != actual) {
    // Written unwrapped to stderr (Catch2 wraps its messages at 80 columns), then failed.
    const std::string diff = describe_diff(golden, actual);
    std::cerr << "\n=== golden mismatch: " << golden.string() << " (- expected, + actual)\n" << diff << "=== end\n";
    FAIL_CHECK("output differs from " << golden.filename().string() << ": see the diff on stderr\n" << diff);
  }
}

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    w += n >= 3 ? 2 : 1;  // CJK (3-byte) text in the fixtures is double width
    i += n;
  }
  return w;
}

/// The layout every subcommand shares (docs/testing.md "Golden-output tests"): a `== command
/// target` head, sections of two-space-indented rows, findings as `  [MARK] title` with the title
/// in column 10 and continuation lines indented to it, and `Status: WORD` plus a blank line closing
/// each report. Labels ("Findings", "Status") may be translated (--lang zh); the marks may not.
std::vector<std::string> layout_problems(const std::string& text) {
  static const std::regex mark(R"(^  \[(OK|INFO|WARN|UNKN|CRIT)\] +\S)");
  static const std::regex status(R"(^[^ :]+: (OK|WARNING|CRITICAL|UNKNOWN)$)");
  std::vector<std::string> problems;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  bool in_findings = false;
  bool expect_head = true;
  std::string prev;
  while (std::getline(in, line)) {
    ++n;
    const std::string where = "line " + std::to_string(n) + ": ";
    if (!line.empty() && line.back() == ' ') problems.push_back(where + "trailing blank");
    if (line.find('\x1b') != std::string::npos) problems.push_back(where + "colour escape with --no-color");
    std::smatch m;
    if (expect_head) {
      if (line.rfind("== ", 0) != 0) problems.push_back(where + "a report starts with '== command target'");
      expect_head = false;
      in_findings = false;
    } else if (line.empty()) {
      if (!std::regex_match(prev, status)) problems.push_back(where + "blank line not after Status");
      expect_head = true;
    } else if (std::regex_search(line, m, mark)) {
      in_findings = true;
      if (m.position(0) + m.length(0) - 1 != 9) problems.push_back(where + "finding title not in column 10");
    } else if (in_findings && line.front() == ' ') {
      if (line.rfind("         ", 0) != 0) problems.push_back(where + "finding continuation not indented by 9");
    } else if (in_findings && !std::regex_match(line, status)) {
      problems.push_back(where + "findings end with the Status line");
    } else if (line.front() == ' ' && line.rfind("  ", 0) != 0) {
      problems.push_back(where + "section rows are indented by two spaces");
    }
    if (in_findings && display_width(line) > 100) {
      // A single unbreakable word may overflow; anything else wraps at 100 columns.
      const auto last_space = line.find_last_of(' ');
      if (display_width(line.substr(0, last_space)) > 100) problems.push_back(where + "finding line not wrapped at 100");
    }
    prev = line;
  }
  if (!expect_head) problems.push_back("the output does not end with 'Status: ...' and a blank line");
  return problems;
}

std::vector<std::string> json_problems(const std::string& ndjson) {
  std::vector<std::string> problems;
  std::istringstream lines(ndjson);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      problems.push_back("not a JSON object: " + line.substr(0, 80));
      continue;
    }
    if (j.value("command", "") == "bounce" || !j.contains("findings")) {
      // bounce prints one object per recipient (docs/bounce.md), not the report envelope.
      if (!j.contains("schema_version") || !j.contains("severity")) problems.push_back("bounce line without schema_version/severity");
      continue;
    }
    for (const char* k : {"schema_version", "tool", "version", "command", "target", "status", "exit_code", "findings", "data"}) {
      if (!j.contains(k)) problems.push_back(std::string("missing ") + k);
    }
    for (const auto& f : j["findings"]) {
      for (const char* k : {"severity", "id", "title", "detail", "evidence", "remediation"}) {
        if (!f.contains(k) || !f[k].is_string()) problems.push_back(std::string("finding without string ") + k);
      }
    }
  }
  return problems;
}

}  // namespace

TEST_CASE("golden: text output of the offline subcommands", "[cli][golden]") {
  for (const auto& c : kCases) {
    DYNAMIC_SECTION(c.name) {
      const auto r = run_case(c, false);
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == c.exit_code);
      compare_or_update(kGoldenDir / (c.name + ".txt"), r.out);
    }
  }
}

TEST_CASE("golden: JSON output of the offline subcommands", "[cli][golden]") {
  for (const auto& c : kCases) {
    DYNAMIC_SECTION(c.name) {
      const auto r = run_case(c, true);
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == c.exit_code);
      compare_or_update(kGoldenDir / (c.name + ".json"), normalise_json(r.out));
    }
  }
}

TEST_CASE("golden: every subcommand uses the same text layout", "[cli][golden]") {
  for (const auto& c : kCases) {
    DYNAMIC_SECTION(c.name) {
      const auto r = run_case(c, false);
      const auto problems = layout_problems(r.out);
      for (const auto& p : problems) FAIL_CHECK(c.name << ": " << p);
      CHECK(problems.empty());
    }
  }
}

TEST_CASE("golden: every subcommand's JSON has the documented envelope", "[cli][golden]") {
  for (const auto& c : kCases) {
    DYNAMIC_SECTION(c.name) {
      const auto r = run_case(c, true);
      const auto problems = json_problems(r.out);
      for (const auto& p : problems) FAIL_CHECK(c.name << ": " << p);
      CHECK(problems.empty());
    }
  }
}
