// Received: the comments of a value -- TLS statements, the envelope sender, authentication.

#include "maildiag/util/text.hpp"
#include "received_internal.hpp"

#include <bit>
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace maildiag::message::detail {

namespace {

/// Evidence of an authenticated submission in a comment, named after the MTA that writes it.
std::string_view auth_evidence(std::string_view c) {
  const auto first = util::ifind(c, "auth");  // both forms below start with it
  if (first == std::string_view::npos) return {};
  if (const auto p = util::ifind(c, "AUTH: ", first); p != std::string_view::npos) {
    const auto rest = util::trim(c.substr(p + 6));
    return rest.substr(0, rest.find_first_of(" ,"));  // the mechanism
  }
  const auto a = util::ifind(c, "authenticated", first);
  if (a == std::string_view::npos || util::icontains(c, "unauthenticated") || util::icontains(c, "not authenticated")) {
    return {};
  }
  const auto rest = c.substr(a + 13);
  if (util::istarts_with(util::trim(rest), "sender:")) return "Postfix";
  if (util::icontains(rest, "bits")) return "Sendmail";
  if (util::istarts_with(util::trim(rest), "as ")) return "CriticalPath";
  if (util::istarts_with(util::trim(rest), "user")) return "HTTP";  // SquirrelMail, NaSMail
  return "authenticated";
}

/// What one comment may state, from one pass over it: each reader below runs only when its
/// marker is there (a reader finds nothing in a comment without it).
struct CommentMarks {
  bool tls = false;       ///< '=', ':', "using", "tls" or "encrypted": what read_tls needs
  bool auth = false;      ///< "auth": what auth_evidence needs
  bool envelope = false;  ///< "envelope-"
};

/// True when p (before e) starts with `lower`, compared as (byte | 0x20): every case of a letter
/// matches, and a few other bytes may too (a marker only gates a reader that checks again).
template <std::size_t N>
bool marked(const unsigned char* p, const unsigned char* e, const char (&lower)[N]) {
  if (static_cast<std::size_t>(e - p) < N - 1) return false;
  for (std::size_t i = 0; i + 1 < N; ++i) {
    if ((p[i] | 0x20) != static_cast<unsigned char>(lower[i])) return false;
  }
  return true;
}

/// What the byte at p (before e) starts, added to m.
void mark(const unsigned char* p, const unsigned char* e, CommentMarks& m) {
  const unsigned char ch = *p;
  if (ch < 'A') {
    m.tls = m.tls || ch == '=' || ch == ':';
    return;
  }
  switch (ch | 0x20) {  // a letter in either case
    case 'u': m.tls = m.tls || marked(p, e, "using"); break;
    case 't': m.tls = m.tls || marked(p, e, "tls"); break;
    case 'e':
      m.tls = m.tls || marked(p, e, "encrypted");
      m.envelope = m.envelope || marked(p, e, "envelope-");
      break;
    case 'a': m.auth = m.auth || marked(p, e, "auth"); break;
    default: break;
  }
}

CommentMarks marks_of(std::string_view c) {
  CommentMarks m;
  const auto* p = reinterpret_cast<const unsigned char*>(c.data());
  const auto* const e = p + c.size();
#if defined(__SSE2__)
  // Only the bytes that can start a marker are looked at, found 16 at a time: '=', ':' and the
  // first two letters of "using", "tls", "en(crypted|velope-)" and "auth" in any case (once the
  // TLS marker is found, only the last two).
  const __m128i case_bit = _mm_set1_epi8(0x20);
  auto eq = [](__m128i v, char byte) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(byte)); };
  for (; e - p >= 17; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i lx = _mm_or_si128(x, case_bit);
    const __m128i ly = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1)), case_bit);
    const __m128i en_au = _mm_or_si128(_mm_and_si128(eq(lx, 'e'), eq(ly, 'n')), _mm_and_si128(eq(lx, 'a'), eq(ly, 'u')));
    __m128i hit = en_au;
    if (!m.tls) {
      const __m128i us_tl = _mm_or_si128(_mm_and_si128(eq(lx, 'u'), eq(ly, 's')), _mm_and_si128(eq(lx, 't'), eq(ly, 'l')));
      hit = _mm_or_si128(_mm_or_si128(hit, us_tl), _mm_or_si128(eq(x, '='), eq(x, ':')));
    }
    for (auto hits = static_cast<unsigned>(_mm_movemask_epi8(hit)); hits != 0; hits &= hits - 1) {
      mark(p + std::countr_zero(hits), e, m);
    }
  }
#endif
  for (; p != e; ++p) mark(p, e, m);
  return m;
}

}  // namespace

/// Reads the comments anywhere in the value for TLS statements, the envelope sender and
/// authentication; Haraka writes "envelope-from <x>" and qmail-tls "CIPHER encrypted" as words.
/// True when a comment changed the TLS fields.
bool read_comments(const std::vector<Token>& tokens, Received& r, TextStore& store) {
  bool tls_changed = false;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != Token::Kind::word) continue;
    // The lengths first: nearly every word is none of these.
    if ((t.text.size() == 13 || t.text.size() == 15) &&
        (util::iequals(t.text, "envelope-from") || util::iequals(t.text, "envelope-sender")) && r.envelope_from.empty()) {
      r.envelope_from = strip_angle(tokens[i + 1].text);
    }
    if (tokens[i + 1].text.size() == 9 && util::iequals(tokens[i + 1].text, "encrypted") && !r.tls.stated()) {
      r.tls.cipher = t.text;
    }
  }
  for (const Token& t : tokens) {
    if (t.kind != Token::Kind::comment) continue;
    const CommentMarks marks = marks_of(t.text);
    if (r.auth.empty() && marks.auth) r.auth = auth_evidence(t.text);
    if (marks.tls) tls_changed = read_tls(t.text, r.tls, store) || tls_changed;
    const auto envelope = r.envelope_from.empty() && marks.envelope ? util::ifind(t.text, "envelope-") : std::string_view::npos;
    if (envelope == std::string_view::npos) continue;
    for (std::string_view key : {"envelope-from", "envelope-sender"}) {
      const auto at = util::ifind(t.text, key, envelope);
      if (at == std::string_view::npos || !r.envelope_from.empty()) continue;
      auto rest = util::trim(t.text.substr(at + key.size()));
      const auto stop = rest.find_first_of(" ,)");
      r.envelope_from = strip_angle(rest.substr(0, stop));
    }
  }
  return tls_changed;
}

}  // namespace maildiag::message::detail
