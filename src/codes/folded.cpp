#include "folded.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::codes::detail {

namespace {

/// The set slot of the pair (a, b): six low bits of each byte. Different pairs may share a slot;
/// that only lets a phrase through to the real search.
std::uint16_t slot(char a, char b) {
  return static_cast<std::uint16_t>(((static_cast<unsigned char>(a) & 0x3Fu) << 6) |
                                    (static_cast<unsigned char>(b) & 0x3Fu));
}

}  // namespace

Needle make_needle(std::string_view phrase) {
  Needle n;
  n.lower = util::to_lower(phrase);
  if (n.lower.size() < 2) return n;
  const std::size_t last = n.lower.size() - 2;  // start of the last pair
  const std::size_t at[4] = {0, last, last / 3, (2 * last) / 3};
  for (std::size_t i : at) {
    const auto s = slot(n.lower[i], n.lower[i + 1]);
    bool seen = false;
    for (std::uint8_t k = 0; k < n.npairs; ++k) seen = seen || n.pairs[k] == s;
    if (!seen) n.pairs[n.npairs++] = s;
  }
  return n;
}

FoldedText::FoldedText(std::string_view text) : lower_(util::to_lower(text)) {
  for (std::size_t i = 0; i + 1 < lower_.size(); ++i) {
    const auto s = slot(lower_[i], lower_[i + 1]);
    pairs_[s >> 6] |= std::uint64_t{1} << (s & 63u);
  }
}

bool FoldedText::contains(const Needle& n) const {
  for (std::uint8_t k = 0; k < n.npairs; ++k) {
    const auto s = n.pairs[k];
    if ((pairs_[s >> 6] & (std::uint64_t{1} << (s & 63u))) == 0) return false;
  }
  return std::string_view(lower_).find(n.lower) != std::string_view::npos;
}

}  // namespace maildiag::codes::detail
