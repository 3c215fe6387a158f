#include "maildiag/util/text.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace maildiag::util {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

/// Code points a terminal must not receive from untrusted text: C1 controls (U+0080..U+009F,
/// U+009B is a one-byte CSI on some terminals) and the bidirectional marks, embeddings,
/// overrides and isolates that reorder what is shown (the "Trojan Source" class).
bool terminal_unsafe(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool ascii_unsafe(unsigned char b) { return (b < 0x20 && b != '\t') || b == 0x7F; }

/// Appends s[0, limit) with every unsafe byte or sequence replaced by '?'.
void append_safe(std::string& out, std::string_view s, std::size_t limit) {
  std::size_t i = 0;
  while (i < limit) {
    std::size_t run = i;  // safe ASCII is copied a run at a time
    while (run < limit && static_cast<unsigned char>(s[run]) < 0x80 && !ascii_unsafe(static_cast<unsigned char>(s[run])))
      ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == limit) break;
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out.push_back('?');
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, &cp);
    if (n != 0 && i + n <= limit && !terminal_unsafe(cp)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.push_back('?');
      i += n == 0 || i + n > limit ? 1 : n;
    }
  }
}
}  // namespace

std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* cp_out) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    if (cp_out != nullptr) *cp_out = b;
    return 1;
  }
  std::size_t n = 0;
  unsigned min = 0;
  if (b >= 0xC2 && b <= 0xDF) { n = 2; min = 0x80; }
  else if (b >= 0xE0 && b <= 0xEF) { n = 3; min = 0x800; }
  else if (b >= 0xF0 && b <= 0xF4) { n = 4; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  unsigned cp = b & (0xFFu >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp_out != nullptr) *cp_out = static_cast<char32_t>(cp);
  return n;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::optional<CommandWords> split_command_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  line = trim(line);
  if (line.empty()) return std::nullopt;
  const auto sp = line.find(' ');
  return CommandWords{to_upper(line.substr(0, sp)), sp == std::string_view::npos ? std::string_view{} : trim(line.substr(sp + 1))};
}

/// Bytes that differ only in bit 0x20 are compared further only then (most mismatches are
/// decided by the plain comparison).
bool detail::iequals_n(const char* a, const char* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i] && ((a[i] ^ b[i]) != 0x20 || lower(a[i]) != lower(b[i]))) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from) {
  if (needle.empty()) return from <= haystack.size() ? from : std::string_view::npos;
  if (needle.size() > haystack.size() || from > haystack.size() - needle.size()) return std::string_view::npos;
  // Candidates are found with memchr for both cases of the first byte (the classifier and the
  // bounce parser spend most of their time here); each is then compared case-insensitively.
  const char lo = lower(needle[0]);
  const char up = (lo >= 'a' && lo <= 'z') ? static_cast<char>(lo - 'a' + 'A') : lo;
  const std::size_t last = haystack.size() - needle.size();  // last valid start
  const std::string_view rest = needle.substr(1);
  if (last - from < 64) {  // short text (Received comments, clause texts): a plain loop beats memchr calls
    // lower(c) == lo is (c | 0x20) == lo when lo is a letter (only its two cases map there), c == lo otherwise.
    const char fold = lo == up ? '\0' : '\x20';
    const char* h = haystack.data();
    std::size_t i = from;
    if constexpr (std::endian::native == std::endian::little) {  // eight candidates per step
      constexpr std::uint64_t kOnes = 0x0101010101010101u;
      constexpr std::uint64_t kHighs = 0x8080808080808080u;
      const std::uint64_t fold8 = kOnes * static_cast<unsigned char>(fold);
      const std::uint64_t lo8 = kOnes * static_cast<unsigned char>(lo);
      for (; i + 8 <= last + 1; i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, h + i, 8);
        const std::uint64_t x = (w | fold8) ^ lo8;  // zero bytes: first-byte matches
        // Nonzero when a byte of x is zero; bytes above a zero one may be flagged falsely, so
        // each flagged candidate is checked in full.
        for (std::uint64_t z = (x - kOnes) & ~x & kHighs; z != 0; z &= z - 1) {
          const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(z) / 8);
          if (static_cast<char>(h[at] | fold) == lo && detail::iequals_n(h + at + 1, rest.data(), rest.size())) return at;
        }
      }
    }
    for (; i <= last; ++i) {
      if (static_cast<char>(h[i] | fold) == lo && detail::iequals_n(h + i + 1, rest.data(), rest.size())) return i;
    }
    return std::string_view::npos;
  }
  const char* base = haystack.data();
  auto next = [&](char c, std::size_t at) -> std::size_t {
    if (at > last) return std::string_view::npos;
    const void* p = std::memchr(base + at, c, last - at + 1);
    return p == nullptr ? std::string_view::npos : static_cast<std::size_t>(static_cast<const char*>(p) - base);
  };
  std::size_t next_lo = next(lo, from);
  std::size_t next_up = lo == up ? std::string_view::npos : next(up, from);
  while (next_lo != std::string_view::npos || next_up != std::string_view::npos) {
    const std::size_t i = std::min(next_lo, next_up);
    if (iequals(haystack.substr(i + 1, rest.size()), rest)) return i;
    if (i == next_lo) next_lo = next(lo, i + 1);
    else next_up = next(up, i + 1);
  }
  return std::string_view::npos;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return ifind(haystack, needle) != std::string_view::npos;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      out.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

std::optional<unsigned long long> parse_uint(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  unsigned long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned long long>(c - '0');
  }
  return v;
}

std::string sanitize(std::string_view s, std::size_t max_len) {
  std::string out;
  const std::size_t limit = std::min(s.size(), max_len);
  out.reserve(limit);
  append_safe(out, s, limit);
  if (s.size() > limit) out += "…[+" + std::to_string(s.size() - limit) + " bytes]";
  return out;
}

std::string_view sanitize_view(std::string_view s, std::size_t max_len, std::string& storage) {
  if (s.size() <= max_len && is_clean_text(s)) return s;
  storage = sanitize(s, max_len);
  return storage;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string byte_size(std::size_t bytes) {
  if (bytes != 0 && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes != 0 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string terminal_safe(std::string_view s) {
  if (is_clean_text(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  append_safe(out, s, s.size());
  return out;
}

bool is_clean_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (ascii_unsafe(b)) return false;
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, &cp);
    if (n == 0 || terminal_unsafe(cp)) return false;
    i += n;
  }
  return true;
}

}  // namespace maildiag::util
