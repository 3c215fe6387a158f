// Charset conversion to UTF-8: UTF-8 and windows-1252/Latin-1 by hand (they are most mail and
// must be fast), everything else through libc iconv with a small per-thread descriptor cache.

#include "maildiag/message/charset.hpp"

#include "maildiag/util/text.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace maildiag::message {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::size_t kMaxCharsetName = 64;

/// Copies valid UTF-8, replacing each invalid byte with U+FFFD.
Decoded from_utf8(std::string_view in) {
  Decoded d;
  d.text.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t run = i;  // fast path over ASCII
    while (run < in.size() && static_cast<unsigned char>(in[run]) < 0x80) ++run;
    d.text.append(in.substr(i, run - i));
    i = run;
    if (i >= in.size()) break;
    const std::size_t n = util::utf8_sequence(in, i);
    if (n == 0) {
      d.text.append(kReplacement);
      d.ok = false;
      ++i;
    } else {
      d.text.append(in.substr(i, n));
      i += n;
    }
  }
  return d;
}

bool is_valid_utf8(std::string_view in) {
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t n = util::utf8_sequence(in, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 control (as WHATWG does).
constexpr std::array<unsigned short, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

Decoded from_cp1252(std::string_view in) {
  Decoded d;
  d.text.reserve(in.size() + in.size() / 2);
  for (char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) d.text.push_back(ch);
    else if (b < 0xA0) util::append_utf8(d.text, kCp1252High[b - 0x80]);
    else util::append_utf8(d.text, b);
  }
  return d;
}

enum class Family { utf8, cp1252, unknown8bit, iconv };

struct Mapped {
  Family family = Family::iconv;
  std::string iconv_name;  ///< for Family::iconv
};

bool name_is(std::string_view name, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (name == o) return true;
  }
  return false;
}

