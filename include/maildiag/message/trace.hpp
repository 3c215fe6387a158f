#pragma once
/// The path a message took, read from its Received headers like postmarks: bottom-up, oldest
/// hop first, with the delay each hop added. Pure: dates come from the headers, never the clock.

#include "maildiag/message/header_block.hpp"
#include "maildiag/message/received.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace maildiag::message {

struct Hop {
  int number = 0;                         ///< 1 = the oldest hop (the bottom Received header)
  std::size_t header_line = 0;            ///< input line of the Received header
  std::string_view raw;                   ///< the unfolded header value (kept alive by received.store)
  Received received;
  std::optional<std::int64_t> delay_ms;   ///< since the previous dated hop (negative = clock skew)
};

struct Trace {
  std::vector<Hop> hops;                  ///< oldest first
  std::size_t unparsed = 0;               ///< Received headers that were not trace fields at all
  std::optional<std::int64_t> total_ms;   ///< first dated hop to last dated hop
};

/// Builds the path from every "Received" field (not X-Received or ARC copies). At most
/// max_hops are read (a loop can add hundreds; the newest ones are kept).
Trace build_trace(const HeaderBlock& block, std::size_t max_hops = 200);

/// "0s", "3s", "4m 10s", "5h 10m 14s", "2d 3h" - for people.
std::string format_duration(std::int64_t ms);

}  // namespace maildiag::message
