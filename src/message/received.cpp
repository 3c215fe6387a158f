// Received: values -> clauses (from/by/via/with/id/for/date) -> structured fields.

#include "maildiag/message/received.hpp"

#include "byte_scan.hpp"
#include "maildiag/util/text.hpp"
#include "received_internal.hpp"

#include <algorithm>
#include <array>
#include <memory>

namespace maildiag::message {

namespace detail {

namespace {
constexpr std::size_t kMaxReceived = 16 * 1024;  // longer values are cut: no real MTA writes more
constexpr int kMaxCommentDepth = 16;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// What a byte means inside a word token: ends it, or marks the value as crafted.
/// kSkip: a byte between tokens (is_ws or ',').
enum : unsigned char { kPlain = 0, kEnd = 1, kStrayParen = 2, kQuote = 4, kSkip = 8 };
constexpr std::array<unsigned char, 256> make_word_table() {
  std::array<unsigned char, 256> t{};
  for (char c : {'(', ';'}) t[static_cast<unsigned char>(c)] = kEnd;
  for (char c : {' ', '\t', '\r', '\n', ','}) t[static_cast<unsigned char>(c)] = kEnd | kSkip;
  t[static_cast<unsigned char>(')')] = kStrayParen;
  t[static_cast<unsigned char>('"')] = kQuote;
  t[static_cast<unsigned char>('\\')] = kQuote;
  return t;
}
constexpr auto kWordByte = make_word_table();
}  // namespace

std::string_view collapse(std::string_view s, TextStore& store) {
  auto ws = [](char c) { return static_cast<unsigned char>(c) <= ' ' && is_ws(c); };
  const char* p = s.data();
  const char* e = p + s.size();
  while (p != e && ws(*p)) ++p;
  while (e != p && ws(e[-1])) --e;
  // Most clause texts are collapsed already once trimmed: a view.
  const std::string_view trimmed(p, static_cast<std::size_t>(e - p));
  if (collapsed(trimmed)) return trimmed;
  // Written straight into the store, never longer than the trimmed text.
  char* const out = store.reserve(trimmed.size());
  char* o = out;
  // Words are copied in runs; every word but the first had whitespace before it: one space.
  while (p != e) {
    while (p != e && ws(*p)) ++p;
    if (p == e) break;
    if (o != out) *o++ = ' ';
    while (p != e && !ws(*p)) *o++ = *p++;
  }
  return store.trim(out, static_cast<std::size_t>(o - out));
}

std::string_view strip_angle(std::string_view s) {
  while (!s.empty() && (s.back() == ',' || s.back() == ';')) s.remove_suffix(1);
  while (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<Token> tokenize(std::string_view v, Anomalies& anomalies) {
  std::vector<Token> out;
  tokenize(v, anomalies, out);
  return out;
}

void tokenize(std::string_view v, Anomalies& anomalies, std::vector<Token>& out) {
  out.clear();
  std::size_t i = 0;
  bool space_before = true;
  while (i < v.size()) {
    const char c = v[i];
    if (kWordByte[static_cast<unsigned char>(c)] & kSkip) {
      space_before = true;
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    t.glued = !space_before && !out.empty();
    space_before = false;
    if (c == ';') {
      t.kind = Token::Kind::semicolon;
      t.text = v.substr(i, 1);
      t.end = ++i;
    } else if (c == '(') {
      int depth = 0;
      std::size_t j = i;
      // Only '\\', '(', ')' and '[' matter inside a comment: the scan skips the rest.
      for (; (j = find_first_of<'\\', '(', ')', '['>(v, j)) < v.size(); ++j) {
        if (v[j] == '\\') {
          anomalies.quote_outside = true;  // quoted-pairs in comments only ever appear in crafted values
          ++j;
          continue;
        }
        if (v[j] == '(') {
          ++depth;
          if (depth > kMaxCommentDepth) anomalies.unbalanced = true;
        } else if (v[j] == ')' && --depth == 0) {
          break;
        } else if (v[j] == '[' && depth >= 2) {
          const auto close = v.find(']', j);
          if (close != std::string_view::npos && !extract_ip(v.substr(j + 1, close - j - 1)).empty()) {
            anomalies.nested_ip = true;
          }
        }
      }
      t.kind = Token::Kind::comment;
      if (j >= v.size()) {  // unclosed: the comment swallows the rest
        anomalies.unbalanced = true;
        t.text = v.substr(i + 1);
        t.end = v.size();
      } else {
        t.text = v.substr(i + 1, j - i - 1);
        t.end = j + 1;
      }
      i = t.end;
    } else {
      std::size_t j = i;
      if (c == '<') {  // an address: may hold ';', '"' and spaces inside quotes
        const auto close = v.find('>', i);
        j = close == std::string_view::npos ? v.size() : close + 1;
      } else if (c == '[') {  // an address literal: MDaemon writes "[(1.2.3.4)]"
        const auto close = v.find(']', i);
        j = close == std::string_view::npos ? v.size() : close + 1;
      } else if (c == '"') {
        anomalies.quote_outside = true;
        const auto close = v.find('"', i + 1);
        j = close == std::string_view::npos ? v.size() : close + 1;
      }
      for (; j < v.size(); ++j) {
        const unsigned char kind = kWordByte[static_cast<unsigned char>(v[j])];
        if (kind == kPlain) continue;
        if (kind & kEnd) break;
        if (kind == kStrayParen) anomalies.unbalanced = true;
        if (kind == kQuote) anomalies.quote_outside = true;
      }
      t.kind = Token::Kind::word;
      t.text = v.substr(i, j - i);
      t.end = j;
      i = j;
    }
    out.push_back(t);
  }
}

bool MtaHints::exim() const { return util::icontains(with_text, "exim") || util::icontains(by_text, "exim"); }
bool MtaHints::xmail() const { return util::icontains(with_text, "xmail"); }
bool MtaHints::microsoft() const { return util::icontains(with_text, "microsoft"); }

}  // namespace detail

namespace {

using detail::Clause;
using detail::Token;

enum class Key { none, from, by, via, with, id, for_ };

Key keyword(const Token& t) {
  if (t.kind != Token::Kind::word) return Key::none;
  const std::string_view w = t.text;
  switch (w.size()) {
    case 2:
      if (detail::is_word<"by">(w)) return Key::by;
      if (detail::is_word<"id">(w)) return Key::id;
      break;
    case 3:
      if (detail::is_word<"via">(w)) return Key::via;
      if (detail::is_word<"for">(w)) return Key::for_;
      break;
    case 4:
      if (detail::is_word<"from">(w)) return Key::from;
      if (detail::is_word<"with">(w)) return Key::with;
      break;
    default:
      break;
  }
  return Key::none;
}

bool looks_like_date_start(const std::vector<Token>& tokens, std::size_t i) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const std::string_view w = tokens[i].text;
  if (tokens[i].kind != Token::Kind::word || w.empty()) return false;
  if (w.size() >= 3) {
    for (auto d : kDays) {
      if (util::iequals(w.substr(0, 3), d) && (w.size() == 3 || w[3] == ',' || std::isalpha(static_cast<unsigned char>(w[3])))) {
        return true;
      }
    }
  }
  if (w.size() == 10 && w[4] == '-' && w[7] == '-') return true;  // ISO 8601
  return w.size() <= 2 && std::isdigit(static_cast<unsigned char>(w[0])) && i + 2 < tokens.size() &&
         tokens[i + 1].kind == Token::Kind::word && tokens[i + 1].text.size() >= 3 &&
         std::isalpha(static_cast<unsigned char>(tokens[i + 1].text[0]));
}

/// The index of the first token after the clauses: after the last top-level ';', or where a
/// trailing date starts when the writer left the ';' out.
std::size_t split_date(std::string_view v, const std::vector<Token>& tokens, Received& r, TextStore& store) {
  for (std::size_t i = tokens.size(); i-- > 0;) {
    if (tokens[i].kind == Token::Kind::semicolon) {
      r.date_text = detail::collapse(v.substr(tokens[i].end), store);
      r.date = parse_date(v.substr(tokens[i].end));
      return i;
    }
  }
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    if (!looks_like_date_start(tokens, i)) continue;
    auto d = parse_date(v.substr(tokens[i].begin));
    if (d) {
      r.date = d;
      r.date_text = detail::collapse(v.substr(tokens[i].begin), store);
      return i;
    }
  }
  return tokens.size();
}

std::string_view first_word(const Clause& c) {
  for (const Token* t : c.tokens) {
    if (t->kind == Token::Kind::word) return t->text;
    break;  // a comment first: no value
  }
  return {};
}

std::string_view clause_text(std::string_view v, const Clause& c, TextStore& store) {
  if (c.tokens.empty()) return {};
  return detail::collapse(v.substr(c.begin, c.end - c.begin), store);
}

/// The texts of every clause of one keyword, joined by "; " (empty ones left out): a view when
/// there is one clause (nearly always), else a copy in the store.
std::string_view clauses_text(std::string_view v, const detail::ClauseList& list, TextStore& store) {
  if (list.size() == 1) return clause_text(v, list[0], store);
  std::string joined;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string_view more = clause_text(v, list[i], store);
    if (more.empty()) continue;
    if (!joined.empty()) joined += "; ";
    joined += more;
  }
  return store.copy(joined);
}

/// Maps the with-clause to a protocol name: "esmtpsa" -> ESMTPSA, "local-esmtps" -> ESMTPS,
/// "ESMTP-TLS" -> ESMTPS, "Microsoft SMTP Server" -> SMTP, "[XMail 1.20 ESMTP Server]" -> ESMTP.
std::string_view normalise_protocol(const Clause& with, ReceivedTls& tls, TextStore& store) {
  static constexpr std::array<std::string_view, 24> kKnown = {
      "SMTP",      "ESMTP",      "ESMTPA",     "ESMTPS",    "ESMTPSA", "LMTP",     "LMTPA",    "LMTPS",
      "LMTPSA",    "UTF8SMTP",   "UTF8SMTPA",  "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTP", "UTF8LMTPS", "HTTP",
      "HTTPS",     "HTTPU",      "IMAP",       "POP3",      "LOCAL",   "MAPI",     "SMTPS",    "ASMTP"};
  // The known name (static text) that w is, or "".
  auto known = [&](std::string_view w) {
    for (auto k : kKnown) {
      if (w == k) return k;
    }
    return std::string_view{};
  };
  auto upper = [](std::string_view v) {
    std::string w(v);
    for (auto& ch : w) ch = ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch;  // std::toupper in the C locale
    return w;
  };
  // The first four words as written (compared case-insensitively) and how many there are.
  std::array<std::string_view, 4> words;
  std::size_t count = 0;
  auto add = [&](std::string_view w) {
    if (count < words.size()) words[count] = w;
    ++count;
  };
  for (const Token* t : with.tokens) {
    if (t->kind != Token::Kind::word) continue;
    std::string_view w = t->text;
    if (!w.empty() && w.front() == '[') {  // "[XMail 1.20 ESMTP Server]"
      const std::string_view inner = w.substr(1, w.size() > 2 ? w.size() - 2 : 0);
      for (std::size_t start = 0;;) {
        const auto space = inner.find(' ', start);
        add(inner.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
      }
      continue;
    }
    add(w);
    if (count > 6) break;
  }
  for (std::size_t i = 0; i < count && i < 4; ++i) {
    std::string w = upper(words[i]);
    if (w.rfind("LOCAL-", 0) == 0) w = w.substr(6);  // Exim: local-esmtp, local-bsmtp
    if (w == "BSMTP" || w == "SMTPSVC" || w.rfind("SMTPSVC", 0) == 0) w = "SMTP";
    if (w == "ESMTP-TLS") w = "ESMTPS";
    if (const auto slash = w.find('/'); slash != std::string::npos) {  // "ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384"
      const auto parts = util::split(words[i], '/');
      if (parts.size() == 3 && util::iequals(parts[1], "tls") && tls.cipher.empty()) {
        tls.cipher = store.copy(upper(words[i].substr(words[i].rfind('/') + 1)));
      }
      w = w.substr(0, slash);
    }
    if (i == 0 && w == "MICROSOFT" && count > 1 && util::iequals(words[1], "mapi")) return "MAPI";
    if (const auto k = known(w); !k.empty()) return k;
    if (i == 0 && w != "MICROSOFT" && w != "IBM" && count == 1) return store.copy(w);
  }
  if (count == 0) return {};
  const std::string first = upper(words[0]);
  const auto k = known(first);
  return k.empty() ? store.copy(first) : k;
}

/// Exim 4.9x states TLS as "(TLS1.3) tls TLS_AES_256_GCM_SHA384" in the with clause.
void read_with_words_tls(const Clause& with, ReceivedTls& tls) {
  for (std::size_t i = 0; i + 1 < with.tokens.size(); ++i) {
    const Token* t = with.tokens[i];
    if (t->kind == Token::Kind::word && util::iequals(t->text, "tls") && with.tokens[i + 1]->kind == Token::Kind::word &&
        tls.cipher.empty()) {
      tls.cipher = with.tokens[i + 1]->text;
    }
  }
}

bool is_transport(const Received& r) {
  if (r.protocol == "IMAP" || r.protocol == "POP3" || r.protocol == "LOCAL") return false;
  // A fetch or a content filter named anywhere in the with clause (one pass, by first letter).
  const std::string_view w = r.with_text;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::string_view rest = w.substr(i);
    bool filter = false;
    switch (w[i] | 0x20) {
      case 'f': filter = util::istarts_with(rest, "fetchmail"); break;
      case 'q': filter = util::istarts_with(rest, "qmail-scanner"); break;
      case 's': filter = util::istarts_with(rest, "scanned") || util::istarts_with(rest, "spamassassin"); break;
      case 'c': filter = util::istarts_with(rest, "checked"); break;
      case 'a': filter = util::istarts_with(rest, "amavis"); break;
      default: break;
    }
    if (filter) return false;
  }
  return true;
}

/// Assigns every clause token to its keyword. A second "from" after the by clause followed by an
/// <address> is IBM's envelope sender ("for <x> from <y>").
/// A clause's tokens arrive together (a clause ends where the next keyword starts one), so each
/// clause is a run of `pool`, which holds room for every token.
void assign_clauses(const std::vector<Token>& tokens, std::size_t end, std::array<detail::ClauseList, 7>& clauses,
                    std::vector<const Token*>& pool, Received& r) {
  pool.clear();
  pool.reserve(end);
  Key current = Key::none;
  for (std::size_t i = 0; i < end; ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::Kind::semicolon) continue;
    Key k = keyword(t);
    if (k == Key::from && !clauses[static_cast<std::size_t>(Key::by)].empty() && i + 1 < end &&
        tokens[i + 1].kind == Token::Kind::word && tokens[i + 1].text.substr(0, 1) == "<") {
      if (r.envelope_from.empty()) r.envelope_from = detail::strip_angle(tokens[i + 1].text);
      ++i;
      continue;
    }
    if (k != Key::none) {
      current = k;
      auto& list = clauses[static_cast<std::size_t>(k)];
      list.emplace_back();
      list.back().begin = i + 1 < tokens.size() ? tokens[i + 1].begin : t.end;
      list.back().end = list.back().begin;
      continue;
    }
    auto& list = clauses[static_cast<std::size_t>(current)];
    if (list.empty()) list.emplace_back();
    Clause& c = list.back();
    if (c.tokens.empty()) {
      c.begin = t.begin;
      c.tokens = {pool.data() + pool.size(), 0};
    }
    pool.push_back(&t);
    c.tokens = {c.tokens.data(), c.tokens.size() + 1};
    c.end = t.end;
  }
}

}  // namespace

