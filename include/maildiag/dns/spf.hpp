#pragma once
/// SPF records (RFC 7208) read as a receiver would: terms, qualifiers, syntax errors, and the
/// mechanisms that cost a DNS lookup (the limit of 10, §4.6.4). Pure: following include/redirect
/// is the caller's job (app/mx does it asynchronously, with a bound).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::dns {

struct SpfTerm {
  enum class Kind { mechanism, modifier };
  Kind kind = Kind::mechanism;
  char qualifier = '+';  ///< '+', '-', '~' or '?' (mechanisms only)
  std::string name;      ///< lower case: all include a mx ptr ip4 ip6 exists | redirect exp or another modifier
  std::string value;     ///< after ':' / '=' (domain-spec or address), with any "/cidr" suffix
  std::string text;      ///< the term as written
  /// include, a, mx, ptr, exists and redirect each cost one DNS lookup (RFC 7208 §4.6.4).
  [[nodiscard]] bool costs_lookup() const;
  /// The domain-spec contains a macro ("%{i}") and cannot be followed without a connection.
  [[nodiscard]] bool has_macro() const;
};

struct SpfRecord {
  std::vector<SpfTerm> terms;
  std::vector<std::string> errors;    ///< syntax errors: a receiver returns permerror
  std::vector<std::string> warnings;  ///< legal but risky (ptr, terms after all, no all, ...)
  std::optional<char> all;            ///< qualifier of the `all` mechanism when present
  std::optional<std::string> redirect;
  [[nodiscard]] std::vector<std::string> includes() const;  ///< include: targets in order
  [[nodiscard]] int lookup_terms() const;                   ///< terms in this record that cost a lookup
  [[nodiscard]] bool valid() const { return errors.empty(); }
};

/// True for a TXT string that is an SPF record: "v=spf1" alone or followed by a space (case-insensitive).
bool is_spf_record(std::string_view txt);
SpfRecord parse_spf(std::string_view txt);

/// "pass", "fail", "softfail", "neutral" for '+', '-', '~', '?'.
std::string_view spf_qualifier_name(char q);

}  // namespace maildiag::dns
