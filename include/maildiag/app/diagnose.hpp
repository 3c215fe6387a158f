#pragma once
/// `maildiag diagnose ADDRESS|DOMAIN` (and `--bounce FILE`): walks the path a message takes —
/// DNS, port 25 reachability, the SMTP dialog up to RCPT TO — stopping where a step makes later
/// ones meaningless, and ends with the single most likely root cause (diagnose_verdict.hpp).
/// Never sends a message: the session ends with QUIT after RCPT.

#include "maildiag/app/common.hpp"
#include "maildiag/app/diagnose_verdict.hpp"
#include "maildiag/report/report.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace maildiag::app {

struct DiagnoseOptions {
  std::string target;                   ///< user@domain or domain
  std::string from;                     ///< MAIL FROM; empty: the null sender <>
  std::string helo;                     ///< EHLO name; empty: smtp-test's default
  std::uint16_t port = 25;              ///< SMTP port on the MX hosts (test beds use high ports)
  std::optional<std::vector<std::string>> controls;  ///< control hosts; nullopt: probe's default
  std::string ca_file;
  bool no_verify = false;
  std::optional<std::string> source;    ///< local address to bind
  bool allow_private = false;           ///< private/loopback MX addresses are not findings
  CommonOptions common;
};

/// Progress notes ("2/3 reachability") for a TTY; may be empty.
using DiagnoseProgress = std::function<void(const std::string&)>;

/// One report: the checklist (a section per step), the verdict first among the findings, then
/// each step's own findings; data carries every step's data and the verdict. nullopt with *error
/// for a target that is neither an address nor a domain.
std::optional<report::Report> run_diagnose(const DiagnoseOptions& options, const DiagnoseProgress& progress,
                                           std::string* error);

/// --bounce FILE: one report per failed recipient of the bounce, each diagnosing that recipient
/// now, headed by what the bounce said. nullopt with *error when the file cannot be read.
std::optional<std::vector<report::Report>> run_diagnose_bounce(const std::string& file, const DiagnoseOptions& options,
                                                               const DiagnoseProgress& progress, std::string* error);

}  // namespace maildiag::app
