#pragma once
/// IMAP server responses (RFC 3501 §7, RFC 9051 §7) parsed from one framed response: its
/// line(s) with any literals "{n}\r\n<n octets>" inline, exactly as on the wire. Pure; bounded
/// (nesting depth, token count); never throws.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::imap {

/// One token of response data: an atom (numbers and flags are atoms), a string (quoted or
/// literal, already unescaped), NIL, or a parenthesised list.
struct Value {
  enum class Type { atom, string, nil, list };
  Type type = Type::atom;
  std::string text;          ///< atom or string content
  std::vector<Value> items;  ///< list members

  [[nodiscard]] bool is_atom(std::string_view name) const;  ///< case-insensitive atom match
  [[nodiscard]] std::optional<std::uint64_t> number() const;
};

enum class Kind { untagged, tagged, continuation };
enum class Status { none, ok, no, bad, bye, preauth };
std::string_view to_string(Status s);  ///< "OK", "NO", ... ("" for none)

/// "[CODE args]" of a status response. `name` is upper-case; `args` is the raw text up to ']'.
struct ResponseCode {
  std::string name;
  std::string args;
};

struct Response {
  Kind kind = Kind::untagged;
  std::string tag;                      ///< tagged responses only
  Status status = Status::none;         ///< status responses (OK/NO/BAD/BYE/PREAUTH)
  std::optional<std::uint64_t> number;  ///< "* 23 EXISTS" -> 23
  std::string name;                     ///< upper-case keyword: "OK", "CAPABILITY", "EXISTS", "STATUS"...
  std::optional<ResponseCode> code;
  std::string text;                     ///< human-readable text (status responses, continuations)
  std::vector<Value> data;              ///< tokens after the name (data responses)
  bool data_truncated = false;          ///< the data could not be tokenised completely (kept raw)
  std::string raw;                      ///< the wire form without the final CRLF (literals inline)
};

struct ParseLimits {
  std::size_t max_depth = 64;        ///< parenthesis nesting
  std::size_t max_tokens = 100'000;  ///< tokens in one response
};

/// Parses one framed response. nullopt (with a one-line reason) when even its start (tag,
/// keyword, status) is malformed; unparsable data after a valid start only sets data_truncated.
std::optional<Response> parse_response(std::string_view raw, std::string* error = nullptr,
                                       const ParseLimits& limits = {});

/// When a line (terminator removed) ends in a literal announcement "{n}", "{n+}" or "~{n}",
/// the octet count; nullopt otherwise (or when n does not fit).
std::optional<std::uint64_t> literal_announced(std::string_view line);

}  // namespace maildiag::imap
