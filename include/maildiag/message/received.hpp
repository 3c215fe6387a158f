#pragma once
/// Received: header parsing (RFC 5321 4.4 trace fields as real MTAs write them: Postfix, Exim,
/// Sendmail, qmail, Exchange/Office 365, Gmail, Coremail, QQ, CommuniGate, MDaemon, ecelerity...).
/// Each clause is kept raw (what the header says) and read into structured fields (what it means:
/// HELO name, reverse DNS, connecting IP, protocol, TLS). The parser never throws and never trusts
/// the from-clause blindly: HELO text is attacker-controlled, so an IP is only "observed" when the
/// receiving MTA's own TCP-info comment carries it and nothing looks injected.

#include "maildiag/message/date.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::message {

class TextStore;  // private to the parsers: bytes that never move, for the views below

/// Where the connecting address was read from, strongest first.
enum class IpSource {
  none,
  tcp_info,      ///< a bracketed literal in the receiver's comment: "(rdns [192.0.2.1])", "([ip]:port helo=x)"
  tcp_info_bare, ///< an unbracketed address in a comment: qmail "(192.0.2.1)", Exchange "(10.1.2.3)"
  from_word,     ///< "from [192.0.2.1]" / "from 192.0.2.1": the HELO argument or a bare address
};
std::string_view to_string(IpSource s);

/// Every text field below views either the parsed value or bytes the parser made (a collapsed
/// clause text, an upper-cased protocol); both live in `Received::store`, which every copy of the
/// Received shares. A field is valid as long as a Received (or Hop) holding that store lives.
struct ReceivedTls {
  std::string_view version;         ///< normalised: "TLSv1.3", "TLSv1.2", "TLSv1.0", "SSLv3"; "" when not stated
  std::string_view cipher;          ///< as written: "TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"
  std::string_view bits;            ///< "256/256", "256", when stated
  [[nodiscard]] bool stated() const { return !version.empty() || !cipher.empty(); }
};

struct Received {
  // Raw clause text, whitespace collapsed, comments kept (what MHA and mail-parser show).
  std::string_view from_text, by_text, via_text, with_text, id_text, for_text;
  std::string_view date_text;       ///< after the last top-level ';' (or the trailing date when there is none)

  // Structured reading.
  std::string_view from_word;       ///< the token after "from" as written ("mail.example.org", "[192.0.2.1]")
  std::string_view helo;            ///< the HELO/EHLO argument, when the header states it
  std::string_view helo_command;    ///< "HELO", "EHLO", "LHLO" when stated
  std::string_view rdns;            ///< the reverse-DNS name the receiver looked up ("" = unknown/none)
  std::string_view ip;              ///< connecting address (IPv4-mapped IPv6 folded to IPv4)
  IpSource ip_source = IpSource::none;
  bool ambiguous = false;           ///< the from-clause looks crafted (injected comments, stray quotes...)
  std::string_view ident;           ///< ident/user part: sendmail "(user@rdns [ip])", qmail "(user@ip)", Exim ident=
  std::string_view by;              ///< receiving host
  std::string_view by_ip;           ///< its address when stated: "by host (10.1.2.3)"
  std::string_view software;        ///< receiver's software comment: "Postfix", "Exim 4.96", "8.17.1/8.17.1"
  std::string_view via;             ///< first word of the via clause
  std::string_view protocol;        ///< normalised: SMTP ESMTP ESMTPS ESMTPA ESMTPSA LMTP HTTP(S) IMAP POP3 LOCAL MAPI ...
  std::string_view id;              ///< queue id, angle brackets removed
  std::string_view for_addr;        ///< envelope recipient, angle brackets removed
  std::string_view envelope_from;   ///< "(envelope-from <x>)", "(envelope-sender <x>)"
  std::string_view auth;            ///< evidence of an authenticated submission ("ESMTPA", "HTTP", "Sendmail", "LOGIN"...)
  ReceivedTls tls;
  std::optional<MailDate> date;

  /// A network hand-over between two machines (has an address and is not a fetchmail/IMAP/POP3
  /// pickup, a local injection or a content-filter loop).
  bool relay = false;

  /// The bytes the text fields view (shared: one store serves every hop of a trace).
  std::shared_ptr<const TextStore> store;
};

/// Parses one Received value (with or without the "Received:" name; folding is tolerated).
/// Returns nullopt only when the value has none of from/by/with/id/for and no date.
std::optional<Received> parse_received(std::string_view value);

/// True for a syntactically valid IPv4 or IPv6 literal (no brackets, no "IPv6:" prefix).
bool is_ip_literal(std::string_view s);
/// True for loopback, RFC 1918, CGNAT, link-local, ULA and similar non-routable addresses.
bool is_private_ip(std::string_view ip);

}  // namespace maildiag::message
