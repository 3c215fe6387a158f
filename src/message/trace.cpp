#include "maildiag/message/trace.hpp"

#include "received_internal.hpp"

namespace maildiag::message {

Trace build_trace(const HeaderBlock& block, std::size_t max_hops) {
  Trace t;
  auto fields = block.find_all("received");
  if (fields.size() > max_hops) fields.resize(max_hops);  // top-down: keep the newest
  t.hops.reserve(fields.size());
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    Hop& h = t.hops.emplace_back();
    if (!detail::read_received((*it)->value, h.received)) {
      t.hops.pop_back();
      ++t.unparsed;
      continue;
    }
    h.number = static_cast<int>(t.hops.size());
    h.header_line = (*it)->line;
    h.raw = (*it)->value;
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
