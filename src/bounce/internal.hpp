#pragma once
// bounce-private: the stages of analyse() (bounce.cpp) and the helpers they share.

#include "maildiag/bounce/bounce.hpp"
#include "maildiag/bounce/dsn.hpp"
#include "maildiag/message/mime.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::bounce::detail {

/// What the MIME walk found in a message.
struct Notice {
  std::string text;               ///< the human-readable notification (UTF-8), original copy cut off
  std::string inline_original;    ///< a returned message pasted into the text after a marker line
  std::vector<std::string> dsn;   ///< bodies of delivery-status parts
  std::string feedback;           ///< body of a message/feedback-report part
  std::string original;           ///< the returned message or its headers (message/rfc822, text/rfc822-headers)
  std::string report_type;        ///< multipart/report's report-type parameter, lower-case
  bool has_report = false;        ///< a multipart/report is present
};

/// Collects the parts of a parsed message that matter for a bounce.
Notice collect(const message::MimeTree& tree, const Limits& limits);

/// Position of the line that introduces a returned message inside notification text
/// ("--- Below this line is a copy of the message.", "----- Original message -----", a first
/// "Received:" line ...), or npos.
std::size_t original_marker(std::string_view text);

/// A recipient found in plain notification text, with what the text says about it.
struct TextRecipient {
  std::string address;
  std::string diagnostic;          ///< the text tied to it (reason lines), one line
  std::string original_address;    ///< "(expanded from: <a@b>)" / "(generated from a@b)"
  std::string command;             ///< the SMTP command a quoted session failed at, when known
};

/// Scans notification text for failed recipients (address-anchored lines and the reason text
/// that follows them). Bounded by max_recipients.
std::vector<TextRecipient> scan_text(std::string_view text, std::size_t max_recipients);

/// The first line of notification text that is a server's refusal ("550 5.1.1 User unknown",
/// "<<< 550 ...", "Out: 451 ..."), one line; "" when none.
std::string notice_reply(std::string_view text);

/// The SMTP command a text says a reply answered: CONN, HELO, EHLO, MAIL, RCPT, DATA or "" (the
/// first one named), and whether it names more than one.
struct CommandFacts {
  std::string command;
  bool several_commands = false;
};
CommandFacts command_facts(std::string_view text);

/// Text-level facts about a diagnostic or a notice.
struct TextFacts {
  std::optional<int> reply_code;
  std::optional<codes::EnhancedCode> status;
  std::string command;      ///< CONN, HELO, EHLO, MAIL, RCPT, DATA or "" (the first one named)
  bool several_commands = false;  ///< the text names more than one command
  std::string remote_mta;
};
/// The enhanced code of a diagnostic: the one right after the reply code when there is one
/// ("5.1.0 - Unknown address error 550-'5.7.1 ..." -> 5.7.1), else the first in the text.
std::optional<codes::EnhancedCode> diagnostic_status(std::string_view text);
/// The enhanced code of sendmail's own verdict line for `address` in transcript text
/// ("550 5.1.1 <a@b>... User unknown"), or nullopt.
std::optional<codes::EnhancedCode> verdict_status(std::string_view text, std::string_view address);
/// The reply code in the text that carries `status` as its own enhanced code ("... <421 4.4.2
/// Connection timed out>"), or nullopt.
std::optional<int> reply_code_carrying(std::string_view text, const codes::EnhancedCode& status);
/// Finds the reply code, enhanced code, SMTP command and remote host in diagnostic text.
TextFacts text_facts(std::string_view text);

/// Email address syntax check for addresses taken from free text.
bool plausible_address(std::string_view a);
/// The first plausible address in text ("Name <a@b>" -> "a@b"), or "".
std::string first_address(std::string_view text);

/// True when the message carries the marks of a delivery report (null sender, MAILER-DAEMON,
/// an NDR subject, X-Failed-Recipients ...), for notices that have no machine-readable part.
bool looks_like_bounce(const message::HeaderBlock& h, std::string_view subject, std::string_view text);

/// Automatic reply (RFC 3834 headers, vacation subjects)? Only asked when no report was found.
bool looks_like_auto_reply(const message::HeaderBlock& h, std::string_view subject);

/// What the notice as a whole says, worked out once per message and only when a recipient's
/// own text is silent (the phrase tables are the costly part of reading a bounce).
class NoticeContext {
 public:
  NoticeContext(std::string_view text, std::string_view subject, std::size_t recipients);
  /// The report names one recipient: the notice's words are about it.
  [[nodiscard]] bool single() const { return recipients_ == 1; }
  /// SMTP command named in the notice: "" when none, or when it names several (a transcript of
  /// sessions for several recipients is no one recipient's story).
  const std::string& command();
  /// The classifier's reading of the notice's words.
  const codes::Classification& classification();
  /// The sending server says it gave up retrying ("Cannot send message for 5 days", "this message
  /// has been in the queue too long").
  bool gave_up();

 private:
  std::string_view head_;
  std::string_view subject_;
  std::size_t recipients_ = 0;
  std::optional<std::string> command_;
  std::optional<codes::Classification> classification_;
  std::optional<bool> gave_up_;
};

/// An ARF report (message/feedback-report part): the complained-about recipients (at most
/// max_recipients).
void read_feedback(Analysis& a, const Notice& n, std::size_t max_recipients);
/// Complaints and opt-outs sent without an ARF part: Hotmail/Outlook.com's "complaint about
/// message from <ip>" (the original attached, its X-HmXmrOriginalRecipient naming the
/// complainer) and automatic unsubscribe requests (Apple Mail's X-Apple-Unsubscribe, a bare
/// "unsubscribe" subject with Auto-Submitted). Fills `a` and returns true when it is one.
bool read_complaint(Analysis& a, const message::HeaderBlock& h, const Notice& n);
/// A mailing-list manager's refusal (fml, Mailman ...: "You are not a member of this mailing
/// list", "Loop Alert"): the list is the recipient, the sender or a loop the reason. False when
/// the message is no such notice.
bool read_list_notice(Analysis& a, const message::HeaderBlock& h, const Notice& n);
/// An RFC 3834 automatic reply: the one recipient is the replier.
void read_auto_reply(Analysis& a, const message::HeaderBlock& h, const Notice& n);

/// Decides reason, hard and temporary for a recipient whose fields are filled in.
void finish_recipient(Recipient& r, Kind kind, NoticeContext& notice);

/// Amazon SES JSON notifications (Bounce, Delivery, Complaint) in the notice text. Fills `a`
/// (recipients, format, kind for complaints); false when the text is no such document.
bool read_ses_json(std::string_view text, Analysis& a, std::size_t max_recipients);

/// Removes the reply-code prefixes of continuation lines joined into one line
/// ("550-5.7.1 a 550-5.7.1 b" -> "550-5.7.1 a b").
std::string strip_continuations(std::string_view diag);

/// One line of text: folded whitespace collapsed, trimmed, cut at max bytes.
std::string one_line(std::string_view s, std::size_t max = 2000);

}  // namespace maildiag::bounce::detail
