#include "maildiag/codes/enhanced.hpp"

#include <array>
#include <cctype>

namespace maildiag::codes {

namespace {

// The IANA "SMTP Enhanced Status Codes" registry, sub-codes table (subject.detail; the class
// digit is independent). Titles as registered; references to the defining RFCs.
constexpr std::array<EnhancedInfo, 81> kRegistry{{
    {0, 0, "Other undefined Status", "RFC 3463"},
    {1, 0, "Other address status", "RFC 3463"},
    {1, 1, "Bad destination mailbox address", "RFC 3463"},
    {1, 2, "Bad destination system address", "RFC 3463"},
    {1, 3, "Bad destination mailbox address syntax", "RFC 3463"},
    {1, 4, "Destination mailbox address ambiguous", "RFC 3463"},
    {1, 5, "Destination address valid", "RFC 3463"},
    {1, 6, "Destination mailbox has moved, No forwarding address", "RFC 3463"},
    {1, 7, "Bad sender's mailbox address syntax", "RFC 3463"},
    {1, 8, "Bad sender's system address", "RFC 3463"},
    {1, 9, "Message relayed to non-compliant mailer", "RFC 3886"},
    {1, 10, "Recipient address has null MX", "RFC 7505"},
    {2, 0, "Other or undefined mailbox status", "RFC 3463"},
    {2, 1, "Mailbox disabled, not accepting messages", "RFC 3463"},
    {2, 2, "Mailbox full", "RFC 3463"},
    {2, 3, "Message length exceeds administrative limit", "RFC 3463"},
    {2, 4, "Mailing list expansion problem", "RFC 3463"},
    {3, 0, "Other or undefined mail system status", "RFC 3463"},
    {3, 1, "Mail system full", "RFC 3463"},
    {3, 2, "System not accepting network messages", "RFC 3463"},
    {3, 3, "System not capable of selected features", "RFC 3463"},
    {3, 4, "Message too big for system", "RFC 3463"},
    {3, 5, "System incorrectly configured", "RFC 3463"},
    {3, 6, "Requested priority was changed", "RFC 6710"},
    {4, 0, "Other or undefined network or routing status", "RFC 3463"},
    {4, 1, "No answer from host", "RFC 3463"},
    {4, 2, "Bad connection", "RFC 3463"},
    {4, 3, "Directory server failure", "RFC 3463"},
    {4, 4, "Unable to route", "RFC 3463"},
    {4, 5, "Mail system congestion", "RFC 3463"},
    {4, 6, "Routing loop detected", "RFC 3463"},
    {4, 7, "Delivery time expired", "RFC 3463"},
    {5, 0, "Other or undefined protocol status", "RFC 3463"},
    {5, 1, "Invalid command", "RFC 3463"},
    {5, 2, "Syntax error", "RFC 3463"},
    {5, 3, "Too many recipients", "RFC 3463"},
    {5, 4, "Invalid command arguments", "RFC 3463"},
    {5, 5, "Wrong protocol version", "RFC 3463"},
    {5, 6, "Authentication Exchange line is too long", "RFC 4954"},
    {6, 0, "Other or undefined media error", "RFC 3463"},
    {6, 1, "Media not supported", "RFC 3463"},
    {6, 2, "Conversion required and prohibited", "RFC 3463"},
    {6, 3, "Conversion required but not supported", "RFC 3463"},
    {6, 4, "Conversion with loss performed", "RFC 3463"},
    {6, 5, "Conversion Failed", "RFC 3463"},
    {6, 6, "Message content not available", "RFC 4468"},
    {6, 7, "Non-ASCII addresses not permitted for that sender/recipient", "RFC 6531"},
    {6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client", "RFC 6531"},
    {6, 9, "UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected", "RFC 6531"},
    {6, 10, "UTF-8 string reply is required, but not permitted by the SMTP client (duplicate of X.6.8, deprecated)", "RFC 6533"},
    {7, 0, "Other or undefined security status", "RFC 3463"},
    {7, 1, "Delivery not authorized, message refused", "RFC 3463"},
    {7, 2, "Mailing list expansion prohibited", "RFC 3463"},
    {7, 3, "Security conversion required but not possible", "RFC 3463"},
    {7, 4, "Security features not supported", "RFC 3463"},
    {7, 5, "Cryptographic failure", "RFC 3463"},
    {7, 6, "Cryptographic algorithm not supported", "RFC 3463"},
    {7, 7, "Message integrity failure", "RFC 3463"},
    {7, 8, "Authentication credentials invalid", "RFC 4954"},
    {7, 9, "Authentication mechanism is too weak", "RFC 4954"},
    {7, 10, "Encryption Needed", "RFC 5248"},
    {7, 11, "Encryption required for requested authentication mechanism", "RFC 4954"},
    {7, 12, "A password transition is needed", "RFC 4954"},
    {7, 13, "User Account Disabled", "RFC 5248"},
    {7, 14, "Trust relationship required", "RFC 5248"},
    {7, 15, "Priority Level is too low", "RFC 6710"},
    {7, 16, "Message is too big for the specified priority", "RFC 6710"},
    {7, 17, "Mailbox owner has changed", "RFC 7293"},
    {7, 18, "Domain owner has changed", "RFC 7293"},
    {7, 19, "RRVS test cannot be completed", "RFC 7293"},
    {7, 20, "No passing DKIM signature found", "RFC 7372"},
    {7, 21, "No acceptable DKIM signature found", "RFC 7372"},
    {7, 22, "No valid author-matched DKIM signature found", "RFC 7372"},
    {7, 23, "SPF validation failed", "RFC 7372"},
    {7, 24, "SPF validation error", "RFC 7372"},
    {7, 25, "Reverse DNS validation failed", "RFC 7372"},
    {7, 26, "Multiple authentication checks failed", "RFC 7372"},
    {7, 27, "Sender address has null MX", "RFC 7505"},
    {7, 28, "Mail flood detected", "IANA registry (2023)"},
    {7, 29, "ARC validation failure", "RFC 8617"},
    {7, 30, "REQUIRETLS support required", "RFC 8689"},
}};

constexpr std::array<std::string_view, 8> kSubjects{
    "Other or Undefined Status", "Addressing Status",   "Mailbox Status",
    "Mail System Status",        "Network and Routing Status", "Mail Delivery Protocol Status",
    "Message Content or Media Status", "Security or Policy Status"};

/// Reads 1-3 digits at s[i]; returns -1 when none.
int read_num(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  int v = 0;
  while (i < s.size() && i - start < 3 && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  if (i == start) return -1;
  if (i < s.size() && s[i] >= '0' && s[i] <= '9') return -1;  // more than 3 digits
  return v;
}

/// Parses cls.subj.detail at s[i]; i advances past it on success.
std::optional<EnhancedCode> parse_at(std::string_view s, std::size_t& i) {
  std::size_t k = i;
  if (k >= s.size() || (s[k] != '2' && s[k] != '4' && s[k] != '5')) return std::nullopt;
  EnhancedCode c;
  c.cls = s[k] - '0';
  ++k;
  if (k >= s.size() || s[k] != '.') return std::nullopt;
  ++k;
  c.subject = read_num(s, k);
  if (c.subject < 0 || k >= s.size() || s[k] != '.') return std::nullopt;
  ++k;
  c.detail = read_num(s, k);
  if (c.detail < 0) return std::nullopt;
  i = k;
  return c;
}

}  // namespace

std::string EnhancedCode::str() const {
  return std::to_string(cls) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

std::optional<EnhancedCode> parse_enhanced(std::string_view s) {
  std::size_t i = 0;
  auto c = parse_at(s, i);
  if (!c || i != s.size()) return std::nullopt;
  return c;
}

std::optional<EnhancedCode> parse_enhanced_prefix(std::string_view text, std::size_t* consumed) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  auto c = parse_at(text, i);
  if (!c) return std::nullopt;
  if (i < text.size() && text[i] != ' ' && text[i] != '\t') return std::nullopt;
  if (i < text.size()) ++i;
  if (consumed != nullptr) *consumed = i;
  return c;
}

std::optional<EnhancedCode> find_enhanced(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0) {
      const char p = text[i - 1];
      if (std::isalnum(static_cast<unsigned char>(p)) != 0 || p == '.') continue;
    }
    std::size_t k = i;
    auto c = parse_at(text, k);
    if (!c) continue;
    if (k < text.size()) {
      const char n = text[k];
      if (std::isalnum(static_cast<unsigned char>(n)) != 0) continue;
      if (n == '.' && k + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[k + 1])) != 0)
        continue;  // an IP address or version number, not a status code
    }
    return c;
  }
  return std::nullopt;
}

const EnhancedInfo* lookup_enhanced(int subject, int detail) {
  for (const auto& e : kRegistry) {
    if (e.subject == subject && e.detail == detail) return &e;
  }
  return nullptr;
}

std::string_view subject_title(int subject) {
  if (subject < 0 || subject >= static_cast<int>(kSubjects.size())) return "";
  return kSubjects.at(static_cast<std::size_t>(subject));
}

std::string_view class_title(int cls) {
  switch (cls) {
    case 2: return "Success";
    case 4: return "Persistent Transient Failure";
    case 5: return "Permanent Failure";
    default: return "";
  }
}

std::span<const EnhancedInfo> enhanced_registry() {
  return kRegistry;
}

}  // namespace maildiag::codes
