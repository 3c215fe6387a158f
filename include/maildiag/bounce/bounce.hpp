#pragma once
/// Reading a returned message (NDR): what kind of notification it is, which recipients failed,
/// with which status, reply code and diagnostic text, and why (through the shared classifier).
/// RFC 3464 delivery-status reports are read field by field; the plain-text notices that qmail,
/// Exim, Exchange, Domino, Gmail, Yahoo, Coremail, QQ Mail and many others still send are read by
/// their structure and phrases (English, Chinese, Japanese ...). Auto-replies (RFC 3834) and
/// feedback reports (RFC 5965 ARF) are recognised as what they are. Pure: bytes in, facts out.

#include "maildiag/codes/classify.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::bounce {

/// What a message is.
enum class Kind {
  not_bounce,   ///< an ordinary message: no delivery report in it
  failure,      ///< a delivery failure report (NDR, DSN with Action: failed)
  delay,        ///< a delay warning: the sending server is still trying
  delivered,    ///< a positive DSN (Action: delivered / relayed / expanded)
  auto_reply,   ///< vacation / out-of-office / other RFC 3834 automatic reply
  feedback,     ///< an abuse or authentication-failure report (ARF, RFC 5965)
};
std::string_view to_string(Kind k);  ///< "not-bounce", "failure", "delay", "delivered", "auto-reply", "feedback"

/// One recipient of the report.
struct Recipient {
  std::string address;                      ///< final recipient (lower-cased domain untouched)
  std::string original_address;             ///< Original-Recipient or the "expanded from" address
  std::string action;                       ///< failed, delayed, delivered, relayed, expanded ("" when unknown)
  std::optional<codes::EnhancedCode> status;///< the enhanced status code stated for it
  std::optional<int> reply_code;            ///< the SMTP reply code of the remote server
  std::string diagnostic;                   ///< the server's text / the notice's reason text (one line)
  std::string diagnostic_type;              ///< "smtp", "x-unix", "x-postfix"... ("" outside a DSN)
  std::string remote_mta;                   ///< host that answered, when named
  std::string command;                      ///< SMTP command that failed: CONN, EHLO, MAIL, RCPT, DATA
  std::string last_attempt;                 ///< Last-Attempt-Date
  std::string will_retry_until;             ///< Will-Retry-Until
  codes::Classification classification;     ///< the shared classifier's reading of it
  codes::Reason reason = codes::Reason::other;  ///< final reason (see docs/reasons.md)
  bool hard = false;                        ///< a hard bounce: retrying the address will not help
  bool temporary = false;                   ///< a delay / transient failure
};

/// Headers of the message that was returned (message/rfc822, text/rfc822-headers or inline copy).
struct Original {
  std::string message_id;
  std::string subject;      ///< RFC 2047 decoded
  std::string from;
  std::string to;
  std::string date;
  [[nodiscard]] bool empty() const { return message_id.empty() && subject.empty() && from.empty() && to.empty(); }
};

/// Everything read from one message.
struct Analysis {
  Kind kind = Kind::not_bounce;
  std::string format;               ///< how it was read: "rfc3464", "qmail", "exim", "text", "arf", "rfc3834"...
  std::string reporting_mta;
  std::string arrival_date;
  std::string subject;              ///< of the report itself, decoded
  std::string from;                 ///< of the report itself
  std::string feedback_type;        ///< ARF Feedback-Type (abuse, auth-failure, opt-out ...)
  std::vector<Recipient> recipients;
  Original original;
  std::vector<std::string> problems;  ///< what could not be read, one sentence each
  /// Worst outcome over the recipients: true when any recipient is a hard bounce.
  [[nodiscard]] bool any_hard() const;
  [[nodiscard]] bool any_failure() const;
};

struct Limits {
  std::size_t max_message = 64u << 20;    ///< bytes of one message that are read
  std::size_t max_recipients = 1000;
  std::size_t max_text = 256u << 10;      ///< bytes of notification text scanned for phrases
};

/// Reads one message. Never throws; broken structure is read as far as it goes and noted in problems.
Analysis analyse(std::string_view message, const Limits& limits = {});

/// Splits an mbox ("From " separator lines, mboxrd ">From " unquoting left to the reader) into
/// messages; views point into `mbox`. A text without a leading "From " line is one message.
std::vector<std::string_view> split_mbox(std::string_view mbox);

/// True when the bytes look like an mbox (start with a "From " separator line).
bool looks_like_mbox(std::string_view data);

}  // namespace maildiag::bounce
