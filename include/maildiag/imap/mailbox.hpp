#pragma once
/// What IMAP responses tell about the server and a mailbox: the capability list (from
/// "* CAPABILITY" or a "[CAPABILITY ...]" code), the untagged data of SELECT/EXAMINE
/// (EXISTS, RECENT, FLAGS, [UNSEEN n], [UIDVALIDITY n], [UIDNEXT n], [READ-ONLY]) and STATUS.

#include "maildiag/imap/response.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::imap {

struct Capabilities {
  std::vector<std::string> atoms;  ///< upper-case, in the server's order

  [[nodiscard]] bool empty() const { return atoms.empty(); }
  [[nodiscard]] bool has(std::string_view atom) const;          ///< case-insensitive
  [[nodiscard]] std::vector<std::string> auth_mechanisms() const;  ///< from "AUTH=X" atoms
  [[nodiscard]] bool has_auth(std::string_view mechanism) const;
};

/// Space-separated capability atoms ("IMAP4rev1 STARTTLS AUTH=PLAIN").
Capabilities parse_capabilities(std::string_view text);
/// The capabilities a response carries ("* CAPABILITY ..." or an OK with a [CAPABILITY] code).
std::optional<Capabilities> capabilities_of(const Response& r);

/// The mailbox state reported while selecting (RFC 3501 §6.3.1 / RFC 9051 §6.3.2).
struct MailboxInfo {
  std::optional<std::uint64_t> exists;
  std::optional<std::uint64_t> recent;
  std::optional<std::uint64_t> first_unseen;  ///< [UNSEEN n]: sequence number, not a count
  std::optional<std::uint64_t> uidvalidity;
  std::optional<std::uint64_t> uidnext;
  std::vector<std::string> flags;
  std::vector<std::string> permanent_flags;
  bool read_only = false;   ///< [READ-ONLY] on the tagged OK
  bool read_write = false;  ///< [READ-WRITE] on the tagged OK
};
/// Folds one response (untagged data or the tagged completion) into info.
void apply(MailboxInfo& info, const Response& r);

/// "* STATUS mailbox (MESSAGES n UNSEEN m ...)".
struct StatusInfo {
  std::string mailbox;
  std::optional<std::uint64_t> messages;
  std::optional<std::uint64_t> unseen;
  std::optional<std::uint64_t> recent;
  std::optional<std::uint64_t> uidnext;
  std::optional<std::uint64_t> uidvalidity;
};
std::optional<StatusInfo> status_of(const Response& r);

}  // namespace maildiag::imap
