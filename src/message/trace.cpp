#include "maildiag/message/trace.hpp"

#include "byte_scan.hpp"
#include "received_internal.hpp"
#include "text_store.hpp"

#include <memory>

namespace maildiag::message {

Trace build_trace(const HeaderBlock& block, std::size_t max_hops) {
  Trace t;
  // The Received fields, top-down: the first max_hops are the newest, the ones kept. They are
  // read bottom-up (oldest first) straight from the block.
  const auto is_received = [](const Header& h) { return detail::is_word<"received">(h.name); };
  std::size_t count = 0;
  std::size_t stop = block.headers.size();  // just after the last field kept
  for (std::size_t i = 0; i < block.headers.size() && count < max_hops; ++i) {
    if (!is_received(block.headers[i])) continue;
    ++count;
    stop = i + 1;
  }
  t.hops.reserve(count);
  if (count == 0) return t;
  // One store for the trace: it keeps the block's bytes alive, so a hop's raw value and most of
  // its fields view the block's copy of the value; every hop shares it.
  auto store = std::make_shared<TextStore>();
  store->keep(block.storage);
  for (std::size_t i = stop; i-- > 0;) {
    const Header& field = block.headers[i];
    if (!is_received(field)) continue;
    Hop& h = t.hops.emplace_back();
    // A field added by hand views bytes the block does not own: the store copies those.
    const std::string_view raw = block.owns(field.value) ? field.value : store->copy(field.value);
    if (!detail::read_received(raw, h.received, *store)) {
      t.hops.pop_back();
      ++t.unparsed;
      continue;
    }
    h.number = static_cast<int>(t.hops.size());
    h.header_line = field.line;
    h.raw = raw;
    h.received.store = store;
  }
  std::optional<std::int64_t> first;
  std::optional<std::int64_t> previous;
  for (auto& h : t.hops) {
    if (!h.received.date) continue;
    const std::int64_t at = h.received.date->epoch_ms();
    if (previous) h.delay_ms = at - *previous;
    if (!first) first = at;
    previous = at;
  }
  if (first && previous) t.total_ms = *previous - *first;
  return t;
}

std::string format_duration(std::int64_t ms) {
  const bool negative = ms < 0;
  std::int64_t s = (negative ? -ms : ms) / 1000;
  std::string out = negative ? "-" : "";
  const std::int64_t d = s / 86400;
  const std::int64_t h = s / 3600 % 24;
  const std::int64_t m = s / 60 % 60;
  s %= 60;
  if (d > 0) return out + std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return out + std::to_string(h) + "h " + std::to_string(m) + "m " + std::to_string(s) + "s";
  if (m > 0) return out + std::to_string(m) + "m " + std::to_string(s) + "s";
  return out + std::to_string(s) + "s";
}

}  // namespace maildiag::message
