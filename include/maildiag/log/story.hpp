#pragma once
/// A message's story assembled from the log: where it came from (client, TLS, SASL), what the
/// queue recorded (message-id, sender, size), every delivery attempt with its relay, delays and
/// the server's reply, and the final outcome. The Tracker correlates lines by queue id (and
/// Postfix smtpd sessions by process, for the TLS line logged before the queue id exists),
/// streaming: memory is bounded by the messages still open, with a cap and reported eviction.

#include "maildiag/log/event.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace maildiag::log {

struct TimelineEntry {
  std::string time;     ///< as logged
  std::string program;  ///< "smtpd", "qmgr", "exim", "imap-login"...
  std::string text;     ///< the message, queue id removed, sanitised and bounded
};

struct Delivery {
  std::string time;
  std::int64_t epoch = 0;
  std::string agent;      ///< the delivery program: "smtp", "virtual", "lmtp", Exim transport...
  std::string to;
  std::string orig_to;
  std::string relay;
  std::string delay;
  std::string delays;
  std::string dsn;
  DeliveryStatus status = DeliveryStatus::none;
  std::string text;       ///< the server's reply or the reason
  std::string next_hop_id;  ///< "queued as ID" at the next hop
};

struct Reject {
  std::string time;
  std::string stage;   ///< RCPT, MAIL, DATA, header...
  std::string client;
  std::string from;
  std::string to;
  std::string text;    ///< the reply the client got
};

enum class Outcome {
  delivered,    ///< every recipient's last attempt was delivered
  bounced,      ///< at least one recipient bounced (see Story::mixed for partly delivered)
  deferred,     ///< still queued: the last attempt was deferred
  expired,      ///< the queue gave up and returned it
  removed,      ///< an administrator deleted it (postsuper -d, exim -Mrm)
  rejected,     ///< refused during the SMTP dialog, never queued
  aborted,      ///< the client went away before the message was queued
  held,         ///< on hold / frozen
  in_progress,  ///< the log ends (or the story was evicted) before it finished
};
std::string_view to_string(Outcome o);

struct Story {
  Source source = Source::postfix;
  std::string queue_id;           ///< empty for a NOQUEUE reject
  std::string host;               ///< the syslog host that logged it
  std::string first_time;
  std::string last_time;
  std::int64_t first_epoch = 0;
  std::int64_t last_epoch = 0;
  std::string client;             ///< host[addr] it came from, "local" for pickup
  std::string tls_level;          ///< "Anonymous", "Trusted", "Verified", "Untrusted"; empty = no TLS seen
  std::string tls_detail;         ///< "TLSv1.3 with cipher ..."
  std::string sasl_method;
  std::string sasl_username;
  std::string message_id;
  std::string from;
  std::string size;
  std::string nrcpt;
  std::vector<Delivery> deliveries;      ///< every attempt, in order
  std::vector<Reject> rejects;
  std::vector<TimelineEntry> timeline;
  std::size_t timeline_dropped = 0;      ///< lines beyond the timeline cap
  std::size_t deliveries_dropped = 0;
  std::string parent_id;                 ///< this is a bounce/DSN of that message
  std::vector<std::string> children;     ///< bounces/DSNs created for this message
  std::vector<std::string> next_hops;    ///< ids the next hop queued it as (content filters, relays)
  bool queued = false;                   ///< reached cleanup/qmgr
  bool expired = false;
  bool held = false;
  bool removed_by_admin = false;
  bool completed = false;                ///< false: log ended, evicted, or a follow-mode snapshot
  bool evicted = false;
  bool mixed = false;                    ///< bounced for some recipients, delivered for others
  Outcome outcome = Outcome::in_progress;
  std::size_t bytes = 0;                 ///< approximate memory held

  /// Last attempt per recipient, in first-attempt order.
  [[nodiscard]] std::vector<const Delivery*> final_attempts() const;
};

/// Postfix's delays=a/b/c/d: before the queue manager (including the client's transmission),
/// in the queue manager (waiting), connection setup (DNS, HELO, TLS), message transmission.
struct DelayBreakdown {
  double before_qmgr = 0;
  double in_qmgr = 0;
  double connection_setup = 0;
  double transmission = 0;
};
std::optional<DelayBreakdown> parse_delays(std::string_view delays);
/// One sentence naming the largest part and what usually causes it.
std::string explain_delays(const DelayBreakdown& d);

