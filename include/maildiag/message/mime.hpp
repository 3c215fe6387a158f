#pragma once
/// MIME structure (RFC 2045/2046): Content-Type parsing, the tree of parts of a message and the
/// transfer decodings of their bodies. Built for mail as it arrives from the wild — bounces
/// above all: boundaries that never close, multiparts without a boundary parameter, base64 with
/// garbage, CRLF, LF or CR-only line endings. Every size is bounded; nothing throws.

#include "maildiag/message/charset.hpp"
#include "maildiag/message/header_block.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maildiag::message {

/// A parsed Content-Type value. type and subtype are lower-case; parameter names too (values
/// keep their case, quotes removed). A missing or broken value reads as text/plain.
struct ContentType {
    std::string type = "text";
    std::string subtype = "plain";
    std::vector<std::pair<std::string, std::string>> params;

    /// Value of a parameter (name case-insensitive), or "".
    [[nodiscard]] std::string_view param(std::string_view name) const;
    /// "type/subtype".
    [[nodiscard]] std::string mime_type() const { return type + "/" + subtype; }
    /// True when the media type is `t` ("message/delivery-status"); "multipart/*" matches any subtype.
    [[nodiscard]] bool is(std::string_view t) const;
};

/// Parses a Content-Type header value: `type/subtype; name=value; name="quoted value"`.
/// RFC 2231 continuations (`name*0=`, `name*=charset''...`) are joined; malformed pieces are skipped.
ContentType parse_content_type(std::string_view value);

/// Bounds for parse_mime: a hostile message costs at most this much.
struct MimeLimits {
    std::size_t max_depth = 12;        ///< multipart nesting below the root
    std::size_t max_parts = 512;       ///< parts in the whole tree
    HeaderLimits headers{256u << 10, 2000, 64u << 10};  ///< per part header block
};

/// One part of a message. Views point into the buffer given to parse_mime, which must outlive it.
struct MimePart {
    HeaderBlock headers;
    ContentType content_type;
    std::string transfer_encoding;     ///< lower-case Content-Transfer-Encoding, "" when absent
    std::string_view body;             ///< the undecoded body (between header block and boundary)
    int parent = -1;                   ///< index of the enclosing multipart, -1 for the root
    std::size_t depth = 0;             ///< 0 for the root
    std::vector<std::size_t> children; ///< indices of the parts of a multipart

    [[nodiscard]] bool is_multipart() const { return content_type.type == "multipart"; }
};

/// A message's parts in document order; parts[0] is the message itself. Parts of type message/*
/// (message/rfc822, message/delivery-status) are leaves: their bodies are not descended into, so
/// a returned original can never be mistaken for structure of the outer message.
struct MimeTree {
    std::vector<MimePart> parts;
    bool truncated = false;              ///< a limit was hit
    std::vector<std::string> problems;   ///< one sentence each: "multipart without a final boundary"
};

/// Parses the MIME structure of a whole message (headers and body). Never throws.
MimeTree parse_mime(std::string_view message, const MimeLimits& limits = {});

/// The body after its Content-Transfer-Encoding (base64, quoted-printable; others as they are).
/// Base64 that does not decode is returned raw with ok=false. The result is cut at max_bytes.
struct DecodedBody {
    std::string bytes;
    bool ok = true;
};
DecodedBody decode_transfer(const MimePart& part, std::size_t max_bytes = 8u << 20);

/// The body as UTF-8 text: transfer-decoded, then converted from its charset parameter (none:
/// taken as UTF-8 if valid, else ISO-8859-1... through to_utf8's rules).
Decoded body_text(const MimePart& part, std::size_t max_bytes = 8u << 20);

/// Plain text from an HTML body: tags dropped, <br>/<p>/<tr>/<div> become line breaks, the
/// common entities decoded. Enough for reading the words of a bounce rendered as HTML.
std::string html_to_text(std::string_view html);

}  // namespace maildiag::message
