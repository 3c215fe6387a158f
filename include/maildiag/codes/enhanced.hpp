#pragma once
/// RFC 3463 enhanced status codes (class.subject.detail) and the IANA
/// "SMTP Enhanced Status Codes" registry.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace maildiag::codes {

struct EnhancedCode {
  int cls = 0;      ///< 2, 4 or 5
  int subject = 0;  ///< 0..999
  int detail = 0;   ///< 0..999
  [[nodiscard]] std::string str() const;
  friend bool operator==(const EnhancedCode&, const EnhancedCode&) = default;
};

/// Parses "5.1.1" exactly (class 2/4/5, subject and detail 1-3 digits). Whole view must match.
std::optional<EnhancedCode> parse_enhanced(std::string_view s);
/// Finds an enhanced code at the start of text (after optional spaces), e.g. "5.7.1 Relay denied".
/// Sets consumed to the number of bytes used (code plus one following space).
std::optional<EnhancedCode> parse_enhanced_prefix(std::string_view text, std::size_t* consumed = nullptr);
/// Finds the first enhanced code anywhere in free text (bounces, logs): "#5.1.1", "(5.2.2)".
std::optional<EnhancedCode> find_enhanced(std::string_view text);

struct EnhancedInfo {
  int subject;
  int detail;
  std::string_view title;       ///< registry short name, e.g. "Bad destination mailbox address"
  std::string_view reference;   ///< "RFC 3463"
};

/// Registry entry for subject.detail (class-independent), or nullptr when unregistered.
const EnhancedInfo* lookup_enhanced(int subject, int detail);
/// Registry title of the subject ("Addressing Status", "Mailbox Status", ...), or "" when unknown.
std::string_view subject_title(int subject);
std::string_view class_title(int cls);   ///< "Success", "Persistent Transient Failure", "Permanent Failure"
std::span<const EnhancedInfo> enhanced_registry();

}  // namespace maildiag::codes
