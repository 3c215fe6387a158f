#pragma once
/// Charset conversion and the MIME transfer decodings headers need. Mail in the wild labels its
/// bytes with charsets that are wrong, aliased (gb2312 carrying GBK, ks_c_5601-1987) or unknown;
/// conversion goes through libc iconv, is bounded, and reports failure instead of throwing.

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::message {

/// ok=false: the charset is unknown or the bytes are invalid in it; `text` then holds a
/// best-effort UTF-8 rendering with U+FFFD for what could not be converted.
struct Decoded {
  std::string text;
  bool ok = true;
};

/// Converts `bytes` labelled `charset` to UTF-8 with iconv. Aliases real mail uses are mapped to
/// their supersets (gb2312/gbk -> GB18030, ks_c_5601-1987 -> CP949, us-ascii/unknown-8bit...).
Decoded to_utf8(std::string_view bytes, std::string_view charset);

/// Decodes RFC 2047 encoded words (B and Q), dropping whitespace between adjacent encoded words;
/// malformed words are left as they are; mixed charsets are fine.
Decoded decode_rfc2047(std::string_view header_value);
/// As above; raw 8-bit text outside encoded words that is not UTF-8 is read as `raw_charset`
/// (e.g. the Content-Type charset, the only hint old mailers leave for raw GB2312 headers).
Decoded decode_rfc2047(std::string_view header_value, std::string_view raw_charset);

/// Base64 tolerant of whitespace and line breaks; nullopt when the input is not base64.
std::optional<std::string> decode_base64(std::string_view in);

/// Quoted-printable; with header_q the RFC 2047 "Q" variant ('_' is a space).
std::string decode_quoted_printable(std::string_view in, bool header_q = false);

}  // namespace maildiag::message
