#pragma once
// codes-private: the classifier's substring search over its phrase tables. The text is folded to
// ASCII lower case once and its byte pairs are noted in a 4096-bit set; a phrase is searched for
// only when up to four of its own byte pairs are all in that set. Most of the ~480 phrases are
// ruled out by that test, without a pass over the text. The answer is the same as
// util::icontains (ASCII case folding; other bytes compared as they are).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace maildiag::codes::detail {

/// A phrase prepared for FoldedText::contains.
struct Needle {
  std::string lower;                  ///< the phrase, ASCII lower case
  std::array<std::uint16_t, 4> pairs{};  ///< slots of some of its byte pairs (first, last, two between)
  std::uint8_t npairs = 0;
};

Needle make_needle(std::string_view phrase);

class FoldedText {
 public:
  explicit FoldedText(std::string_view text);
  /// True when the needle's phrase occurs in the text, ignoring ASCII case.
  [[nodiscard]] bool contains(const Needle& n) const;

 private:
  std::string lower_;
  std::array<std::uint64_t, 64> pairs_{};
};

}  // namespace maildiag::codes::detail
