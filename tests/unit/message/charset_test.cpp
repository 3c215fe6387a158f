#include "maildiag/message/charset.hpp"
#include "maildiag/message/header_block.hpp"

#include "jsonl.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace maildiag::message;
using nlohmann::json;

namespace {

/// Decodes a field body the way `maildiag headers` does: unfold through the header parser first.
std::string decode_field(const std::string& raw_body) {
  const auto block = parse_headers("Subject:" + raw_body);
  if (block.headers.empty()) return {};
  return collapse_whitespace(decode_rfc2047(block.headers.front().value).text);
}

/// The corpus case run through maildiag's API in the way its suite meant it.
std::string run_case(const json& c) {
  const std::string fn = c.value("function", "");
  const std::string input = c.contains("input") ? c["input"].get<std::string>() : std::string{};
  const std::string charset = c.value("charset", "");
  if (fn == "decodeHex") return to_utf8(decode_quoted_printable(input), charset).text;
  if (fn == "decodeQuoted") return to_utf8(decode_quoted_printable(input, true), charset).text;
  if (fn == "decodeBase64") return decode_rfc2047("=?" + charset + "?B?" + input + "?=").text;
  if (fn == "decodeHexCodepage" || fn == "charset_decode") {
    return to_utf8(maildiag::test::from_hex(c["input_bytes_hex"].get<std::string>()), charset).text;
  }
  if (fn == "parse_unstructured" || fn == "decoded_header" || fn == "decoded_param") return decode_field(input);
  return decode_rfc2047(input).text;  // clean2047Encoding, decode_rfc2047
}

bool matches(const json& expected, const std::string& got) {
  if (expected.is_string()) return got == expected.get<std::string>();
  if (expected.contains("startswith")) return got.rfind(expected["startswith"].get<std::string>(), 0) == 0;
  if (expected.contains("contains")) return got.find(expected["contains"].get<std::string>()) != std::string::npos;
  return false;
}

/// Cases where maildiag deliberately reads the input differently from one suite. Keyed by input.
const std::map<std::string, std::string>& divergences() {
  static const std::map<std::string, std::string> d = {
      // stalwart inserts a space between plain text and a directly following encoded word; the
      // subject as sent has none, and MHA/Python keep the bytes as they are.
      {"[SUSPECTED SPAM]=?utf-8?B?VGhpcyBpcyB0aGUgb3JpZ2luYWwgc3ViamVjdA==?=\n", "stalwart adds a space"},
      {"[SUSPECTED SPAM]=?utf-8?B?VGhpcyBpcyB0aGUgb\n 3JpZ2luYWwgc3ViamVjdA==?=\n", "stalwart adds a space"},
      {"[SUSPECTED SPAM]=?utf-8?B?VGhpcyBpcyB0aGUgb\r\n 3JpZ2luYWwgc3ViamVjdA==?=\r\n", "stalwart adds a space"},
      // stalwart turns the empty word into a space; an empty word decodes to nothing.
      {"Some text =?utf-8?Q?" "?=here\n", "empty word is empty"},
      // A Q word folded in the middle: after RFC 5322 unfolding the fold leaves one literal space
      // inside the word. MHA keeps literal spaces inside Q words ("アメリカ    アメリカ"), so does
      // maildiag; stalwart drops them. Fed raw (not unfolded) maildiag drops the fold too.
      {"=?utf-8?Q?Hello\n _there!?=\n", "literal space inside a Q word kept"},
      {"=?utf-8?Q?Hello\r\n _there!?=\r\n", "literal space inside a Q word kept"},
      {"=?utf-8?Q?Hello\r\n   \t  _there!?=\r\n", "literal space inside a Q word kept"},
      // stalwart collapses folds but keeps two spaces inside a line ("...>;  21 Nov"); for display
      // maildiag collapses every whitespace run to one space.
      {" from x.y.test\n      by example.net\n      via TCP\n      with ESMTP\n      id ABC12345\n"
       "      for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\n",
       "display collapses every whitespace run"},
  };
  return d;
}

/// Charset-decoder vectors where glibc iconv and the suite disagree, with why.
const std::map<std::string, std::string>& charset_divergences() {
  static const std::map<std::string, std::string> d = {
      // ESC $ ) C designates KS C 5601 to G1 but no SO follows, so "abcd" is plain ASCII (glibc);
      // stalwart's decoder gives up with U+FFFD.
      {"1b24294361626364", "iso-2022-kr designation without shift is ASCII"},
      // glibc has no HZ decoder: maildiag reports the charset as unknown (ok=false) and keeps the
      // ASCII bytes "~{...~}" visible instead of a bare U+FFFD.
      {"7e7b2e2e2e7e7d", "hz-gb-2312 unsupported by glibc iconv"},
  };
  return d;
}

}  // namespace

