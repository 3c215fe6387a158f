#pragma once
// Private to the message parsers: append-only text storage whose bytes never move, so the
// std::string_view fields of a parsed Received can point into it. One store serves a whole trace;
// the parsed structures share it (std::shared_ptr), so copying or moving them keeps every view valid.

#include <array>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace maildiag::message {

class TextStore {
 public:
  TextStore() = default;
  TextStore(const TextStore&) = delete;  // views point into it: it never moves
  TextStore& operator=(const TextStore&) = delete;

  /// A copy of `s` that lives as long as the store.
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = room(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  /// Room for n bytes to be written in place (lasting as long as the store); `trim` then keeps
  /// the bytes used and gives back the rest. Nothing else may be stored in between.
  char* reserve(std::size_t n) { return room(n); }

  /// The first `used` bytes of the room `reserve` returned at p; the rest is given back.
  std::string_view trim(char* p, std::size_t used) {
    next_ = p + used;
    return used == 0 ? std::string_view{} : std::string_view(p, used);
  }

  /// Keeps `owner` alive as long as the store, so views into the bytes it owns stay valid
  /// (a trace views the Received values in its header block's storage).
  void keep(std::shared_ptr<const void> owner) { kept_ = std::move(owner); }

 private:
  /// n writable bytes: from the current chunk while it has room, else from a new one.
  char* room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - next_) < n) {
      const std::size_t size = n > kChunk ? n : kChunk;
      chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
      next_ = chunks_.back().get();
      end_ = next_ + size;
    }
    char* p = next_;
    next_ += n;
    return p;
  }

  static constexpr std::size_t kChunk = 1024;
  std::array<char, 256> first_;  ///< the first bytes live inline: a typical trace needs no more
  char* next_ = first_.data();
  char* end_ = first_.data() + first_.size();
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::shared_ptr<const void> kept_;
};

}  // namespace maildiag::message
