#pragma once
// Private to the Received parser: its token stream and the helpers its two halves share.

#include "maildiag/message/received.hpp"
#include "text_store.hpp"

#include <array>
#include <span>
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
/// As above, into `out` (cleared first), so a caller can reuse its capacity.
void tokenize(std::string_view value, Anomalies& anomalies, std::vector<Token>& out);

/// parse_received into a default-constructed r (the trace fills its hops in place); false when
/// the value is not a trace field (r is then unspecified). r's fields view `value` and `store`:
/// the caller makes sure `value` lives in the store or in bytes the store keeps, and sets r.store.
bool read_received(std::string_view value, Received& r, TextStore& store);

/// The tokens of one clause ("from", "by", ...), in order: a run of the parse's token pool.
struct Clause {
  std::span<const Token* const> tokens;
  std::size_t begin = 0;  ///< text span in the value, for the raw clause text
  std::size_t end = 0;
};

/// The clauses of one keyword, in order. Nearly always one or none: two live inline.
class ClauseList {
 public:
  Clause& emplace_back() {
    ++n_;
    if (n_ <= head_.size()) return head_[n_ - 1] = Clause{};
    return tail_.emplace_back();
  }
  Clause& back() { return n_ <= head_.size() ? head_[n_ - 1] : tail_.back(); }
  [[nodiscard]] const Clause& operator[](std::size_t i) const {
    return i < head_.size() ? head_[i] : tail_[i - head_.size()];
  }
  [[nodiscard]] const Clause& front() const { return head_[0]; }
  [[nodiscard]] bool empty() const { return n_ == 0; }
  [[nodiscard]] std::size_t size() const { return n_; }

 private:
  std::array<Clause, 2> head_{};
  std::size_t n_ = 0;
  std::vector<Clause> tail_;
};

/// What the by/with clauses reveal about the receiving MTA, which decides how its from-clause reads.
/// The clause-text tests are made only when the from-clause's layout needs them.
struct MtaHints {
  std::string_view with_text;
  std::string_view by_text;
  /// "rdns ([ip]:port helo=x)": the from word is the verified rDNS
  [[nodiscard]] bool exim() const;
  /// "helo ([ip]:port)": the from word is the HELO
  [[nodiscard]] bool xmail() const;
  /// "helo (ip)": Exchange writes the HELO, qmail the rDNS
  [[nodiscard]] bool microsoft() const;
  bool web = false;        ///< HTTP submission: there is no SMTP greeting
  /// The from-clause comments must be read for TLS again: an earlier reading of every comment
  /// changed the TLS fields without stating TLS (a lone bits=), so the from comments' bits win.
  bool reread_tls = false;
};

/// Reads the from-clause into helo/rdns/ip/ident and auth evidence.
void read_from_clause(const Clause& from, Received& r, const MtaHints& hints, TextStore& store);

/// Reads TLS details from one comment or clause text (a view into the parsed value) into tls
/// (first statement wins). False when it changed nothing, whatever tls held before (unless tls
/// was already stated).
bool read_tls(std::string_view text, ReceivedTls& tls, TextStore& store);
/// Reads the comments anywhere in the tokens for TLS statements, the envelope sender and
/// authentication (and the words Haraka and qmail-tls write for the first two). True when a
/// comment changed the TLS fields.
bool read_comments(const std::vector<Token>& tokens, Received& r, TextStore& store);

/// "TLSv1", "TLS1_2", "TLS-1.2", "TLSv1/SSLv3" -> "TLSv1.0", "TLSv1.2"... (a static name, or v
/// itself when it names no known version)
std::string_view normalise_tls_version(std::string_view v);

/// An address literal inside brackets or parentheses: "IPv6:2001:db8::1", "1.2.3.4:25",
/// "10.0.8.6.13219" (Exim 3 port), "(134.97.4.21)". Returns "" when it is not one; else a view
/// into s.
std::string_view extract_ip(std::string_view s);

/// s with its ends trimmed and each run of whitespace made one space: a view into s when that is
/// what s already is (most clause texts), else a copy in `store`.
std::string_view collapse(std::string_view s, TextStore& store);
/// s without trailing ','/';' and enclosing angle brackets (a view into s).
std::string_view strip_angle(std::string_view s);

}  // namespace maildiag::message::detail
