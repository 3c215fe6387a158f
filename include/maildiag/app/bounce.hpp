#pragma once
/// `maildiag bounce`: read returned messages (NDRs) from files, mboxes, maildirs, directories of
/// .eml files or stdin; per recipient say what failed, why, and what to do next.

#include "maildiag/bounce/bounce.hpp"
#include "maildiag/report/report.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <istream>
#include <map>
#include <string>
#include <string_view>

namespace maildiag::app {

/// Default of `bounce --max-message-size`: the bytes of one message read (the rest is skipped).
inline constexpr std::size_t kMaxMessage = std::size_t{64} << 20;

/// One message read from an input: where it came from and its bytes.
struct BounceMessage {
  std::string source;      ///< file path, "path#N" for the Nth message of an mbox, or "-"
  std::string_view bytes;
  bool cut = false;        ///< longer than max_message: only its first max_message bytes are here
};

/// Reads every message of the inputs ("-" is stdin; a directory is a maildir — cur/ and new/ —
/// or a folder of message files; a file starting with "From " is an mbox) and calls `each` once
/// per message, holding at most one message in memory. Unreadable inputs call `error` and go on.
/// Messages larger than max_message are cut there (BounceMessage::cut), and no line of the input
/// is ever held whole: memory stays bounded by max_message whatever the input.
void for_each_message(const std::vector<std::string>& inputs, std::istream& stdin_stream,
                      const std::function<void(const BounceMessage&)>& each,
                      const std::function<void(const std::string&)>& error,
                      std::size_t max_message = kMaxMessage);

/// What to do next for a recipient: the reason's remediation made concrete (the maildiag
/// command to run for its domain, the blocklist to check ...).
std::string next_step(const bounce::Recipient& r);

/// The report for one message (text view and exit status). Not a bounce -> one OK finding.
report::Report bounce_report(const std::string& source, const bounce::Analysis& a);

/// The warning for a message cut at max_message bytes (bounce.input.cut).
void add_cut_finding(report::Report& r, std::size_t max_message);

/// One NDJSON object per recipient (docs/bounce.md); a message without recipients gives one
/// object with "recipient": null so every message is accounted for.
std::vector<nlohmann::json> bounce_json_lines(const std::string& source, const bounce::Analysis& a);

/// Counts for --summary: by reason, by recipient domain, by kind.
struct BounceSummary {
  std::size_t messages = 0;
  std::size_t recipients = 0;
  std::size_t hard = 0;
  std::size_t soft = 0;
  std::map<std::string, std::size_t> by_kind;
  std::map<std::string, std::size_t> by_reason;
  std::map<std::string, std::size_t> by_domain;
  void add(const bounce::Analysis& a);
  [[nodiscard]] report::Report to_report() const;
  [[nodiscard]] nlohmann::json to_json() const;
};

/// Severity of a message's analysis: hard bounce critical, soft bounce / delay warning, else ok.
report::Severity bounce_severity(const bounce::Analysis& a);

}  // namespace maildiag::app
