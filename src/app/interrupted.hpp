#pragma once
// app-private: the one finding every runner records when Ctrl-C (SIGINT) or SIGTERM stopped it
// (util/interrupt.hpp). Severity unknown: what was checked so far is reported, the rest was not
// run. main() adds the one-line "maildiag: interrupted by ..." and exits kInterruptedExitCode.

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/report.hpp"
#include "maildiag/util/interrupt.hpp"

#include <algorithm>
#include <csignal>
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
  // The signal as util::interrupt_message() names it ("interrupted by SIGINT (Ctrl-C)").
  const int sig = util::interrupt_signal();
  std::string title;
  if (sig == 0) title = i18n::format("common.interrupted.title.none", {std::string(during)});
  else {
    const std::string what = sig == SIGINT    ? std::string("SIGINT (Ctrl-C)")
                             : sig == SIGTERM ? std::string("SIGTERM")
                                              : i18n::format("common.interrupted.signal", {std::to_string(sig)});
    title = i18n::format("common.interrupted.title", {what, std::string(during)});
  }
  rep.add(report::Severity::unknown, id, title, std::string(i18n::msg("common.interrupted.detail")), {},
          std::string(i18n::msg("common.interrupted.fix")));
}

}  // namespace maildiag::app
