#pragma once
// codes-private: the data tables behind the classifier's text heuristics.

#include "maildiag/codes/reason.hpp"

#include <span>
#include <string_view>

namespace maildiag::codes::detail {

/// A phrase real servers use, and the reason it signals. Matched case-insensitively as a
/// substring; the first matching rule in table order wins, so specific rules come first.
struct PhraseRule {
  Reason reason;
  std::string_view phrase;
};
std::span<const PhraseRule> phrase_rules();

/// A provider's documented reply token (NetEase "DT:SPM", QQ "Ip frequency limited").
struct ProviderRule {
  std::string_view provider;
  std::string_view token;     ///< matched case-insensitively as a substring
  Reason reason;
  std::string_view meaning;   ///< the provider's documented meaning, in English
};
std::span<const ProviderRule> provider_rules();

/// Known DNS blocklist zone suffixes ("spamhaus.org", "spamcop.net").
std::span<const std::string_view> blocklist_zones();

}  // namespace maildiag::codes::detail