TEST_CASE("rfc2047 corpus: public suites agree with maildiag", "[message][charset][corpus]") {
  const auto cases = maildiag::test::header_cases("rfc2047_cases.jsonl");
  if (cases.empty()) return;
  std::size_t agree = 0;
  std::size_t diverge = 0;
  for (const auto& c : cases) {
    const std::string got = run_case(c);
    const std::string key = c.contains("input") ? c["input"].get<std::string>() : c["input_bytes_hex"].get<std::string>();
    INFO(c.value("suite", "") << " " << c.value("function", "") << " input: " << key << "\n got: " << got);
    if (matches(c["expected"], got)) {
      ++agree;
      continue;
    }
    const bool known = divergences().count(key) != 0 || charset_divergences().count(key) != 0;
    CHECK(known);
    if (known) ++diverge;
  }
  WARN("rfc2047 corpus: " << agree << "/" << cases.size() << " agree, " << diverge
                          << " documented divergences");
  CHECK(agree + diverge == cases.size());
  CHECK(cases.size() >= 150);
}

TEST_CASE("rfc2047: the GBK seed and other CJK labels", "[message][charset]") {
  const auto d = decode_rfc2047("=?GBK?B?u7bTrcT6vNPI68340teyv8LkoaM=?=");
  CHECK(d.ok);
  CHECK(d.text == "欢迎您加入网易部落。");
  CHECK(decode_rfc2047("=?gb2312?B?086yyZjl?=").text == "游采樺");  // GBK-only char under a gb2312 label
  CHECK(decode_rfc2047("=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?=").text == "안녕하세요");
  CHECK(decode_rfc2047("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=").text == "テスト");
  CHECK(decode_rfc2047("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=").text == "Привет");
  CHECK(decode_rfc2047("=?iso-8859-2?Q?=B1?=").text == "ą");
}

