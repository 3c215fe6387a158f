// Fuzz target: the bounce reader (bounce::analyse) on a whole message, with default and tiny
// limits, and the mbox splitter. This runs MIME, DSN fields, the notice scanners for every
// provider, RFC 2047 subjects and the classifier on hostile bytes.
// Invariants: no exception escapes; recipients within max_recipients; every diagnostic is
// one line; mbox pieces are inside the input, in order, not overlapping.

#include "fuzz_support.hpp"

#include "maildiag/bounce/bounce.hpp"

namespace {

using namespace maildiag;

void check(const bounce::Analysis& a, std::size_t input_size, const bounce::Limits& lim) {
  FUZZ_CHECK(a.recipients.size() <= lim.max_recipients);
  FUZZ_CHECK(a.problems.size() <= 2 * lim.max_recipients + 64);
  for (const auto& r : a.recipients) {
    FUZZ_CHECK(r.diagnostic.find('\n') == std::string::npos);
    FUZZ_CHECK(r.address.size() <= input_size);
    FUZZ_CHECK(r.diagnostic.size() <= input_size + 4096);
    if (r.reply_code) FUZZ_CHECK(*r.reply_code >= 0 && *r.reply_code <= 999);
  }
  (void)bounce::to_string(a.kind);
  (void)a.any_hard();
  (void)a.any_failure();
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  bounce::Limits tiny;
  tiny.max_message = in.range(1, 255) * 16;
  tiny.max_recipients = in.range(1, 4);
  tiny.max_text = in.range(1, 255) * 8;
  const std::string_view text = in.rest();

  check(bounce::analyse(text), text.size(), bounce::Limits{});
  check(bounce::analyse(text, tiny), text.size(), tiny);

  const char* prev_end = text.data();
  for (auto m : bounce::split_mbox(text)) {
    FUZZ_CHECK(m.data() >= prev_end && m.data() + m.size() <= text.data() + text.size());
    prev_end = m.data() + m.size();
  }
  (void)bounce::looks_like_mbox(text);
  return 0;
}
