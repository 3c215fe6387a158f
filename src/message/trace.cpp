#include "maildiag/message/trace.hpp"

namespace maildiag::message {

Trace build_trace(const HeaderBlock& block, std::size_t max_hops) {
  Trace t;
  auto fields = block.find_all("received");
  if (fields.size() > max_hops) fields.resize(max_hops);  // top-down: keep the newest
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    auto parsed = parse_received((*it)->value);
    if (!parsed) {
      ++t.unparsed;
      continue;
    }
    Hop h;
    h.number = static_cast<int>(t.hops.size()) + 1;
    h.header_line = (*it)->line;
    h.raw = (*it)->value;
    h.received = std::move(*parsed);
    t.hops.push_back(std::move(h));
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
