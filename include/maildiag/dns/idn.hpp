#pragma once
/// Domain names as users type them: Unicode (IDN) or ASCII, with or without a trailing dot.
/// Conversion uses libidn2 (IDNA2008 with UTS #46 non-transitional processing, so "ß" stays
/// "ß" as browsers and mail systems do today); both forms are kept for display.

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::dns {

struct DomainName {
  std::string ascii;    ///< A-labels, lower case, no trailing dot: what goes on the wire
  std::string unicode;  ///< U-labels for people (equal to ascii when there is no IDN label)
  [[nodiscard]] bool is_idn() const { return ascii != unicode; }
  /// "bücher.example (xn--bcher-kva.example)" for IDNs, else the ASCII name.
  [[nodiscard]] std::string display() const;
};

/// Normalises and checks a domain given by a user: trims, drops one trailing dot, lower-cases,
/// converts U-labels to A-labels and requires labels of letters, digits, '-' and '_' (1–63
/// octets, no leading or trailing '-') and at most 253 octets in all. nullopt + error otherwise.
std::optional<DomainName> normalize_domain(std::string_view input, std::string* error = nullptr);

/// True when `ascii_name` has an A-label ("xn--", any case): only then can to_unicode() give
/// something else than the name itself.
bool has_a_label(std::string_view ascii_name);
/// The U-label form of an ASCII name from DNS, for display; the input unchanged when it has no
/// valid A-label.
std::string to_unicode(std::string_view ascii_name);

}  // namespace maildiag::dns
