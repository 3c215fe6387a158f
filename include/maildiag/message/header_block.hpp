#pragma once
/// RFC 5322 header block parsing. Mail arrives from users as raw bytes (Gmail "Show original",
/// mbox files, .eml dumps): line endings vary, 8-bit bytes appear, obsolete syntax is common and
/// hostile input is possible. The parser therefore never throws, bounds every size and reports
/// what it could not understand as one-sentence problems instead of failing.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::message {

/// One header field. `value` is unfolded (CRLF+WSP becomes the WSP), otherwise raw bytes,
/// with leading and trailing whitespace trimmed. `line` is the 1-based input line of the name.
/// `name` and `value` view the storage of the HeaderBlock that holds the field: they are valid as
/// long as that block (or a copy of it) lives.
struct Header {
  std::string_view name;
  std::string_view value;
  std::size_t line = 0;
};

/// Bounds that keep a hostile message from costing unbounded memory or time.
struct HeaderLimits {
  std::size_t max_bytes = 4u << 20;    ///< the header block is cut here
  std::size_t max_headers = 20000;     ///< fields beyond this are dropped
  std::size_t max_value = 1u << 20;    ///< an unfolded value is cut here
};

struct HeaderBlock {
  std::vector<Header> headers;        ///< in order of appearance
  std::size_t body_offset = 0;        ///< offset of the body (after the blank line); input size if none
  bool truncated = false;             ///< a limit was hit; `problems` says which
  std::vector<std::string> problems;  ///< one sentence each: "line 12 has no colon"
  /// The bytes the fields view: the field section copied once, folded values unfolded in place.
  /// Shared, so a copy of the block views the same bytes (and the bytes outlive the input).
  std::shared_ptr<const char[]> storage;
  std::size_t storage_size = 0;

  /// True when `text` lies in `storage` (a field parse_headers made, not one added by hand).
  [[nodiscard]] bool owns(std::string_view text) const;

  /// First header with this name (case-insensitive), or nullptr.
  const Header* find(std::string_view name) const;
  /// Every header with this name, in order of appearance.
  std::vector<const Header*> find_all(std::string_view name) const;
  /// Value of the first header with this name, or "".
  std::string_view get(std::string_view name) const;
};

/// For display: runs of whitespace (folds included) become one space; ends are trimmed.
std::string collapse_whitespace(std::string_view s);

/// Parses the header block at the start of `message`. Accepts CRLF, LF or lone CR line endings,
/// skips a leading mbox "From " line, tolerates 8-bit bytes and headers-only input. Never throws.
HeaderBlock parse_headers(std::string_view message, const HeaderLimits& limits = {});

}  // namespace maildiag::message
