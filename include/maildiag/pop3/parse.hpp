#pragma once
/// Pure parsers for what POP3 replies carry: the CAPA list (RFC 2449), the APOP timestamp of a
/// greeting (RFC 1939 §7), STAT and the LIST/UIDL scan lines.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::pop3 {

/// RFC 2449 §6 capabilities (plus STLS, RFC 2595, and SASL, RFC 5034).
struct Capabilities {
  bool top = false;
  bool uidl = false;
  bool user = false;          ///< USER/PASS allowed (absent after Dovecot refuses plaintext)
  bool stls = false;
  bool sasl = false;          ///< "SASL" present (possibly with no mechanisms)
  std::vector<std::string> sasl_mechanisms;  ///< upper-case
  bool resp_codes = false;
  bool auth_resp_code = false;
  bool pipelining = false;
  bool utf8 = false;
  std::optional<std::string> login_delay;  ///< seconds, maybe followed by "USER"
  std::optional<std::string> expire;       ///< "NEVER", days, maybe followed by "USER"
  std::optional<std::string> implementation;
  std::vector<std::string> lines;          ///< every capability line as sent

  [[nodiscard]] bool has_mechanism(std::string_view mech) const;
};

/// Reads the body lines of a CAPA reply. Unknown capabilities are kept in `lines` only.
Capabilities parse_capa(const std::vector<std::string>& lines);

/// The "<...@...>" timestamp of an APOP-capable greeting, brackets included; nullopt when the
/// greeting has none (a '<...>' without '@' is not a msg-id).
std::optional<std::string> apop_timestamp(std::string_view greeting_text);

struct Maildrop {
  std::uint64_t messages = 0;
  std::uint64_t octets = 0;
};
/// The text of a STAT "+OK nn mm" reply ("2 320" or "2 320 extra"); nullopt when malformed.
std::optional<Maildrop> parse_stat(std::string_view ok_text);

/// One "msg size" line of LIST (or "msg uid" of UIDL).
struct ScanLine {
  std::uint64_t number = 0;
  std::string value;  ///< the size (LIST) or unique-id (UIDL) as sent
};
std::optional<ScanLine> parse_scan_line(std::string_view line);

}  // namespace maildiag::pop3
