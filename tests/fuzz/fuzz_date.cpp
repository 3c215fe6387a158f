// Fuzz target: the mail date parser (parse_date: RFC 5322 and every obsolete or broken form)
// and the two formatters reports use.
// Invariants: no exception escapes; a parsed date lies within years 1900..9999 (the parser's
// documented range, give or take the forward normalisation of out-of-range fields and a zone);
// the zone is at most 99:99; both formatters give short, fixed-shape strings.

#include "fuzz_support.hpp"

#include "maildiag/message/date.hpp"

#include <cstdint>

MAILDIAG_FUZZ_TARGET {
  using namespace maildiag;
  const auto text = fuzz::as_text(data, size);
  const auto d = message::parse_date(text);
  if (!d) return 0;
  constexpr std::int64_t kDay = 86400;
  const std::int64_t lo = message::days_from_civil(1900, 1, 1) * kDay - 3 * kDay;
  const std::int64_t hi = message::days_from_civil(9999, 12, 31) * kDay + 40 * kDay;
  FUZZ_CHECK(d->epoch >= lo && d->epoch <= hi);
  FUZZ_CHECK(d->offset_minutes >= -(99 * 60 + 99) && d->offset_minutes <= 99 * 60 + 99);
  FUZZ_CHECK(message::format_utc(d->epoch).size() <= 24);
  FUZZ_CHECK(message::format_local(*d).size() <= 32);
  return 0;
}