TEST_CASE("rfc2047: adjacency, malformed words and undecodable text", "[message][charset]") {
  SECTION("whitespace between adjacent words goes, text between them stays") {
    CHECK(decode_rfc2047("=?utf-8?Q?a?= \t =?utf-8?Q?b?=").text == "ab");
    CHECK(decode_rfc2047("=?utf-8?Q?a?= x =?utf-8?Q?b?=").text == "a x b");
    CHECK(decode_rfc2047("x =?utf-8?Q?a?= y").text == "x a y");
  }
  SECTION("a multibyte character split across words of one charset") {
    CHECK(decode_rfc2047("=?utf-8?B?4pq=?= =?UTF-8?B?vQ==?=").text == "⚽");
  }
  SECTION("malformed words are left as they are") {
    CHECK(decode_rfc2047("=?utf-8?X?abc?=").text == "=?utf-8?X?abc?=");
    CHECK(decode_rfc2047("=?utf-8?B?!!!?=").text == "=?utf-8?B?!!!?=");
    CHECK(decode_rfc2047("=??Q?abc?=").text == "=??Q?abc?=");
    CHECK(decode_rfc2047("=?utf-8?Q?unterminated").text == "=?utf-8?Q?unterminated");
  }
  SECTION("unknown charsets and invalid bytes are reported, not fatal") {
    const auto unknown = decode_rfc2047("=?x-no-such-charset?Q?abc=FF?=");
    CHECK_FALSE(unknown.ok);
    CHECK(unknown.text == "abc\xEF\xBF\xBD");
    const auto bad = decode_rfc2047("=?utf-8?Q?=C3=28?=");
    CHECK_FALSE(bad.ok);
    CHECK(bad.text == "\xEF\xBF\xBD(");
    const auto hostile_name = to_utf8("abc", "../../etc/passwd");
    CHECK_FALSE(hostile_name.ok);
  }
  SECTION("raw 8-bit text uses the fallback charset when it is not UTF-8") {
    const std::string gb = "\xC4\xE3\xBA\xC3";  // 你好 in GB2312
    CHECK_FALSE(decode_rfc2047(gb).ok);
    const auto d = decode_rfc2047(gb, "gb2312");
    CHECK(d.ok);
    CHECK(d.text == "你好");
    CHECK(decode_rfc2047("café").text == "café");  // raw UTF-8 (RFC 6532) is kept
  }
  SECTION("many unterminated words cost linear time") {
    std::string hostile;
    for (int i = 0; i < 200000; ++i) hostile += "=?a?q?x ";
    const auto d = decode_rfc2047(hostile);
    CHECK(d.text == hostile);
  }
}

TEST_CASE("to_utf8: labels found in mail map to decoders that read them", "[message][charset]") {
  struct Case {
    std::string bytes;
    const char* charset;
    const char* expected;
    bool ok;
  };
  const Case cases[] = {
      {"caf\xE9", "iso-8859-1", "café", true},
      {"\x80", "ISO-8859-1", "€", true},  // read as windows-1252, as every mail client does
      {"\x93hi\x94", "us-ascii", "“hi”", true},
      {"caf\xC3\xA9", "unknown-8bit", "café", true},
      {"caf\xE9", "unknown-8bit", "café", false},
      {"\xB0\xA1", "euc-kr", "가", true},
      {"\xA4\xA4", "big5", "中", true},
      {"\x82\xA0", "shift_jis", "あ", true},
      {"plain", "utf-16", "", false},
      {"abc", "UTF-8*en", "abc", true},
      {"", "gbk", "", true},
  };
  for (const auto& c : cases) {
    INFO(c.charset << " " << c.expected);
    const auto d = to_utf8(c.bytes, c.charset);
    if (std::string_view(c.expected).empty() && !c.ok) {
      CHECK_FALSE(d.ok);
      continue;
    }
    CHECK(d.text == c.expected);
    CHECK(d.ok == c.ok);
  }
}

TEST_CASE("base64 and quoted-printable decoders", "[message][charset]") {
  CHECK(decode_base64("aGVs\r\n bG8=") == std::optional<std::string>("hello"));
  CHECK(decode_base64("aGVsbG8") == std::optional<std::string>("hello"));  // missing padding
  CHECK(decode_base64("") == std::optional<std::string>(""));
  CHECK_FALSE(decode_base64("aGVsbG8=x"));
  CHECK_FALSE(decode_base64("a"));
  CHECK_FALSE(decode_base64("RU5E="));
  CHECK_FALSE(decode_base64("a$b="));
  CHECK(decode_quoted_printable("a=3Db=\r\nc") == "a=bc");
  CHECK(decode_quoted_printable("a=  \nb") == "ab");
  CHECK(decode_quoted_printable("100%=ZZ") == "100%=ZZ");
  CHECK(decode_quoted_printable("a_b", true) == "a b");
  CHECK(decode_quoted_printable("a_b") == "a_b");
  CHECK(decode_quoted_printable("=e9") == "\xE9");
}
