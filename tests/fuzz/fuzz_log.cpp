// Fuzz target: mail log reading, as `maildiag log` does it — each line through the syslog line
// parser (BSD, ISO, RFC 5424, Exim formats), the event parser (Postfix, Sendmail, Exim, Dovecot),
// the story tracker (with tiny, fuzz-chosen limits, so eviction and the timeline caps run) and
// the summary builder. Log lines carry attacker-controlled text (HELO names, addresses, reject
// texts), so this is hostile input.
// Invariants: no exception escapes; parsed views lie inside the line; the tracker keeps at
// most max_open stories and each story within its caps; summary tables are cut to `top`.

#include "fuzz_support.hpp"

#include "maildiag/log/event.hpp"
#include "maildiag/log/story.hpp"
#include "maildiag/log/summary.hpp"
#include "maildiag/log/syslog.hpp"

#include <vector>

namespace {

using namespace maildiag;

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_story(const log::Story& s, const log::TrackerLimits& lim) {
  FUZZ_CHECK(s.timeline.size() <= lim.max_timeline);
  FUZZ_CHECK(s.deliveries.size() <= lim.max_deliveries);
  for (const auto& t : s.timeline) FUZZ_CHECK(t.text.size() <= lim.max_line + 32);  // + util::sanitize's "…[+N bytes]"
  (void)log::derive_outcome(s);
  (void)s.final_attempts();
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  log::TrackerLimits lim;
  lim.max_open = in.range(1, 8);
  lim.max_sessions = in.range(1, 8);
  lim.max_timeline = in.range(1, 8);
  lim.max_deliveries = in.range(1, 8);
  lim.max_line = in.range(16, 200);
  lim.max_bytes = in.range(1, 64) * 1024;
  log::SummaryLimits slim{in.range(1, 8), in.range(1, 8), in.range(1, 8)};
  const std::size_t top = in.range(1, 5);
  log::TimeContext ctx{1'700'000'000, static_cast<int>(in.range(0, 24)) * 60 - 720};

  log::Tracker tracker(lim);
  log::SummaryBuilder summary(slim);
  std::vector<log::Story> done;
  std::string_view text = in.rest();
  while (!text.empty()) {
    const auto lf = text.find('\n');
    const auto line = text.substr(0, lf);
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    const auto parsed = log::parse_syslog(line);
    if (!parsed) {
      summary.add_unparsed();
      continue;
    }
    // (program may name a constant, "exim" for Exim's own format, so it is not checked here)
    for (auto part : {parsed->time_text, parsed->host, parsed->pid, parsed->message}) FUZZ_CHECK(inside(part, line));
    log::Event ev;
    (void)log::parse_event(*parsed, ev);
    const auto epoch = log::to_epoch(parsed->time, ctx);
    summary.add(*parsed, ev, epoch);
    tracker.feed(*parsed, ev, epoch, done);
    FUZZ_CHECK(tracker.open() <= lim.max_open);
  }
  tracker.finish(done);
  for (const auto& s : done) check_story(s, lim);
  const auto result = summary.result(top);
  FUZZ_CHECK(result.domains.size() <= top && result.rejects.size() <= top && result.reasons.size() <= top + 64);
  return 0;
}
