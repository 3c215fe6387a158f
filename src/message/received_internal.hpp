#pragma once
// Private to the Received parser: its token stream and the helpers its two halves share.

#include "maildiag/message/received.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace maildiag::message::detail {

struct Token {
  enum class Kind { word, comment, semicolon };
  Kind kind = Kind::word;
  std::string_view text;   ///< word text, or a comment's content without the outer parentheses
  std::size_t begin = 0;   ///< offset of the token in the value (the '(' for comments)
  std::size_t end = 0;     ///< offset just after it
  bool glued = false;      ///< no whitespace between this token and the previous one
};

/// Signs that the value was crafted: these make the connecting IP untrustworthy.
struct Anomalies {
  bool unbalanced = false;      ///< a stray ')' or an unclosed '('
  bool quote_outside = false;   ///< '"' or '\\' outside comments and <addresses>
  bool nested_ip = false;       ///< an address literal inside a nested comment
};

std::vector<Token> tokenize(std::string_view value, Anomalies& anomalies);

/// parse_received into a default-constructed r (the trace fills its hops in place); false when
/// the value is not a trace field (r is then unspecified).
bool read_received(std::string_view value, Received& r);

/// The tokens of one clause ("from", "by", ...), in order.
struct Clause {
  std::vector<const Token*> tokens;
  std::size_t begin = 0;  ///< text span in the value, for the raw clause text
  std::size_t end = 0;
};

/// What the by/with clauses reveal about the receiving MTA, which decides how its from-clause reads.
struct MtaHints {
  bool exim = false;       ///< "rdns ([ip]:port helo=x)": the from word is the verified rDNS
  bool xmail = false;      ///< "helo ([ip]:port)": the from word is the HELO
  bool microsoft = false;  ///< "helo (ip)": Exchange writes the HELO, qmail the rDNS
  bool web = false;        ///< HTTP submission: there is no SMTP greeting
};

/// Reads the from-clause into helo/rdns/ip/ident and auth evidence.
void read_from_clause(const Clause& from, Received& r, const MtaHints& hints);

/// Reads TLS details from one comment or clause text into tls (first statement wins).
void read_tls(std::string_view text, ReceivedTls& tls);
/// "TLSv1", "TLS1_2", "TLS-1.2", "TLSv1/SSLv3" -> "TLSv1.0", "TLSv1.2"...
std::string normalise_tls_version(std::string_view v);

/// An address literal inside brackets or parentheses: "IPv6:2001:db8::1", "1.2.3.4:25",
/// "10.0.8.6.13219" (Exim 3 port), "(134.97.4.21)". Returns "" when it is not one.
std::string extract_ip(std::string_view s);

std::string collapse(std::string_view s);
/// True when collapse(s) == s: no leading, trailing, doubled or non-space whitespace.
bool collapsed(std::string_view s);
std::string strip_angle(std::string_view s);

}  // namespace maildiag::message::detail
