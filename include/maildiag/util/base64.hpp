#pragma once
/// Base64 encoding (RFC 4648) for SASL (AUTH PLAIN/LOGIN, XOAUTH2) and redaction.
/// Decoding of untrusted text lives in message/charset.hpp (decode_base64), which is tolerant.

#include <string>
#include <string_view>

namespace maildiag::util {

std::string base64_encode(std::string_view in);

}  // namespace maildiag::util
