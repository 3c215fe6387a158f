#pragma once
// Shared by the fuzz targets (tests/fuzz/fuzz_*.cpp). Each target file builds twice: as a
// libFuzzer binary (clang, -DMAILDIAG_FUZZ=ON, see CMakeLists.txt here) and, with
// replay_main.cpp, as a plain corpus replay program that ctest runs in every build (see
// replay.cmake). Nothing here depends on libFuzzer, so any compiler builds it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <array>
#include <string_view>

/// An invariant a target checks after calling the code under test. A violation aborts, which
/// libFuzzer reports as a crash (and the replay test as a failure) with this message.
#define FUZZ_CHECK(cond) ((cond) ? static_cast<void>(0) : ::maildiag::fuzz::check_failed(#cond, __FILE__, __LINE__))

/// Declares the entry point both builds call.
#define MAILDIAG_FUZZ_TARGET \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)

namespace maildiag::fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", what, file, line);
  std::fflush(stderr);
  std::abort();
}

/// The fuzz input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// True when s is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned cp = 0;
    unsigned min = 0;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) { n = 2; cp = b & 0x1Fu; min = 0x80; }
    else if (b >= 0xE0 && b <= 0xEF) { n = 3; cp = b & 0x0Fu; min = 0x800; }
    else if (b >= 0xF0 && b <= 0xF4) { n = 4; cp = b & 0x07u; min = 0x10000; }
    else return false;
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

/// Splits a fuzz input into control bytes (read from the front, one call at a time) and a
/// payload (what is left). Reading past the end yields zeros, so every input is usable.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : rest_(as_text(data, size)) {}

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  bool flag() { return (byte() & 1u) != 0; }
  /// A value in [lo, hi] from one control byte.
  std::size_t range(std::size_t lo, std::size_t hi) { return lo + byte() % (hi - lo + 1); }
  /// The next n bytes of the payload (fewer at the end).
  std::string_view take(std::size_t n) {
    const auto s = rest_.substr(0, n);
    rest_.remove_prefix(s.size());
    return s;
  }
  /// Everything not consumed as control bytes.
  [[nodiscard]] std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

/// Cuts the rest of the input into fuzz-chosen chunks, as a socket would deliver it: a
/// pattern of four chunk rules is read from control bytes and cycled through. A rule is a size
/// of 1..64 bytes (control byte below 0xF0), "the rest at once" (0xF0..0xF7) or "up to and
/// including the next LF" (0xF8..0xFF), which lets a driver answer each server line in turn.
class Chunker {
 public:
  explicit Chunker(Input& in) {
    for (auto& s : sizes_) {
      const std::uint8_t b = in.byte();
      s = b >= 0xF8 ? kLine : b >= 0xF0 ? kRest : 1u + b % 64u;
    }
    stream_ = in.rest();
  }
  [[nodiscard]] bool done() const { return stream_.empty(); }
  std::string_view next() {
    std::size_t n = sizes_[i_++ % sizes_.size()];
    if (n == kLine) {
      const auto lf = stream_.find('\n');
      n = lf == std::string_view::npos ? stream_.size() : lf + 1;
    }
    if (n == kRest || n > stream_.size()) n = stream_.size();
    const auto chunk = stream_.substr(0, n);
    stream_.remove_prefix(n);
    return chunk;
  }

 private:
  static constexpr std::size_t kRest = 0;
  static constexpr std::size_t kLine = static_cast<std::size_t>(-1);
  std::string_view stream_;
  std::array<std::size_t, 4> sizes_{};
  std::size_t i_ = 0;
};

}  // namespace maildiag::fuzz
