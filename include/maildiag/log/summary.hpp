#pragma once
/// What pflogsumm and qshape answer, in one streaming pass: deliveries sent / deferred /
/// bounced / expired and SMTP rejects by recipient domain and by reason class (through the one
/// classifier), the top reject, deferral and bounce texts, SASL/IMAP/POP3 authentication failures
/// and TLS failures by client. Memory is bounded by the number of distinct keys (capped).

#include "maildiag/codes/reason.hpp"
#include "maildiag/log/event.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace maildiag::log {

struct Counts {
  std::uint64_t sent = 0;
  std::uint64_t deferred = 0;
  std::uint64_t bounced = 0;
  std::uint64_t expired = 0;
  std::uint64_t rejected = 0;
  double delay_sum = 0;        ///< seconds over `sent` deliveries with a delay
  double delay_max = 0;
  std::uint64_t delay_n = 0;
  codes::Reason top_reason = codes::Reason::other;  ///< most frequent failure reason (result() only)
  std::uint64_t top_reason_count = 0;
};

struct KeyCount {
  std::string key;
  std::uint64_t count = 0;
  codes::Reason reason = codes::Reason::other;
};

struct ReasonCounts {
  codes::Reason reason = codes::Reason::other;
  std::uint64_t deferred = 0;
  std::uint64_t bounced = 0;
  std::uint64_t rejected = 0;
};

struct Summary {
  std::uint64_t lines = 0;          ///< lines read (inside the time window)
  std::uint64_t mail_lines = 0;     ///< lines a reader understood
  std::uint64_t unparsed = 0;       ///< lines without a timestamp we know (malformed, truncated)
  std::string first_time;           ///< first and last timestamp counted, as logged
  std::string last_time;
  std::int64_t first_epoch = 0;
  std::int64_t last_epoch = 0;
  std::uint64_t received = 0;       ///< messages accepted into a queue
  std::uint64_t sent = 0;           ///< delivery attempts per recipient
  std::uint64_t deferred = 0;
  std::uint64_t bounced = 0;
  std::uint64_t expired = 0;
  std::uint64_t rejected = 0;       ///< SMTP-time rejects (NOQUEUE reject, milter, ACL, ruleset)
  std::uint64_t held = 0;
  std::uint64_t auth_failures = 0;  ///< SMTP SASL, IMAP/POP3 login failures
  std::uint64_t tls_failures = 0;
  std::uint64_t logins = 0;         ///< successful IMAP/POP3 logins
  std::vector<std::pair<std::string, Counts>> domains;  ///< by recipient domain, busiest first
  std::vector<ReasonCounts> reasons;                    ///< failures by reason class, most first
  std::vector<KeyCount> rejects;                        ///< reject texts (addresses removed), most first
  std::vector<KeyCount> deferrals;
  std::vector<KeyCount> bounces;
  std::vector<KeyCount> auth_clients;                   ///< authentication failures by client address
  std::vector<KeyCount> auth_users;
  std::vector<KeyCount> tls_reasons;                    ///< TLS failures by reason / client
  std::uint64_t overflow_keys = 0;  ///< distinct keys folded into "(other)" after the caps
};

struct SummaryLimits {
  std::size_t max_domains = 50'000;
  std::size_t max_texts = 10'000;      ///< per text table
  std::size_t max_cached = 20'000;     ///< classifications remembered
};

/// "550 5.1.1 <bob@x>: Recipient address rejected" -> "550 5.1.1 <>: Recipient address rejected":
/// addresses and bracketed IPs removed so that the same reason from many senders adds up.
std::string normalize_reason(std::string_view text, std::size_t max_len = 200);

class SummaryBuilder {
 public:
  explicit SummaryBuilder(SummaryLimits limits = {});
  /// Counts one parsed line (call for every line inside the window, with or without an event).
  void add(const SyslogLine& line, const Event& ev, std::int64_t epoch);
  /// Counts a line that was not a syslog line at all.
  void add_unparsed() {
    ++s_.lines;
    ++s_.unparsed;
  }
  /// The tables sorted, each cut to `top` rows (domains included).
  [[nodiscard]] Summary result(std::size_t top) const;

 private:
  struct CiHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
  };
  struct CiEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept;
  };
  struct DomainEntry {
    Counts counts;
    std::unordered_map<int, std::uint64_t> reasons;
  };
  using TextMap = std::unordered_map<std::string, KeyCount>;

  codes::Reason classify(std::string_view text, std::string_view dsn, const std::string& normalized);
  DomainEntry& domain(std::string_view address);
  void count_text(TextMap& map, const std::string& key, codes::Reason reason);
  void count_key(TextMap& map, std::string_view key);
  void failure(const Event& ev, TextMap& table, bool rejected);

  SummaryLimits limits_;
  Summary s_;
  std::unordered_map<std::string, DomainEntry, CiHash, CiEq> domains_;
  std::unordered_map<std::string, codes::Reason> cache_;
  std::unordered_map<int, ReasonCounts> reasons_;
  TextMap rejects_;
  TextMap deferrals_;
  TextMap bounces_;
  TextMap auth_clients_;
  TextMap auth_users_;
  TextMap tls_;
};

}  // namespace maildiag::log
