#pragma once
/// ESMTP capabilities from an EHLO reply (RFC 5321 §4.1.1.1): each line after the first is a
/// keyword and parameters. Parsed as keywords — never by substring search (check_smtp's "250
/// STARTTLS" and s_client's strstr both get this wrong) — with the odd forms real servers send
/// (old "AUTH=LOGIN", "SIZE" without a number) noted rather than rejected.

#include "maildiag/codes/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace maildiag::smtp {

struct Capabilities {
  std::string server_name;                  ///< the first word of the first line (the server's idea of its name)
  std::string greeting_text;                ///< the rest of the first line
  bool size = false;                        ///< SIZE offered (RFC 1870)
  std::optional<std::uint64_t> size_limit;  ///< its number; 0 means "no fixed limit"
  bool pipelining = false;                  ///< RFC 2920
  bool starttls = false;                    ///< RFC 3207
  bool eightbitmime = false;                ///< RFC 6152
  bool smtputf8 = false;                    ///< RFC 6531
  bool chunking = false;                    ///< RFC 3030
  bool binarymime = false;                  ///< RFC 3030
  bool dsn = false;                         ///< RFC 3461
  bool enhanced_status_codes = false;       ///< RFC 2034
  bool requiretls = false;                  ///< RFC 8689
  bool prdr = false;                        ///< PRDR draft
  std::vector<std::string> auth;            ///< AUTH mechanisms, upper-case, in the server's order
  std::vector<std::string> keywords;        ///< every capability line as sent (raw, for display)
  std::vector<std::string> other;           ///< lines not recognised above (raw)
  std::vector<std::string> notes;           ///< oddities, one sentence each

  [[nodiscard]] bool offers_auth(std::string_view mechanism) const;
  [[nodiscard]] bool empty() const { return keywords.empty(); }
};

/// Parses a 250 reply to EHLO. A reply with another code yields empty capabilities.
Capabilities parse_capabilities(const codes::Reply& ehlo_reply);

/// What changed between two capability sets (typically before and after STARTTLS), as
/// upper-cased keyword lines: "AUTH PLAIN LOGIN" added, "STARTTLS" removed.
struct CapabilityDiff {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  [[nodiscard]] bool empty() const { return added.empty() && removed.empty(); }
};
CapabilityDiff diff(const Capabilities& before, const Capabilities& after);

}  // namespace maildiag::smtp
