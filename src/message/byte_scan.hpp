#pragma once
// Private to the message parsers: finding the first of a few bytes in short text -- a header
// line, a field name, a word of a Received value. These texts are some 10 to 80 bytes, so a libc
// memchr call per text costs more in call and setup than in scanning, and a byte loop costs a
// few instructions a byte; these scans are inline and look at 16 bytes at a time (SSE2, which
// every x86-64 has; a plain loop elsewhere). One scan also finds the first of several bytes
// (CR or LF) where two memchr calls were needed.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace maildiag::message::detail {

/// The first byte in [p, end) equal to one of Bytes, or end.
template <char... Bytes>
inline const char* find_first_of(const char* p, const char* const end) {
#if defined(__SSE2__)
  for (; end - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_setzero_si128();
    ((hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8(Bytes)))), ...);
    const auto hits = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (hits != 0) return p + std::countr_zero(hits);
  }
#endif
  for (; p != end; ++p) {
    if (((*p == Bytes) || ...)) return p;
  }
  return end;
}

/// The offset of the first byte of s at or after `from` equal to one of Bytes, or s.size() (also
/// when `from` is past the end).
template <char... Bytes>
inline std::size_t find_first_of(std::string_view s, std::size_t from) {
  if (from >= s.size()) return s.size();
  const char* const b = s.data();
  return static_cast<std::size_t>(find_first_of<Bytes...>(b + from, b + s.size()) - b);
}

/// The first CR or LF in [p, end), or end: where a line ends.
inline const char* find_line_break(const char* p, const char* const end) { return find_first_of<'\r', '\n'>(p, end); }

/// The first LF in [p, end), or end.
inline const char* find_lf(const char* p, const char* const end) { return find_first_of<'\n'>(p, end); }

/// The first LF in [p, end) followed by one of Next, or end (also for an LF that is the last byte).
/// One branch per 16 bytes, not one per line: where a header section ends ("\n\n", "\n\r\n",
/// "\nFrom ") is a candidate for it, and nearly no other line break is.
template <char... Next>
inline const char* find_lf_before(const char* p, const char* const end) {
#if defined(__SSE2__)
  for (; end - p >= 17; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    __m128i next = _mm_setzero_si128();
    ((next = _mm_or_si128(next, _mm_cmpeq_epi8(y, _mm_set1_epi8(Next)))), ...);
    const __m128i hit = _mm_and_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')), next);
    const auto hits = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (hits != 0) return p + std::countr_zero(hits);
  }
#endif
  for (; end - p >= 2; ++p) {
    if (*p == '\n' && ((p[1] == Next) || ...)) return p;
  }
  return end;
}

/// A keyword or field name of lower-case ASCII letters only, checked when it is compiled: is_word
/// relies on it.
template <std::size_t N>
struct LowerWord {
  char text[N]{};
  consteval LowerWord(const char (&s)[N]) {  // NOLINT: implicit from a string literal by design
    for (std::size_t i = 0; i + 1 < N; ++i) {
      if (s[i] < 'a' || s[i] > 'z') throw "is_word: a keyword of lower-case ASCII letters only";
      text[i] = s[i];
    }
  }
};

/// True when s is the keyword `Lower` in any case: setting the case bit of a byte gives a letter
/// only when the byte is that letter in one of its two cases, so (byte | 0x20) is compared and
/// nothing else. Used as is_word<"received">(name).
template <LowerWord Lower>
inline bool is_word(std::string_view s) {
  constexpr std::size_t n = sizeof(Lower.text) - 1;
  if (s.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if ((s[i] | 0x20) != Lower.text[i]) return false;
  }
  return true;
}

/// The first byte in [p, end) that is not RFC 5322 ftext (printable ASCII but the colon): where a
/// field name ends.
inline const char* find_name_end(const char* p, const char* const end) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ' + 1);
  const __m128i colon = _mm_set1_epi8(':');
  const __m128i del = _mm_set1_epi8(127);
  for (; end - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed bytes: "less than '!'" also holds for the bytes 128..255.
    const __m128i stop = _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_or_si128(_mm_cmpeq_epi8(x, colon), _mm_cmpeq_epi8(x, del)));
    const auto hits = static_cast<unsigned>(_mm_movemask_epi8(stop));
    if (hits != 0) return p + std::countr_zero(hits);
  }
#endif
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 33 || c > 126 || c == ':') return p;
  }
  return end;
}

/// True when s is what its whitespace collapsed would be (trimmed, each run of whitespace one
/// space): no leading, trailing or doubled space, and no tab, CR or LF. Most Received clause texts
/// already are, and need no copy.
inline bool collapsed(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() == ' ' || s.back() == ' ') return false;  // so a space is never the last byte
  const char* p = s.data();
  const char* const e = p + s.size();
#if defined(__SSE2__)
  // 16 bytes at a time, each compared with the byte after it for a double space: clause texts
  // are some 80 bytes with a space every few, too many for the 8-byte test below to skip.
  const __m128i space = _mm_set1_epi8(' ');
  for (; e - p > 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    const __m128i breaks = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')),
                                        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))));
    const __m128i doubled = _mm_and_si128(_mm_cmpeq_epi8(x, space), _mm_cmpeq_epi8(next, space));
    if (_mm_movemask_epi8(_mm_or_si128(breaks, doubled)) != 0) return false;
  }
#endif
  while (p != e) {
    const char* stop = e - p > 8 ? p + 8 : e;
    if (stop == p + 8) {
      std::uint64_t x = 0;
      std::memcpy(&x, p, 8);
      constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
      if ((((x - kOnes * 0x21) & ~x) & (kOnes * 0x80)) == 0) {  // no byte <= ' ' among these 8
        p = stop;
        continue;
      }
    }
    for (; p != stop; ++p) {
      const char c = *p;
      if (static_cast<unsigned char>(c) > ' ') continue;
      if (c == '\t' || c == '\r' || c == '\n' || (c == ' ' && p[1] == ' ')) return false;
    }
  }
  return true;
}

}  // namespace maildiag::message::detail