/// Maps a label as found in mail to what decodes it best: aliases real mailers emit are widened
/// to the superset the sender actually used (GB2312 labels carry GBK, EUC-KR carries CP949...).
Mapped map_charset(std::string_view label) {
  std::string name = util::to_lower(util::trim(label));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  if (const auto star = name.find('*'); star != std::string::npos) name.resize(star);  // RFC 2231 language
  if (name_is(name, {"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "utf-8-sig"})) return {Family::utf8, {}};
  if (name_is(name, {"us-ascii", "ascii", "ansi_x3.4-1968", "iso-8859-1", "iso8859-1", "iso_8859-1",
                     "iso_8859-1:1987", "latin1", "latin-1", "l1", "cp819", "ibm819", "windows-1252",
                     "cp1252", "x-cp1252", "iso-ir-100", "csisolatin1"})) {
    return {Family::cp1252, {}};
  }
  if (name.empty() || name_is(name, {"unknown-8bit", "unknown", "x-unknown", "8bit", "x-user-defined",
                                     "default", "charset", "none"})) {
    return {Family::unknown8bit, {}};
  }
  if (name_is(name, {"gb2312", "gbk", "cp936", "x-gbk", "euc-cn", "x-euc-cn", "gb_2312-80", "csgb2312",
                     "chinese", "ms936", "windows-936", "gb18030", "gb2312-80"})) {
    return {Family::iconv, "GB18030"};
  }
  if (name_is(name, {"big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "big5-hkscs", "x-big5", "cp950"})) {
    return {Family::iconv, "BIG5-HKSCS"};
  }
  if (name_is(name, {"ks_c_5601-1987", "ks_c_5601-1989", "ks_c_5601", "ksc5601", "ksc_5601", "euc-kr",
                     "korean", "csksc56011987", "windows-949", "cp949", "x-windows-949", "cseuckr"})) {
    return {Family::iconv, "CP949"};
  }
  if (name_is(name, {"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j",
                     "cp932", "ms932", "x-ms-cp932"})) {
    return {Family::iconv, "CP932"};
  }
  if (name_is(name, {"euc-jp", "x-euc-jp", "cseucpkdfmtjapanese"})) return {Family::iconv, "EUC-JP-MS"};
  if (name_is(name, {"iso-2022-jp", "csiso2022jp", "iso-2022-jp-1"})) return {Family::iconv, "ISO-2022-JP-3"};
  if (name_is(name, {"iso-8859-8-i", "iso-8859-8-e"})) return {Family::iconv, "ISO-8859-8"};
  if (name_is(name, {"iso-8859-6-i", "iso-8859-6-e"})) return {Family::iconv, "ISO-8859-6"};
  if (name_is(name, {"tis-620", "windows-874", "iso-8859-11"})) return {Family::iconv, "CP874"};
  if (name.size() > kMaxCharsetName) return {Family::iconv, {}};
  for (char c : name) {  // iconv gives '/' and ',' meaning; anything exotic is simply unknown
    const bool okc = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                     c == ':';
    if (!okc) return {Family::iconv, {}};
  }
  return {Family::iconv, name};
}

/// Per-thread cache of iconv descriptors: iconv_open costs microseconds (it consults the gconv
/// configuration), far more than converting a Subject. A failed open is cached too.
class IconvCache {
 public:
  IconvCache() = default;
  IconvCache(const IconvCache&) = delete;
  IconvCache& operator=(const IconvCache&) = delete;
  ~IconvCache() {
    for (auto& e : entries_) close(e.second);
  }

  iconv_t get(const std::string& name) {
    for (auto& e : entries_) {
      if (e.first == name) {
        if (valid(e.second)) iconv(e.second, nullptr, nullptr, nullptr, nullptr);  // reset shift state
        return e.second;
      }
    }
    if (entries_.size() >= kMaxEntries) {
      close(entries_.front().second);
      entries_.erase(entries_.begin());
    }
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    entries_.emplace_back(name, cd);
    return cd;
  }

  static bool valid(iconv_t cd) { return cd != reinterpret_cast<iconv_t>(-1); }  // NOLINT: iconv's API

 private:
  static void close(iconv_t cd) {
    if (valid(cd)) iconv_close(cd);
  }
  static constexpr std::size_t kMaxEntries = 24;
  std::vector<std::pair<std::string, iconv_t>> entries_;
};

IconvCache& iconv_cache() {
  thread_local IconvCache cache;
  return cache;
}

/// Converts with iconv; each byte iconv rejects becomes U+FFFD and the conversion goes on.
Decoded convert(iconv_t cd, std::string_view in) {
  Decoded d;
  d.text.reserve(in.size() * 2);
  std::array<char, 4096> buf{};
  char* src = const_cast<char*>(in.data());  // iconv's signature; it does not write the input
  std::size_t src_left = in.size();
  while (src_left > 0) {
    char* dst = buf.data();
    std::size_t dst_left = buf.size();
    const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    const int err = errno;
    d.text.append(buf.data(), buf.size() - dst_left);
    if (rc != static_cast<std::size_t>(-1) || err == E2BIG) continue;
    d.ok = false;
    d.text.append(kReplacement);
    if (err != EILSEQ) break;  // EINVAL: an incomplete sequence at the end
    ++src;
    --src_left;
  }
  char* dst = buf.data();
  std::size_t dst_left = buf.size();
  iconv(cd, nullptr, nullptr, &dst, &dst_left);  // stateful charsets: return to the initial state
  d.text.append(buf.data(), buf.size() - dst_left);
  return d;
}

/// True for charsets where ASCII bytes mean ASCII and never start a shift sequence, so pure
/// ASCII input needs no conversion.
bool ascii_compatible(std::string_view iconv_name) {
  static constexpr std::array<std::string_view, 7> kExact = {"GB18030", "BIG5-HKSCS", "CP949", "CP932",
                                                              "EUC-JP-MS", "CP874", "ISO-8859-8"};
  for (auto e : kExact) {
    if (iconv_name == e) return true;
  }
  for (std::string_view prefix : {"iso-8859-", "windows-125", "cp125", "koi8-"}) {
    if (iconv_name.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

/// A best-effort rendering when the charset is unknown: valid UTF-8 is kept, other bytes -> U+FFFD.
Decoded unknown_charset(std::string_view bytes) {
  Decoded d = from_utf8(bytes);
  d.ok = false;
  return d;
}

}  // namespace

Decoded to_utf8(std::string_view bytes, std::string_view charset) {
  const Mapped m = map_charset(charset);
  switch (m.family) {
    case Family::utf8:
      return from_utf8(bytes);
    case Family::cp1252:
      return from_cp1252(bytes);
    case Family::unknown8bit: {
      if (is_valid_utf8(bytes)) return Decoded{std::string(bytes), true};
      Decoded d = from_cp1252(bytes);  // the most common legacy charset; a guess, so not ok
      d.ok = false;
      return d;
    }
    case Family::iconv:
      break;
  }
  if (m.iconv_name.empty()) return unknown_charset(bytes);
  if (ascii_compatible(m.iconv_name)) {
    bool ascii = true;
    for (char c : bytes) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) return Decoded{std::string(bytes), true};
  }
  iconv_t cd = iconv_cache().get(m.iconv_name);
  if (!IconvCache::valid(cd)) return unknown_charset(bytes);
  return convert(cd, bytes);
}

}  // namespace maildiag::message
