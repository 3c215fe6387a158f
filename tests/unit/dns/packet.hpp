#pragma once
// Builds DNS response packets byte by byte for the parser tests: honest ones, and broken ones
// (wrong counts, truncation, compression loops) by editing the bytes afterwards.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::test::dns {

class Packet {
 public:
  using Bytes = std::vector<std::uint8_t>;

  /// Header: id 0x1234, QR=1, RD=1, RA=1 and the given rcode; counts are patched by finish().
  explicit Packet(unsigned rcode = 0) {
    bytes_ = {0x12, 0x34, 0x81, static_cast<std::uint8_t>(0x80 | (rcode & 0x0F)), 0, 0, 0, 0, 0, 0, 0, 0};
  }

  Packet& flags3(std::uint8_t mask) {
    bytes_[3] = static_cast<std::uint8_t>(bytes_[3] | mask);
    return *this;
  }

  /// Encodes a name as labels; returns its offset (for compression pointers).
  std::size_t name(std::string_view n) {
    const std::size_t at = bytes_.size();
    if (n == ".") {
      bytes_.push_back(0);
      return at;
    }
    std::size_t start = 0;
    while (start <= n.size()) {
      auto dot = n.find('.', start);
      if (dot == std::string_view::npos) dot = n.size();
      const auto label = n.substr(start, dot - start);
      bytes_.push_back(static_cast<std::uint8_t>(label.size()));
      bytes_.insert(bytes_.end(), label.begin(), label.end());
      start = dot + 1;
    }
    bytes_.push_back(0);
    return at;
  }

  void pointer(std::size_t offset) {
    bytes_.push_back(static_cast<std::uint8_t>(0xC0 | (offset >> 8)));
    bytes_.push_back(static_cast<std::uint8_t>(offset & 0xFF));
  }

  void u16(unsigned v) {
    bytes_.push_back(static_cast<std::uint8_t>(v >> 8));
    bytes_.push_back(static_cast<std::uint8_t>(v & 0xFF));
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v & 0xFFFF);
  }
  void raw(std::initializer_list<std::uint8_t> b) { bytes_.insert(bytes_.end(), b); }
  void raw(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }

  /// The question; returns the offset of its name.
  std::size_t question(std::string_view qname, unsigned type) {
    ++qd_;
    const auto at = name(qname);
    u16(type);
    u16(1);
    return at;
  }

  /// A record whose owner is a pointer to `owner_offset`; rdata written by `write` into a
  /// length-prefixed block.
  template <typename Write>
  void record_at(std::size_t owner_offset, unsigned type, Write write, std::uint32_t ttl = 300) {
    pointer(owner_offset);
    record_body(type, write, ttl);
  }

  /// A record with its owner name written out in full.
  template <typename Write>
  void record_named(std::string_view owner, unsigned type, Write write, std::uint32_t ttl = 300) {
    name(owner);
    record_body(type, write, ttl);
  }

 private:
  template <typename Write>
  void record_body(unsigned type, Write write, std::uint32_t ttl) {
    ++an_;
    u16(type);
    u16(1);
    u32(ttl);
    const std::size_t len_at = bytes_.size();
    u16(0);
    const std::size_t start = bytes_.size();
    write(*this);
    const std::size_t len = bytes_.size() - start;
    bytes_[len_at] = static_cast<std::uint8_t>(len >> 8);
    bytes_[len_at + 1] = static_cast<std::uint8_t>(len & 0xFF);
  }

 public:

  void add_opt(unsigned payload = 1232, std::uint8_t ext_rcode = 0) {
    ++ar_;
    bytes_.push_back(0);  // root
    u16(41);
    u16(payload);
    raw({ext_rcode, 0, 0, 0});
    u16(0);
  }

  Bytes finish() const {
    Bytes b = bytes_;
    b[4] = 0;
    b[5] = static_cast<std::uint8_t>(qd_);
    b[6] = static_cast<std::uint8_t>(an_ >> 8);
    b[7] = static_cast<std::uint8_t>(an_ & 0xFF);
    b[10] = static_cast<std::uint8_t>(ar_ >> 8);
    b[11] = static_cast<std::uint8_t>(ar_ & 0xFF);
    return b;
  }

  [[nodiscard]] std::size_t size() const { return bytes_.size(); }

 private:
  Bytes bytes_;
  unsigned qd_ = 0, an_ = 0, ar_ = 0;
};

}  // namespace maildiag::test::dns
