#pragma once
/// The mail queue as the server lists it: Postfix `postqueue -j` (JSON lines, Postfix 3.1+) and the
/// text of `mailq` from Postfix, Sendmail and Exim (`exim -bp`). Pure parsing and grouping by
/// destination domain; running postqueue is app/'s job. Bounded: a cap on messages, reasons and
/// line lengths; malformed entries are reported, never fatal.

#include "maildiag/codes/reason.hpp"
#include "maildiag/log/event.hpp"
#include "maildiag/log/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::log {

struct QueuedRecipient {
  std::string address;
  std::string reason;     ///< why delivery is delayed ("connect to ...: Connection refused"); may be empty
  bool delivered = false; ///< Exim lists delivered recipients of a partly delivered message ("D")
};

struct QueuedMessage {
  Source mta = Source::postfix;
  std::string queue_name;                ///< deferred, active, hold, incoming, maildrop; "frozen" for Exim
  std::string id;
  std::optional<std::int64_t> arrival;   ///< epoch seconds when the listing gives a time
  std::optional<std::int64_t> age;       ///< seconds, when the listing gives an age (Exim)
  std::uint64_t size = 0;                ///< bytes
  std::string sender;                    ///< empty = null sender (a bounce)
  std::vector<QueuedRecipient> recipients;
  bool forced_expire = false;            ///< postsuper -e: will be returned on the next attempt

  /// Seconds in the queue at `now` (from the age or the arrival time); 0 when unknown.
  [[nodiscard]] std::int64_t age_at(std::int64_t now) const;
};

struct QueueListing {
  std::string format;                    ///< "postqueue-json", "postfix-mailq", "sendmail-mailq", "exim-bp", "empty"
  std::vector<QueuedMessage> messages;
  std::vector<std::string> errors;       ///< one line per entry that could not be read (bounded)
  bool truncated = false;                ///< more messages than the cap
};

struct QueueLimits {
  std::size_t max_messages = 100'000;
  std::size_t max_recipients = 1'000;    ///< per message
  std::size_t max_reason = 1'000;        ///< bytes of one delay reason
  std::size_t max_errors = 20;
};

/// `postqueue -j`: one JSON object per line.
QueueListing parse_postqueue_json(std::string_view text, const QueueLimits& limits = {});
/// `mailq` / `postqueue -p` / `exim -bp` text; the format is recognised from its header lines.
/// Arrival times without a year are placed with ctx (see TimeContext).
QueueListing parse_mailq(std::string_view text, const TimeContext& ctx, const QueueLimits& limits = {});
/// Either of the above, chosen by the first non-blank character ('{' = JSON lines).
QueueListing parse_queue_listing(std::string_view text, const TimeContext& ctx, const QueueLimits& limits = {});

/// One destination domain of the queue.
struct QueueDomain {
  std::string domain;
  std::size_t messages = 0;
  std::size_t recipients = 0;
  std::int64_t oldest_age = 0;
  std::string reason;                    ///< the newest message's delay reason (the current state)
  codes::Reason reason_class = codes::Reason::other;
  std::size_t distinct_reasons = 0;
};

/// Recipients not yet delivered, grouped by domain, most recipients first. The reason of each
/// domain is classified with the shared classifier.
std::vector<QueueDomain> group_by_domain(const std::vector<QueuedMessage>& messages, std::int64_t now);

/// "2.9K" / "1.1M" / "512" (Exim sizes) -> bytes.
std::optional<std::uint64_t> parse_size(std::string_view s);

}  // namespace maildiag::log