struct TrackerLimits {
  std::size_t max_open = 100'000;               ///< open stories before the oldest is evicted
  std::size_t max_bytes = 256u * 1024 * 1024;   ///< approximate memory of open stories
  std::size_t max_sessions = 20'000;            ///< open smtpd sessions (TLS/connect lines)
  std::size_t max_timeline = 100;               ///< timeline lines kept per story
  std::size_t max_deliveries = 500;             ///< delivery attempts kept per story
  std::size_t max_line = 600;                   ///< bytes of one timeline line
};

class Tracker {
 public:
  explicit Tracker(TrackerLimits limits = {});
  /// Keep only these ids' stories and those they lead to (bounces, next hops). Empty = all.
  void watch_only(const std::vector<std::string>& ids);
  /// Also emit a snapshot (completed=false, outcome deferred) whenever an attempt is deferred
  /// (follow mode: the admin sees deferrals as they happen, not hours later).
  void report_deferrals(bool on) { report_deferrals_ = on; }

  /// Feeds one parsed line; finished stories are appended to out.
  void feed(const SyslogLine& line, const Event& ev, std::int64_t epoch, std::vector<Story>& out);
  /// End of input: every open story, oldest first, with its outcome so far (completed=false).
  void finish(std::vector<Story>& out);

  [[nodiscard]] std::size_t open() const { return stories_.size(); }
  [[nodiscard]] std::uint64_t evicted() const { return evicted_; }
  [[nodiscard]] std::size_t open_bytes() const { return bytes_; }

 private:
  struct Session {
    std::string client;
    std::string tls_level;
    std::string tls_detail;
    std::vector<TimelineEntry> lines;
    std::vector<std::string> ids;
    std::uint64_t seq = 0;
  };
  struct Open {
    Story story;
    std::uint64_t seq = 0;
  };

  void feed_one(const SyslogLine& line, const Event& ev, std::int64_t epoch, std::vector<Story>& out);
  Story* story_for(const SyslogLine& line, const Event& ev, std::int64_t epoch, std::vector<Story>& out);
  void session_event(const SyslogLine& line, const Event& ev, std::vector<Story>& out);
  void apply(Story& s, const SyslogLine& line, const Event& ev, std::int64_t epoch);
  void add_timeline(Story& s, const SyslogLine& line, const Event& ev);
  void link(Story& s, std::string_view other, bool child);
  /// In watch mode: lines of ids not (yet) watched, replayed when an id becomes watched (a bounce's
  /// cleanup line is logged before the line that names it as the bounce).
  void remember(const SyslogLine& line, const Event& ev, std::int64_t epoch);
  void replay(const std::string& id, std::vector<Story>& out);
  void close(const std::string& key, Outcome outcome, bool completed, std::vector<Story>& out);
  void evict_if_needed(std::vector<Story>& out);
  [[nodiscard]] bool watched(std::string_view id) const;
  [[nodiscard]] std::string session_key(const SyslogLine& line) const;
  [[nodiscard]] TimelineEntry entry(const SyslogLine& line, std::string_view text) const;

  /// Lookups by string_view without building a std::string per log line.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  TrackerLimits limits_;
  bool report_deferrals_ = false;
  bool watch_all_ = true;
  std::unordered_set<std::string, Hash, std::equal_to<>> watch_;
  Map<Open> stories_;
  std::deque<std::pair<std::string, std::uint64_t>> order_;
  Map<Session> sessions_;
  std::deque<std::pair<std::string, std::uint64_t>> session_order_;
  Map<std::string> by_message_id_;
  std::unordered_map<std::string, std::string> parent_of_;  ///< bounce id -> the message it reports on
  struct Recent {
    std::string id;
    std::string time;
    std::string host;
    std::string program;
    std::string pid;
    std::string message;
    std::int64_t epoch;
  };
  std::deque<Recent> recent_;
  std::vector<std::string> pending_replay_;
  std::uint64_t seq_ = 0;
  std::uint64_t evicted_ = 0;
  std::size_t bytes_ = 0;
};

/// The outcome a story has reached so far (from its flags and last attempts).
Outcome derive_outcome(const Story& s);

}  // namespace maildiag::log
