#pragma once
/// Addresses in header fields (RFC 5322 3.4) and the domain arithmetic DMARC alignment needs.

#include <string>
#include <string_view>
#include <vector>

namespace maildiag::message {

struct Mailbox {
  std::string display;  ///< display name as written (quotes removed; RFC 2047 not decoded here)
  std::string address;  ///< addr-spec: "local@domain" (comments and angle brackets removed)
};

/// Parses an address list: display names, quoted strings, comments, groups ("team: a@x, b@y;").
/// Pieces without an '@' are kept with an empty address only when they had a display name.
std::vector<Mailbox> parse_address_list(std::string_view value);

/// The domain of an address, lower case, without a trailing dot; "" when there is none.
std::string domain_of(std::string_view address);

/// The organisational domain (DMARC RFC 7489 3.2) by a simple rule, not the full Public Suffix
/// List: the last two labels, or three when the last two are a common two-level public suffix
/// (co.uk, com.cn, co.jp, com.au, ...). Good for alignment hints, not for policy decisions.
std::string organizational_domain(std::string_view domain);

enum class Alignment { none, relaxed, strict };
/// DMARC identifier alignment of `other` with the From: domain.
Alignment alignment(std::string_view from_domain, std::string_view other);
std::string_view to_string(Alignment a);

}  // namespace maildiag::message
