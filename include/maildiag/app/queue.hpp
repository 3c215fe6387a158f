#pragma once
/// `maildiag queue`: what waits in the mail queue and why — by age and destination domain, with the
/// latest delay reason classified. Reads `postqueue -j` (never postsuper: read-only) or a mailq
/// listing of Postfix, Sendmail or Exim.

#include "maildiag/app/common.hpp"
#include "maildiag/log/queue.hpp"
#include "maildiag/report/report.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace maildiag::app {

struct QueueOptions {
  std::string input;                        ///< --input FILE|-: a listing; empty = run postqueue -j
  std::string config_dir;                   ///< --config-dir DIR: postqueue -c DIR
  std::string postqueue = "postqueue";      ///< --postqueue PATH
  std::optional<std::int64_t> older_than;   ///< --older-than: seconds
  std::vector<std::string> domains;         ///< --domain: recipient domains to keep
  std::int64_t critical_age = 86'400;       ///< --critical-age: oldest message age for CRITICAL
  std::size_t limit = 50;                   ///< --limit: message rows in the text view
};

/// Reads the queue and builds the report; nullopt with a one-line error when the listing cannot
/// be obtained at all (postqueue missing, unreadable file).
std::optional<report::Report> run_queue(const QueueOptions& opts, const CommonOptions& common, std::string* error);

/// The report for a parsed listing at `now` (pure; used by run_queue and the tests).
report::Report queue_report(const log::QueueListing& listing, const QueueOptions& opts, const std::string& source,
                            std::int64_t now);

}  // namespace maildiag::app
