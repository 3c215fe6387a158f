#include "maildiag/codes/reason.hpp"

#include <array>

namespace maildiag::codes {

namespace {

// The taxonomy, in enum order. Remediation sentences are what an experienced admin does next.
constexpr std::array<ReasonInfo, 39> kReasons{{
    {Reason::delivered, "delivered", "The message or command was accepted", "Nothing to do.", false},
    {Reason::user_unknown, "user-unknown", "The recipient mailbox does not exist",
     "Check the address for typos; ask the recipient for the correct one. Remove it from lists if it keeps bouncing.", true},
    {Reason::mailbox_full, "mailbox-full", "The recipient mailbox is over its quota",
     "Nothing to fix on the sending side: the recipient must free space. Retry later or reach them another way.", false},
    {Reason::mailbox_disabled, "mailbox-disabled", "The mailbox exists but is disabled or suspended",
     "The account is inactive; contact the recipient by another channel and stop sending to it.", true},
    {Reason::has_moved, "has-moved", "The mailbox has moved and there is no forwarding address",
     "Ask the recipient for the new address and update it.", true},
    {Reason::message_too_big, "message-too-big", "The message exceeds a size limit",
     "Send a smaller message: compress or link attachments instead of attaching them (check the SIZE the server announces in EHLO).", true},
    {Reason::exceed_limit, "exceed-limit", "A per-message limit other than size was exceeded (for example too many recipients)",
     "Split the message into smaller batches of recipients.", true},
    {Reason::host_unknown, "host-unknown", "The recipient domain or host does not exist or cannot be routed",
     "Check the domain for typos; run 'maildiag mx DOMAIN' to see its MX and address records.", true},
    {Reason::not_accepting, "not-accepting", "The recipient domain accepts no mail (null MX or 521/556)",
     "The domain has declared it receives no mail; use another address.", true},
    {Reason::network_error, "network-error", "The receiving server could not be reached or the connection failed",
     "Run 'maildiag probe DOMAIN' to see whether port 25 answers; a firewall or an outage on either side is likely.", false},
    {Reason::too_many_connections, "too-many-connections", "The server refused more connections from this client",
     "Lower the sending MTA's concurrency for this destination; the queue will retry.", false},
    {Reason::rate_limited, "rate-limited", "The server throttles this sender for sending too much or too fast",
     "Slow down: lower the sending rate and concurrency; the queue retries. Check the volume is legitimate.", false},
    {Reason::greylisted, "greylisted", "Greylisting: the first attempt is deferred on purpose",
     "Wait: a standards-following sending server retries after a few minutes and is then accepted.", false},
    {Reason::blocked, "blocked", "The sending IP address or domain is blocked, often by a DNS blocklist",
     "Check the sending IP on the named blocklist (maildiag mx --dnsbl), fix the cause (compromised account, open relay) and request delisting.", false},
    {Reason::bad_reputation, "bad-reputation", "Rejected for poor sender reputation",
     "Review sending practices (bounces, complaints, authentication); warm up volume and use the provider's postmaster tools.", false},
    {Reason::require_ptr, "require-ptr", "The sending IP has no reverse DNS or it does not match",
     "Ask the owner of the sending IP (your ISP or hosting provider) to set a PTR record that resolves back to the same IP.", false},
    {Reason::sender_auth_failed, "sender-auth-failed", "SPF, DKIM or DMARC checks failed for the sender's domain",
     "Fix the sender domain's SPF record, DKIM signing and DMARC policy so the sending server is authorised and signs aligned.", false},
    {Reason::spam_detected, "spam-detected", "The content was judged to be spam",
     "Review the message content and links; check the sender's authentication and reputation.", false},
    {Reason::virus_detected, "virus-detected", "The message carries malware or a forbidden attachment",
     "Scan the sending host; do not send executable attachments.", false},
    {Reason::content_rejected, "content-rejected", "The message content or format was refused",
     "Look at the server's text for the part it refused (header, attachment type, encoding) and fix it.", false},
    {Reason::policy_violation, "policy-violation", "Rejected by a policy of the receiving system",
     "Read the server's text for the policy; contact the recipient's postmaster if it is unclear.", false},
    {Reason::sender_rejected, "sender-rejected", "The envelope sender address was refused",
     "Use a valid sender address whose domain resolves and accepts bounces.", false},
    {Reason::relay_denied, "relay-denied", "The server will not relay mail for this client",
     "Authenticate (SMTP AUTH on port 587) or send to a server responsible for the recipient's domain.", true},
    {Reason::auth_required, "auth-required", "The server requires authentication first",
     "Log in with SMTP AUTH (usually on port 587 after STARTTLS) before sending.", false},
    {Reason::auth_failed, "auth-failed", "The credentials were refused",
     "Check the user name and password (or app password); look at the server's auth log.", false},
    {Reason::tls_required, "tls-required", "The server requires an encrypted connection",
     "Use STARTTLS (or implicit TLS on 465) before AUTH or MAIL.", false},
    {Reason::security_error, "security-error", "A security requirement failed (certificate, cipher, mechanism)",
     "Check the TLS configuration on both sides: certificates, protocol versions and allowed mechanisms.", false},
    {Reason::syntax_error, "syntax-error", "A command or address was malformed",
     "Check the address syntax and the client's SMTP commands (a bug in the sending software).", true},
    {Reason::not_compliant, "not-compliant", "The message does not follow the message format standards",
     "Fix the sending software: required headers (Date, From, Message-ID) and line lengths per RFC 5322.", true},
    {Reason::system_full, "system-full", "The receiving system is out of storage",
     "Wait and retry; the recipient's administrator must free space.", false},
    {Reason::system_error, "system-error", "The receiving system failed internally",
     "Retry later; if it persists, tell the recipient's postmaster the exact reply.", false},
    {Reason::mailer_error, "mailer-error", "A local delivery program failed on the receiving side",
     "The recipient's administrator must fix the delivery program (pipe, filter, procmail).", false},
    {Reason::expired, "expired", "Delivery was abandoned after the retry period",
     "Find out why earlier attempts failed (maildiag log --id QUEUEID); the destination was unreachable or deferring for days.", false},
    {Reason::on_hold, "on-hold", "The message is held in the sending queue",
     "Release it from the hold queue (postsuper -H) once the reason is fixed.", false},
    {Reason::suppressed, "suppressed", "The sending provider suppressed the address after earlier failures",
     "Remove the address from the provider's suppression list only if it is known to be valid now.", true},
    {Reason::filtered, "filtered", "The recipient refuses mail from this sender",
     "The recipient blocked you; contact them another way.", false},
    {Reason::vacation, "vacation", "An automatic reply (vacation / out of office), not a failure",
     "Nothing to do: the message was delivered.", false},
    {Reason::feedback, "feedback", "An abuse or feedback report (ARF), not a delivery failure",
     "Act on the complaint: unsubscribe the reporter and review why they received the message.", false},
    {Reason::other, "other", "A failure that fits no more specific class",
     "Read the server's exact text; it usually names the cause.", false},
}};

}  // namespace

const ReasonInfo& info(Reason r) { return kReasons.at(static_cast<std::size_t>(r)); }
std::string_view to_string(Reason r) { return info(r).name; }

std::optional<Reason> reason_from_string(std::string_view name) {
  for (const auto& e : kReasons) {
    if (e.name == name) return e.reason;
  }
  return std::nullopt;
}

std::span<const ReasonInfo> all_reasons() { return kReasons; }

}  // namespace maildiag::codes
