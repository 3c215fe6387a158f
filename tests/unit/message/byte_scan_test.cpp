// The message parsers' 16-byte scans (src/message/byte_scan.hpp) against plain byte loops: every
// length up to a few blocks, every position of the byte sought, and bytes above 127 (signed in
// SSE2 compares), so a block-edge or sign mistake shows as a disagreement here rather than as a
// header parsed slightly wrong.

#include "../../../src/message/byte_scan.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <string_view>

namespace detail = maildiag::message::detail;

namespace {

std::size_t plain_find(std::string_view s, std::string_view set) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (set.find(s[i]) != std::string_view::npos) return i;
  }
  return s.size();
}

std::size_t plain_lf_before(std::string_view s, std::string_view next) {
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '\n' && next.find(s[i + 1]) != std::string_view::npos) return i;
  }
  return s.size();
}

std::size_t plain_name_end(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 33 || c > 126 || c == ':') return i;
  }
  return s.size();
}

bool plain_collapsed(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() == ' ' || s.back() == ' ') return false;
  if (s.find_first_of("\t\r\n") != std::string_view::npos) return false;
  return s.find("  ") == std::string_view::npos;
}

std::size_t offset(std::string_view s, const char* p) { return static_cast<std::size_t>(p - s.data()); }

// A copy of s in a heap block of exactly its size: a scan that reads a byte past the end is a
// heap-buffer-overflow under AddressSanitizer (a std::string has its terminator there).
class Exact {
 public:
  explicit Exact(std::string_view s) : bytes_(new char[s.size()]), size_(s.size()) {
    s.copy(bytes_.get(), s.size());
  }
  std::string_view view() const { return {bytes_.get(), size_}; }
  const char* begin() const { return bytes_.get(); }
  const char* end() const { return bytes_.get() + size_; }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_;
};

// Filler of ordinary header text: letters, digits, single spaces and bytes above 127, never
// one of the bytes a scan looks for.
std::string filler(std::size_t n, std::mt19937& rng) {
  static constexpr std::string_view kBytes = "abcXYZ019.-_@<>()\xc3\xa9\xff\x80";
  std::string s(n, 'a');
  for (auto& c : s) c = kBytes[rng() % kBytes.size()];
  return s;
}

}  // namespace

TEST_CASE("byte scans agree with a byte loop at every length and position", "[message][byte_scan]") {
  std::mt19937 rng(5322);
  for (std::size_t n = 0; n <= 70; ++n) {
    const std::string base = filler(n, rng);
    CHECK(offset(base, detail::find_line_break(base.data(), base.data() + n)) == n);
    CHECK(offset(base, detail::find_name_end(base.data(), base.data() + n)) == plain_name_end(base));
    for (std::size_t at = 0; at < n; ++at) {
      for (const char c : {'\r', '\n', ':', ' ', '\t', '\x7f', '\x01'}) {
        std::string text = base;
        text[at] = c;
        const Exact x(text);
        const std::string_view s = x.view();
        INFO("length " << n << ", byte " << int(c) << " at " << at);
        CHECK(offset(s, detail::find_line_break(x.begin(), x.end())) == plain_find(s, "\r\n"));
        CHECK(offset(s, detail::find_lf(x.begin(), x.end())) == plain_find(s, "\n"));
        CHECK(offset(s, detail::find_name_end(x.begin(), x.end())) == plain_name_end(s));
        CHECK(detail::find_first_of<':', ' '>(s, 0) == plain_find(s, ": "));
        CHECK(detail::find_first_of<':'>(s, at) == (c == ':' ? at : s.size()));
      }
    }
  }
  CHECK(detail::find_first_of<'x'>(std::string_view("abc"), 7) == 3);  // from past the end
}

TEST_CASE("find_lf_before finds an LF only when the named byte follows it", "[message][byte_scan]") {
  std::mt19937 rng(2822);
  for (std::size_t n = 0; n <= 70; ++n) {
    const std::string base = filler(n, rng);
    for (std::size_t at = 0; at < n; ++at) {
      for (const char next : {'\n', '\r', 'F', 'a'}) {
        std::string text = base;
        text[at] = '\n';
        if (at + 1 < n) text[at + 1] = next;
        const Exact x(text);
        INFO("length " << n << ", LF at " << at << " before " << int(next));
        const char* got = detail::find_lf_before<'\n', '\r', 'F'>(x.begin(), x.end());
        CHECK(offset(x.view(), got) == plain_lf_before(x.view(), "\n\rF"));
      }
    }
  }
  const std::string_view last_lf = "abc\n";  // an LF as the last byte has no byte after it
  CHECK(detail::find_lf_before<'F'>(last_lf.data(), last_lf.data() + last_lf.size()) ==
        last_lf.data() + last_lf.size());
}

TEST_CASE("collapsed is true exactly for text that collapsing would not change", "[message][byte_scan]") {
  CHECK(detail::collapsed(""));
  CHECK(detail::collapsed("from a.example (a.example [192.0.2.1])"));
  CHECK_FALSE(detail::collapsed(" leading"));
  CHECK_FALSE(detail::collapsed("trailing "));
  CHECK_FALSE(detail::collapsed("two  spaces"));
  CHECK_FALSE(detail::collapsed("folded\r\n line"));
  CHECK_FALSE(detail::collapsed("a\ttab"));
  std::mt19937 rng(5321);
  for (std::size_t n = 1; n <= 70; ++n) {
    std::string base = filler(n, rng);
    for (std::size_t i = 1; i + 1 < n; i += 3) base[i] = ' ';  // single spaces, as in real text
    CHECK(detail::collapsed(Exact(base).view()) == plain_collapsed(base));
    for (std::size_t at = 0; at < n; ++at) {
      for (const char c : {' ', '\t', '\r', '\n', '\x0b'}) {
        std::string text = base;
        text[at] = c;
        INFO("length " << n << ", byte " << int(c) << " at " << at << ": \"" << text << '"');
        CHECK(detail::collapsed(Exact(text).view()) == plain_collapsed(text));
      }
    }
  }
}

TEST_CASE("is_word compares a field name with a lower-case keyword in any case", "[message][byte_scan]") {
  CHECK(detail::is_word<"received">("Received"));
  CHECK(detail::is_word<"received">("RECEIVED"));
  CHECK(detail::is_word<"received">("received"));
  CHECK_FALSE(detail::is_word<"received">("Received-SPF"));
  CHECK_FALSE(detail::is_word<"received">("Receive"));
  CHECK_FALSE(detail::is_word<"from">("Fr0m"));
  CHECK_FALSE(detail::is_word<"from">("FR\xcfM"));  // 'O' | 0x20 is 'o'; 0xCF | 0x20 is not
}
