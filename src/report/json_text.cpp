#include "maildiag/report/json_text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace maildiag::report::json_text {

namespace {

using Json = nlohmann::json;

void append_dumped(std::string& out, const Json& v) {
  out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// 0: copy; 1: escape; 2: byte >= 0x80 (checked as UTF-8).
constexpr std::array<std::uint8_t, 256> kClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = 2;
  return t;
}();

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    default: break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
  out.append(u, sizeof u);
}

// The first index from i on whose byte is not plain printable ASCII (a control, '"', '\\' or a
// byte >= 0x80), skipping eight bytes per step while there is none.
std::size_t plain_prefix(std::string_view s, std::size_t i) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t w) { return (w - kOnes) & ~w & kHigh; };
  while (i + 8 <= s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t special = (w & kHigh) | ((w - kOnes * 0x20) & ~w & kHigh) | has_zero(w ^ (kOnes * '"')) |
                                  has_zero(w ^ (kOnes * '\\'));
    if (special != 0) break;
    i += 8;
  }
  while (i < s.size() && kClass[static_cast<unsigned char>(s[i])] == 0) ++i;
  return i;
}

bool continuation(std::string_view s, std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
  if (i >= s.size()) return false;
  const auto c = static_cast<unsigned char>(s[i]);
  return c >= lo && c <= hi;
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF -- what nlohmann's decoder accepts), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0xC2 && c <= 0xDF) return continuation(s, i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    return continuation(s, i + 1, lo, hi) && continuation(s, i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    return continuation(s, i + 1, lo, hi) && continuation(s, i + 2) && continuation(s, i + 3) ? 4 : 0;
  }
  return 0;
}

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  const std::size_t mark = out.size();
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    i = plain_prefix(s, i);  // eight bytes at a time over plain ASCII
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    const auto k = kClass[c];
    if (k == 0) continue;
    if (k == 2) {  // copied as it is when well-formed UTF-8; else nlohmann replaces, for the whole string
      const std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out.resize(mark);
        append_dumped(out, Json(s));
        return;
      }
      i += n - 1;
      continue;
    }
    out.append(s.data() + run, i - run);
    append_escape(out, c);
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_number(std::string& out, double v) {
  // What nlohmann's serializer does for an IEEE double (dump_float): "null" when not finite, else
  // its Grisu2 to_chars -- called directly, without a serializer and a string per number. It is in
  // nlohmann's detail namespace: the unit test compares the two on a million values, so a version
  // that changes it is noticed.
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  const char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

void append_integer(std::string& out, std::int64_t v) { append_int(out, v); }

void append_key(std::string& out, std::string_view key) {
  append_string(out, key);
  out += ':';
}

void append(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += v.get_ref<const Json::boolean_t&>() ? "true" : "false"; return;
    case Json::value_t::number_integer: append_int(out, v.get_ref<const Json::number_integer_t&>()); return;
    case Json::value_t::number_unsigned: append_int(out, v.get_ref<const Json::number_unsigned_t&>()); return;
    case Json::value_t::string: append_string(out, v.get_ref<const Json::string_t&>()); return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append(out, e);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, e] : v.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_key(out, key);
        append(out, e);
      }
      out += '}';
      return;
    }
    case Json::value_t::number_float: append_number(out, v.get_ref<const Json::number_float_t&>()); return;
    case Json::value_t::binary:
    case Json::value_t::discarded: append_dumped(out, v); return;
  }
  append_dumped(out, v);
}

}  // namespace maildiag::report::json_text
