#pragma once
/// The field grammar of a delivery-status body (RFC 3464 §2.2-2.3, RFC 6533 for
/// message/global-delivery-status): one per-message group, then one group per recipient,
/// groups separated by blank lines. Real MTAs bend it — no per-message group, every field in
/// one group, Status holding a reply code, folded Diagnostic-Code lines — and all of that is read.

#include "maildiag/codes/enhanced.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::bounce {

/// A typed field value "type; value" (Final-Recipient: rfc822; a@b, Diagnostic-Code: smtp; 550 ...).
struct TypedValue {
    std::string type;   ///< lower-case address/diagnostic/MTA-name type ("rfc822", "smtp", "dns"); may be ""
    std::string value;  ///< the rest, unfolded and trimmed
};

/// Splits "type; value". A value without ';' has an empty type.
TypedValue parse_typed(std::string_view field_value);

/// An address from a DSN field: angle brackets removed, xtext (+HH) and RFC 6533 unitext
/// (\x{HHHH}) decoded for rfc822/utf-8 types.
std::string dsn_address(const TypedValue& v);

/// The per-recipient fields of RFC 3464 §2.3 (and the X- fields MTAs add).
struct DsnRecipient {
    TypedValue final_recipient;
    TypedValue original_recipient;
    std::string x_actual_recipient;       ///< Sendmail/Postfix X-Actual-Recipient value
    std::string action;                   ///< lower-case: failed, delayed, delivered, relayed, expanded
    std::string status;                   ///< raw Status value
    std::optional<codes::EnhancedCode> enhanced;  ///< parsed from Status
    std::optional<int> status_reply_code; ///< Status fields that carry a reply code ("553 ...")
    TypedValue remote_mta;
    TypedValue diagnostic_code;           ///< type "smtp", "x-unix", "x-postfix"...
    std::string last_attempt_date;
    std::string will_retry_until;
    std::string final_log_id;
};

/// The per-message fields of RFC 3464 §2.2.
struct DsnMessage {
    TypedValue reporting_mta;
    TypedValue received_from_mta;
    std::string arrival_date;
    std::string original_envelope_id;
    std::string x_postfix_sender;
};

struct DeliveryStatus {
    DsnMessage message;
    std::vector<DsnRecipient> recipients;
    std::vector<std::string> problems;   ///< one sentence each
};

struct DsnLimits {
    std::size_t max_recipients = 1000;
    std::size_t max_value = 16u << 10;   ///< a field value is cut here
};

/// Parses the body of a message/delivery-status (or global) part. Unknown fields are ignored;
/// a recipient group without Final-Recipient is kept only if it has an Original-Recipient.
DeliveryStatus parse_delivery_status(std::string_view body, const DsnLimits& limits = {});

}  // namespace maildiag::bounce
