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

#include <string>
#include <string_view>

namespace maildiag::report::json_text {

void append(std::string& out, const nlohmann::json& v);
void append_string(std::string& out, std::string_view s);
void append_number(std::string& out, double v);
/// `"key":` (the separator before the next key is the caller's)
void append_key(std::string& out, std::string_view key);

}  // namespace maildiag::report::json_text
