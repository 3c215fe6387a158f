#pragma once
/// Authentication headers as receivers write them: Authentication-Results (RFC 8601, plus the
/// Microsoft form without an authserv-id), Received-SPF (RFC 7208 9.1), DKIM-Signature tags
/// (RFC 6376 3.5; no cryptography here) and ARC sets (RFC 8617). Parsing only: what the results
/// mean for the message (alignment, trust) is decided by the caller.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::message {

struct AuthProperty {
  std::string ptype;    ///< "smtp", "header", "policy", "" for bare names ("x-bits")
  std::string name;     ///< "mailfrom", "d", "i", "from"
  std::string value;
  std::string comment;  ///< the comment that followed, if any
};

struct AuthResult {
  std::string method;   ///< lower case: "spf", "dkim", "dmarc", "arc", "iprev", "auth", "x-..."
  std::string version;  ///< "1" in "dkim/1"
  std::string result;   ///< lower case: "pass", "fail", "softfail", "none", "neutral", "temperror", ...
  std::string reason;
  std::string comment;  ///< comments after the result, joined
  std::vector<AuthProperty> properties;

  /// Value of "ptype.name" (case-insensitive), e.g. property("header.d"); "" when absent.
  [[nodiscard]] std::string_view property(std::string_view key) const;
};

struct AuthenticationResults {
  std::string authserv_id;
  std::string version;
  std::string authserv_comment;
  std::vector<AuthResult> results;
  bool microsoft_form = false;  ///< no leading authserv-id (Exchange Online); the id was inferred
  std::string error;            ///< "" when valid; otherwise why it is not RFC 8601 (results so far are kept)
};

/// Parses one Authentication-Results value ("Authentication-Results:" prefix tolerated).
AuthenticationResults parse_authentication_results(std::string_view value);

/// RFC 6376 / 8617 tag-list: "v=1; a=rsa-sha256; d=example.org; s=sel; h=from:to; ...".
struct TagList {
  std::vector<std::pair<std::string, std::string>> tags;  ///< name (lower case) -> value (folding removed)
  [[nodiscard]] std::string_view get(std::string_view name) const;
};
TagList parse_tag_list(std::string_view value);

/// Received-SPF: "Pass (comment) receiver=...; client-ip=...; envelope-from=...; helo=...".
struct ReceivedSpf {
  std::string result;    ///< lower case
  std::string comment;
  TagList pairs;         ///< client-ip, envelope-from, helo, receiver, identity, mechanism...
};
std::optional<ReceivedSpf> parse_received_spf(std::string_view value);

/// ARC-Authentication-Results: "i=1; mx.example; spf=pass ...".
struct ArcAuthenticationResults {
  int instance = 0;
  AuthenticationResults results;
};
std::optional<ArcAuthenticationResults> parse_arc_authentication_results(std::string_view value);

}  // namespace maildiag::message
