#include "transcript.hpp"

#include "maildiag/util/text.hpp"

#include <spdlog/spdlog.h>

namespace maildiag::app {

namespace {
constexpr std::size_t kShownLine = 1000;
}

void record_line(report::Report& rep, report::TranscriptLine line, const Redactor& redactor, const LiveLine& live) {
  if (!redactor.empty()) {
    line.text = redactor.apply(line.text);
    line.note = redactor.apply(line.note);
  }
  line.text = util::sanitize(line.text, kShownLine);
  spdlog::debug("{} {}", report::marker(line), line.text);
  if (live) live(line);
  rep.transcript.push_back(std::move(line));
}

}  // namespace maildiag::app
