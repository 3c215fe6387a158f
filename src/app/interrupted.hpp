#pragma once
// app-private: the one finding every runner records when Ctrl-C (SIGINT) or SIGTERM stopped it
// (util/interrupt.hpp). Severity unknown: what was checked so far is reported, the rest was not
// run. main() adds the one-line "maildiag: interrupted by ..." and exits kInterruptedExitCode.

#include "maildiag/report/report.hpp"
#include "maildiag/util/interrupt.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace maildiag::app {

/// Adds "<prefix>.interrupted" once per report; `during` names the step ("the greeting"). How
/// the connection was closed shows in the transcript (QUIT/LOGOUT and the reply, or nothing).
inline void add_interrupted(report::Report& rep, std::string_view prefix, std::string_view during) {
  const std::string id = std::string(prefix) + ".interrupted";
  const bool seen = std::any_of(rep.findings.begin(), rep.findings.end(),
                                [&](const report::Finding& f) { return f.id == id; });
  if (seen) return;
  const std::string detail = "The run was stopped before it finished; the results are what was seen until then.";
  std::string title = util::interrupt_message();  // "interrupted by SIGINT (Ctrl-C)"
  if (!title.empty()) title.front() = 'I';
  rep.add(report::Severity::unknown, id, title + " while waiting for " + std::string(during), detail, {},
          "Run the check again and let it finish (use --timeout to bound slow steps).");
}

}  // namespace maildiag::app