std::optional<Received> parse_received(std::string_view value) {
  // The fields view the store's own copy of the value: they outlive the caller's bytes.
  auto store = std::make_shared<TextStore>();
  std::optional<Received> out(std::in_place);
  if (!detail::read_received(store->copy(value), *out, *store)) {
    out.reset();
    return out;
  }
  out->store = std::move(store);
  return out;
}

bool detail::read_received(std::string_view value, Received& r, TextStore& store) {
  if (value.size() > detail::kMaxReceived) value = value.substr(0, detail::kMaxReceived);
  value = util::trim(value);
  if (util::istarts_with(value, "received:")) value = util::trim(value.substr(9));
  detail::Anomalies anomalies;
  // Reused between calls (one Received at a time per thread): no allocation per header.
  thread_local std::vector<Token> tokens;
  detail::tokenize(value, anomalies, tokens);
  // "(from KRYPTIK [70.20.57.51]) by host": a from clause written as a comment.
  std::vector<Token> inner;
  if (!tokens.empty() && tokens.front().kind == Token::Kind::comment && util::istarts_with(tokens.front().text, "from ")) {
    detail::Anomalies ignored;
    const auto base = static_cast<std::size_t>(tokens.front().text.data() - value.data());
    inner = detail::tokenize(tokens.front().text, ignored);
    for (auto& t : inner) {
      t.begin += base;
      t.end += base;
    }
    tokens.erase(tokens.begin());
    tokens.insert(tokens.begin(), inner.begin(), inner.end());
  }
  const std::size_t end = split_date(value, tokens, r, store);
  std::array<detail::ClauseList, 7> clauses;
  thread_local std::vector<const Token*> pool;
  assign_clauses(tokens, end, clauses, pool, r);
  auto text_of = [&](Key k) { return clauses_text(value, clauses[static_cast<std::size_t>(k)], store); };
  r.from_text = text_of(Key::from);
  r.by_text = text_of(Key::by);
  r.via_text = text_of(Key::via);
  r.with_text = text_of(Key::with);
  r.id_text = text_of(Key::id);
  r.for_text = text_of(Key::for_);
  const auto& by = clauses[static_cast<std::size_t>(Key::by)];
  const auto& with = clauses[static_cast<std::size_t>(Key::with)];
  const auto& from = clauses[static_cast<std::size_t>(Key::from)];
  bool any = r.date.has_value();
  for (int k = 1; k < 7; ++k) any = any || !clauses[static_cast<std::size_t>(k)].empty();
  if (!any) return false;

  if (!by.empty()) {
    std::string_view word = detail::strip_angle(first_word(by.front()));
    if (word.size() > 2 && word.front() == '[' && word.back() == ']') word = word.substr(1, word.size() - 2);
    r.by = word;
  }
  if (!with.empty()) {
    r.protocol = normalise_protocol(with.front(), r.tls, store);
    read_with_words_tls(with.front(), r.tls);
  }
  if (!clauses[static_cast<std::size_t>(Key::via)].empty()) r.via = first_word(clauses[static_cast<std::size_t>(Key::via)].front());
  if (!clauses[static_cast<std::size_t>(Key::id)].empty()) r.id = detail::strip_angle(first_word(clauses[static_cast<std::size_t>(Key::id)].front()));
  if (r.id.empty()) {  // "...; Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815.00001E11"
    const auto at = util::ifind(r.date_text, " id ");
    if (at != std::string_view::npos) r.id = detail::strip_angle(util::split(r.date_text.substr(at + 4), ' ').front());
  }
  if (!clauses[static_cast<std::size_t>(Key::for_)].empty()) r.for_addr = detail::strip_angle(first_word(clauses[static_cast<std::size_t>(Key::for_)].front()));
  if (r.for_addr.empty()) {  // EzMTS: "...; Thu, 20 Mar 03 10:06:43 +0100 for <asrg@ietf.org>"
    const auto at = util::ifind(r.date_text, " for ");
    if (at != std::string_view::npos) r.for_addr = detail::strip_angle(util::split(r.date_text.substr(at + 5), ' ').front());
  }
  const bool tls_changed = detail::read_comments(tokens, r, store);
  for (std::size_t i = 0; i < by.size(); ++i) {
    const Clause& c = by[i];
    for (const Token* t : c.tokens) {
      if (t->kind == Token::Kind::word && t != c.tokens.front() && r.by_ip.empty()) r.by_ip = detail::extract_ip(t->text);
      if (t->kind != Token::Kind::comment) continue;
      if (!r.by_ip.empty() && !r.software.empty()) continue;
      const std::string_view ip = detail::extract_ip(t->text);
      if (r.software.empty() && ip.empty() && !util::icontains(t->text, "envelope-")) {
        r.software = detail::collapse(t->text, store);
      }
      if (r.by_ip.empty()) r.by_ip = ip;
    }
  }
  detail::MtaHints hints;
  hints.with_text = r.with_text;  // read_from_clause changes neither
  hints.by_text = r.by_text;
  hints.reread_tls = tls_changed && !r.tls.stated();
  const bool via_http = util::icontains(r.by_text, "(via HTTP)");
  hints.web = r.protocol.rfind("HTTP", 0) == 0 || via_http;
  if (!from.empty()) detail::read_from_clause(from.front(), r, hints, store);
  if (r.auth.empty()) {
    static constexpr std::array<std::string_view, 10> kAuthenticated = {
        "ESMTPA", "ESMTPSA", "LMTPA", "LMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "ASMTP", "HTTP", "HTTPS", "HTTPU"};
    const std::string_view p = r.protocol;  // each of those ends in 'A' or starts with 'A' or 'H'
    if (!p.empty() && (p.back() == 'A' || p.front() == 'A' || p.front() == 'H') &&
        std::find(kAuthenticated.begin(), kAuthenticated.end(), p) != kAuthenticated.end()) {
      r.auth = first_word(with.front());
    }
    if (r.auth.empty() && via_http) r.auth = "HTTP";
  }
  if (by.size() > 1 || r.by.empty() || from.size() > 1) anomalies.unbalanced = anomalies.unbalanced || !r.ip.empty();
  r.ambiguous = anomalies.unbalanced || anomalies.quote_outside || anomalies.nested_ip || r.ambiguous;
  r.relay = !r.ip.empty() && is_transport(r);
  return true;
}

}  // namespace maildiag::message
