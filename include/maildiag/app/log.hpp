#pragma once
/// `maildiag log`: follow a message through the server's own log (Postfix, Sendmail, Exim,
/// Dovecot), or summarise a log the way pflogsumm and qshape do. Read-only; streaming.

#include "maildiag/app/common.hpp"
#include "maildiag/log/story.hpp"
#include "maildiag/log/summary.hpp"
#include "maildiag/report/report.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace maildiag::app {

struct LogOptions {
  std::vector<std::string> files;         ///< "-" = stdin; empty = the system's mail log
  std::vector<std::string> ids;           ///< --id: queue ids
  std::vector<std::string> message_ids;   ///< --message-id: with or without <>
  std::vector<std::string> to;            ///< --to: addresses, or "@domain"
  bool summary = false;                   ///< --summary
  bool all = false;                       ///< --all: every story
  bool follow = false;                    ///< -f/--follow
  std::optional<std::chrono::seconds> follow_for;  ///< stop following after this long
  std::string since;                      ///< --since: "2h" (ago), "2026-11-23 10:00", "2026-11-23"
  std::string until;
  std::size_t top = 10;                   ///< rows of each summary table
  std::size_t max_open = 100'000;         ///< --max-open: open messages kept before eviction
  bool timeline = true;                   ///< show each story's log lines
};

using ReportSink = std::function<void(const report::Report&)>;

/// Runs `log`: emits one report per story (filters or --all), or one summary report. Returns
/// false with a one-line error for bad usage or an input that cannot be read.
bool run_log(const LogOptions& opts, const CommonOptions& common, const ReportSink& emit, std::string* error);

/// A story as a report: findings per recipient (classified), tables, JSON data (docs/log.md).
/// A progress report (--follow, a deferral while the message is still queued) keeps its findings
/// at info so that only the final state decides the exit code.
report::Report story_report(const log::Story& s, bool timeline, bool progress = false);
/// The summary as a report (docs/log.md).
report::Report summary_report(const log::Summary& s, const std::string& target);

}  // namespace maildiag::app
