#pragma once
/// Small, allocation-light string helpers shared by every parser. Pure; no locale.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::util {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);  ///< ASCII letters only, as to_lower

/// A command line as a user types it (pop3-test and imap-test --interactive): line ends dropped
/// and trimmed; the first word upper-cased (ASCII) as `verb`, the trimmed rest as `rest`.
struct CommandWords {
  std::string verb;
  std::string_view rest;
};
/// nullopt for a blank line.
std::optional<CommandWords> split_command_line(std::string_view line);
namespace detail {
/// a[0, n) equals b[0, n) ignoring ASCII case.
bool iequals_n(const char* a, const char* b, std::size_t n);
}  // namespace detail
/// Inline, so that the common mismatch -- texts of different lengths -- costs no call.
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && detail::iequals_n(a.data(), b.data(), a.size());
}
bool istarts_with(std::string_view s, std::string_view prefix);
/// Case-insensitive substring search; returns npos when absent.
std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from = 0);
bool icontains(std::string_view haystack, std::string_view needle);
std::vector<std::string_view> split(std::string_view s, char sep);
/// Splits into lines on LF, CRLF or lone CR; the terminators are dropped.
std::vector<std::string_view> split_lines(std::string_view s);
/// Parses an unsigned decimal that must fill the whole view.
std::optional<unsigned long long> parse_uint(std::string_view s);
/// Makes untrusted bytes safe for a terminal: control bytes (C0 but tab, DEL, C1), bidirectional
/// controls (U+061C, U+200E/F, U+202A..E, U+2066..9) and invalid UTF-8 become '?', and the result
/// is cut to max_len bytes with a visible "…[+N bytes]" marker.
std::string sanitize(std::string_view s, std::size_t max_len = 4096);
/// sanitize(s, max_len) without a copy where that would be s itself (clean text within the
/// limit, the usual case): a view of s then, else of `storage`, which then holds the result.
std::string_view sanitize_view(std::string_view s, std::size_t max_len, std::string& storage);
/// True when every byte is below 0x80.
bool is_ascii(std::string_view s);
/// A limit as the docs write it: "64 MiB", "512 KiB", "100 bytes".
std::string byte_size(std::size_t bytes);
/// sanitize() without the length cut: what the text renderer applies to every string it prints.
std::string terminal_safe(std::string_view s);
/// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, surrogates or
/// code points past U+10FFFF; ASCII is 1), its code point in *cp when given; 0 when ill-formed.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* cp = nullptr);
/// Appends cp (at most U+10FFFF) encoded as UTF-8.
void append_utf8(std::string& out, char32_t cp);

/// True when every byte is printable ASCII or valid UTF-8 with none of the controls above
/// (no control bytes except tab).
bool is_clean_text(std::string_view s);

}  // namespace maildiag::util
