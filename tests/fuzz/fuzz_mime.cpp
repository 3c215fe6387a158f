// Fuzz target: the MIME tree (parse_mime, with default and tiny limits), Content-Type parsing,
// transfer decoding, charset conversion of each body and the HTML-to-text reader — everything
// the bounce reader does to a message before it looks for words.
// Invariants: no exception escapes; depth/part limits hold; every body view lies inside the
// input; decoded bodies respect max_bytes; body text is valid UTF-8; parent/child links agree.

#include "fuzz_support.hpp"

#include "maildiag/message/mime.hpp"

#include <algorithm>

namespace {

using namespace maildiag;

void check(const message::MimeTree& t, std::string_view text, const message::MimeLimits& lim,
           std::size_t max_decoded) {
  FUZZ_CHECK(!t.parts.empty());
  FUZZ_CHECK(t.parts.size() <= std::max<std::size_t>(1, lim.max_parts));
  // A few sentences per part at most: the list is printed.
  FUZZ_CHECK(t.problems.size() <= 2 * lim.max_parts + 64);
  for (std::size_t i = 0; i < t.parts.size(); ++i) {
    const auto& p = t.parts[i];
    FUZZ_CHECK(p.depth <= lim.max_depth);
    FUZZ_CHECK(p.body.empty() || (p.body.data() >= text.data() &&
                                  p.body.data() + p.body.size() <= text.data() + text.size()));
    FUZZ_CHECK(p.parent < static_cast<int>(i));
    for (std::size_t c : p.children) {
      FUZZ_CHECK(c < t.parts.size() && t.parts[c].parent == static_cast<int>(i));
    }
    const auto decoded = message::decode_transfer(p, max_decoded);
    FUZZ_CHECK(decoded.bytes.size() <= max_decoded);
    const auto body = message::body_text(p, max_decoded);
    FUZZ_CHECK(fuzz::valid_utf8(body.text));
    if (p.content_type.subtype == "html") {
      FUZZ_CHECK(message::html_to_text(body.text).size() <= 2 * body.text.size() + 16);
    }
  }
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  message::MimeLimits tiny;
  tiny.max_depth = in.range(0, 4);
  tiny.max_parts = in.range(1, 8);
  tiny.headers.max_bytes = in.range(1, 1024);
  tiny.headers.max_headers = in.range(1, 16);
  tiny.headers.max_value = in.range(1, 256);
  const std::size_t max_decoded = in.range(0, 255) * 64;
  const std::string_view text = in.rest();

  check(message::parse_mime(text), text, message::MimeLimits{}, 1u << 20);
  check(message::parse_mime(text, tiny), text, tiny, max_decoded);

  const auto ct = message::parse_content_type(text.substr(0, 4096));
  FUZZ_CHECK(!ct.type.empty() && !ct.subtype.empty());
  (void)ct.param("charset");
  (void)ct.is("multipart/*");
  return 0;
}
