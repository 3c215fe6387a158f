#pragma once
/// The reply/DSN classifier every subcommand uses: reply code + enhanced code + text -> what it
/// means, which reason class, permanent or transient, what to do. Pure; no I/O.

#include "maildiag/codes/reason.hpp"
#include "maildiag/codes/reply.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::codes {

enum class Outcome { success, intermediate, transient, permanent, unknown };
std::string_view to_string(Outcome o);

struct Classification {
  std::optional<int> code;               ///< basic reply code when known
  std::optional<EnhancedCode> enhanced;  ///< enhanced status code when known
  Outcome outcome = Outcome::unknown;
  std::string code_meaning;              ///< RFC meaning of the basic code
  std::string enhanced_meaning;          ///< registry title of the enhanced code (or its subject's)
  std::string enhanced_subject;          ///< registry subject title
  Reason reason = Reason::other;
  std::string reason_evidence;           ///< the phrase or code that decided the reason
  std::optional<std::string> blocklist;  ///< a DNSBL named in the text (e.g. "zen.spamhaus.org")
  std::optional<std::string> provider;   ///< a provider whose own code table matched ("NetEase", "QQ Mail")
  std::string provider_meaning;          ///< that provider's documented meaning
  std::vector<std::string> notes;        ///< inconsistencies and caveats, one sentence each
  std::string remediation;               ///< what to do next
  [[nodiscard]] bool permanent() const { return outcome == Outcome::permanent; }
  [[nodiscard]] bool hard() const;       ///< permanent and the reason is a hard one
};

/// Classifies a parsed SMTP reply.
Classification classify(const Reply& reply);
/// Classifies free diagnostic text with optional separate codes (bounce Diagnostic-Code, log
/// "said:" text). Codes found in the text are used when not given.
Classification classify_text(std::string_view text, std::optional<int> code = std::nullopt,
                             std::optional<EnhancedCode> enhanced = std::nullopt);

/// Reason from text alone (phrases of real servers), with the matching phrase; nullopt when no rule hits.
struct TextMatch {
  Reason reason;
  std::string_view phrase;
};
std::optional<TextMatch> reason_from_text(std::string_view text);
/// Reason implied by an enhanced code alone (5.1.1 -> user_unknown); nullopt for vague codes (x.0.0, 5.7.1).
std::optional<Reason> reason_from_enhanced(const EnhancedCode& code);
/// Reason implied by a basic code alone; nullopt where the code says too little (550, 554).
std::optional<Reason> reason_from_code(int code);
/// A DNS blocklist zone named in the text ("blocked using zen.spamhaus.org", "listed at bl.spamcop.net").
std::optional<std::string> find_blocklist(std::string_view text);

}  // namespace maildiag::codes
