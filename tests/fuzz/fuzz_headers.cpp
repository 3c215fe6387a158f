// Fuzz target: the RFC 5322 header block parser (parse_headers) with default and with tiny,
// fuzz-chosen limits, then the lookups callers make on the result.
// Invariants: no exception escapes; every limit holds (field count, value size, bytes read);
// the body offset lies inside the input; the problem list stays short (it is printed).

#include "fuzz_support.hpp"

#include "maildiag/message/header_block.hpp"

namespace {

using namespace maildiag;

/// A report lists the problems; a hostile message must not turn that into megabytes.
constexpr std::size_t kMaxProblems = 256;

void check(const message::HeaderBlock& b, std::string_view text, const message::HeaderLimits& lim) {
  FUZZ_CHECK(b.headers.size() <= lim.max_headers);
  FUZZ_CHECK(b.body_offset <= text.size());
  FUZZ_CHECK(b.problems.size() <= kMaxProblems);
  std::size_t line = 0;
  for (const auto& h : b.headers) {
    FUZZ_CHECK(h.value.size() <= lim.max_value);
    FUZZ_CHECK(h.name.size() <= lim.max_bytes);
    FUZZ_CHECK(h.line > line);  // in order of appearance, 1-based
    line = h.line;
  }
  if (!b.headers.empty()) {
    const auto& first = b.headers.front();
    FUZZ_CHECK(b.find(first.name) != nullptr);
    FUZZ_CHECK(!b.find_all(first.name).empty());
    (void)b.get(first.name);
  }
  (void)b.get("Received");
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  message::HeaderLimits tiny;
  tiny.max_bytes = in.range(1, 512);
  tiny.max_headers = in.range(1, 16);
  tiny.max_value = in.range(1, 64);
  const std::string_view text = in.rest();

  const message::HeaderLimits defaults;
  check(message::parse_headers(text, defaults), text, defaults);
  check(message::parse_headers(text, tiny), text, tiny);
  return 0;
}
