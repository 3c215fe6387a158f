// Fuzz target: mail queue listings (`postqueue -j` JSON lines, Postfix/Sendmail `mailq`, Exim
// `-bp`), as `maildiag queue` reads them, with default and tiny limits, then the grouping by
// destination domain (which runs the classifier on each delay reason).
// Invariants: no exception escapes; message, recipient, reason and error counts within limits.

#include "fuzz_support.hpp"

#include "maildiag/log/queue.hpp"

namespace {

using namespace maildiag;

void check(const log::QueueListing& q, const log::QueueLimits& lim) {
  FUZZ_CHECK(q.messages.size() <= lim.max_messages);
  FUZZ_CHECK(q.errors.size() <= lim.max_errors + 1);
  for (const auto& m : q.messages) {
    FUZZ_CHECK(m.recipients.size() <= lim.max_recipients);
    for (const auto& r : m.recipients) FUZZ_CHECK(r.reason.size() <= lim.max_reason + 32);  // + util::sanitize's "…[+N bytes]"
  }
  (void)log::group_by_domain(q.messages, 1'700'000'000);
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  log::QueueLimits tiny;
  tiny.max_messages = in.range(1, 8);
  tiny.max_recipients = in.range(1, 8);
  tiny.max_reason = in.range(1, 64);
  tiny.max_errors = in.range(0, 4);
  const log::TimeContext ctx{1'700'000'000, 60};
  const std::string_view text = in.rest();
  check(log::parse_queue_listing(text, ctx), log::QueueLimits{});
  check(log::parse_queue_listing(text, ctx, tiny), tiny);
  check(log::parse_postqueue_json(text, tiny), tiny);
  check(log::parse_mailq(text, ctx, tiny), tiny);
  return 0;
}
