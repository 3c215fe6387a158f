// Fuzz target: RFC 2047 encoded words and the charset layer under them — decode_rfc2047 (with
// and without a raw-8-bit charset hint), to_utf8 with a fuzz-chosen charset label (real labels,
// aliases and junk, through libc iconv), base64 and quoted-printable decoding.
// Invariants: no exception escapes; every result is valid UTF-8; growth is bounded (the worst
// case is one U+FFFD, 3 bytes, per input byte, and a few bytes per code point from iconv).

#include "fuzz_support.hpp"

#include "maildiag/message/charset.hpp"

#include <array>
#include <string>
#include <string_view>

namespace {

using namespace maildiag;

constexpr std::array<std::string_view, 24> kCharsets = {
    "utf-8", "us-ascii", "iso-8859-1", "windows-1252", "gb2312", "gbk", "gb18030", "big5",
    "shift_jis", "iso-2022-jp", "euc-jp", "euc-kr", "ks_c_5601-1987", "koi8-r", "utf-16",
    "utf-16le", "utf-7", "unknown-8bit", "x-unknown", "", "UTF8", "cp1251", "iso-8859-8-i",
    "x-mac-roman"};

std::string_view pick_charset(fuzz::Input& in) {
  const std::uint8_t b = in.byte();
  if (b < 0xE0) return kCharsets[b % kCharsets.size()];
  return in.take(b - 0xE0u);  // a name from the input itself: up to 31 bytes, any content
}

void check_decoded(const message::Decoded& d, std::size_t input_size) {
  FUZZ_CHECK(fuzz::valid_utf8(d.text));
  FUZZ_CHECK(d.text.size() <= 4 * input_size + 16);
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  const auto charset = pick_charset(in);
  const std::string_view text = in.rest();

  check_decoded(message::decode_rfc2047(text), text.size());
  check_decoded(message::decode_rfc2047(text, charset), text.size());
  check_decoded(message::to_utf8(text, charset), text.size());

  if (auto b = message::decode_base64(text)) FUZZ_CHECK(b->size() <= text.size() * 3 / 4 + 3);
  FUZZ_CHECK(message::decode_quoted_printable(text).size() <= text.size());
  FUZZ_CHECK(message::decode_quoted_printable(text, true).size() <= text.size());
  return 0;
}
