#pragma once
// log-private: the per-MTA readers behind parse_event and the small field scanner they share.

#include "maildiag/log/event.hpp"

#include <string_view>

namespace maildiag::log::detail {

/// Walks "key=value" pairs separated by ", " or " " (Postfix, Sendmail and Exim all mix both).
/// A value runs to the next separator that is followed by another "key="; "<...>" and "\"...\""
/// values may hold commas, spaces and "key=" words. Stops at the first word that is not "key=".
class KvScanner {
 public:
  explicit KvScanner(std::string_view s) : s_(s) {}
  bool next(std::string_view& key, std::string_view& value);
  /// The rest of the line from the current value on, for "status=sent (250 ...)" whose text may
  /// contain anything; call right after next() returned that key. Ends the scan.
  std::string_view take_rest();
  [[nodiscard]] std::string_view remaining() const { return s_.substr(pos_); }

 private:
  [[nodiscard]] bool key_at(std::size_t p) const;
  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t value_start_ = 0;
};

/// "<a@b>" -> "a@b"; anything else unchanged.
std::string_view unbracket(std::string_view v);
/// The first word and the text after it: "sent (250 Ok)" -> {"sent", "250 Ok"} (outer parentheses removed).
struct StatusText {
  std::string_view word;
  std::string_view text;
};
StatusText split_status(std::string_view v);
/// "... queued as 4F3A2B1C0D)" -> "4F3A2B1C0D"; empty when absent.
std::string_view queued_as(std::string_view text);
bool starts_with(std::string_view s, std::string_view prefix);

bool parse_postfix(std::string_view daemon, std::string_view message, Event& ev);
bool parse_sendmail(std::string_view message, Event& ev);
bool parse_exim(std::string_view message, Event& ev);
bool parse_dovecot(std::string_view program, std::string_view message, Event& ev);

/// True for the daemon names of a Postfix system (the last component of "postfix/smtpd").
bool is_postfix_daemon(std::string_view name);

}  // namespace maildiag::log::detail
