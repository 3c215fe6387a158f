#pragma once
// The JSON text of a value, byte for byte what nlohmann's dump(-1, ' ', false, replace) writes,
// appended to a string. Sorted keys (nlohmann::json objects are std::maps), no spaces, UTF-8
// kept, control characters escaped, invalid UTF-8 replaced by U+FFFD.
//
// Why not dump(): it decodes every byte of every string as UTF-8 and writes through an output
// adapter; for `mx -` over many domains that was a third of the run. Here strings of well-formed
// UTF-8 and numbers are written directly (floating-point ones with nlohmann's own Grisu2
// to_chars); a string with a malformed byte is handed to nlohmann's serializer, whose
// replacement rules (which bytes one U+FFFD stands for) it keeps.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

namespace maildiag::report::json_text {

void append(std::string& out, const nlohmann::json& v);
void append_string(std::string& out, std::string_view s);
void append_number(std::string& out, double v);
/// `"key":` (the separator before the next key is the caller's)
void append_key(std::string& out, std::string_view key);
void append_integer(std::string& out, std::int64_t v);

/// Writes one object's members straight into `out`: `{` now, `}` when it goes out of scope.
/// The keys must come in sorted byte order -- the order of nlohmann's std::map objects, so the
/// text is what dump() of the same tree gives; that is the caller's duty (a writer's unit test
/// can check it by parsing and dumping the text again).
class Object {
 public:
  explicit Object(std::string& out) : out_(out) { out_ += '{'; }
  ~Object() { out_ += '}'; }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  /// `,"key":` (no comma before the first); the value is the caller's to append to the string
  /// returned. `k` is a name of the writer's own (printable ASCII, no '"' or '\\'): written as it
  /// is, without append_string's checks (a third of a writer's time went to them).
  std::string& key(std::string_view k) {
    assert(std::none_of(k.begin(), k.end(), [](char c) { return c < 0x20 || c == '"' || c == '\\' || c > 0x7e; }));
    const char quote_comma[] = {',', '"'};
    const bool first = members_++ == 0;
    out_.append(quote_comma + (first ? 1 : 0), first ? 1 : 2);
    out_.append(k);
    out_.append("\":", 2);
    return out_;
  }
  void string(std::string_view k, std::string_view v) { append_string(key(k), v); }
  void integer(std::string_view k, std::int64_t v) { append_integer(key(k), v); }
  void number(std::string_view k, double v) { append_number(key(k), v); }
  void boolean(std::string_view k, bool v) { key(k) += v ? "true" : "false"; }
  void null(std::string_view k) { key(k) += "null"; }

 private:
  std::string& out_;
  std::size_t members_ = 0;
};

/// Writes one array: `[` now, `]` when it goes out of scope; item() before each element.
class Array {
 public:
  explicit Array(std::string& out) : out_(out) { out_ += '['; }
  ~Array() { out_ += ']'; }
  Array(const Array&) = delete;
  Array& operator=(const Array&) = delete;

  std::string& item() {
    if (items_++ > 0) out_ += ',';
    return out_;
  }

 private:
  std::string& out_;
  std::size_t items_ = 0;
};

}  // namespace maildiag::report::json_text
