#include "maildiag/dns/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace maildiag::dns {

std::string_view to_string(AddressScope s) {
  switch (s) {
    case AddressScope::global: return "global";
    case AddressScope::loopback: return "loopback";
    case AddressScope::private_use: return "private";
    case AddressScope::link_local: return "link-local";
    case AddressScope::documentation: return "documentation";
    case AddressScope::unspecified: return "unspecified";
    case AddressScope::reserved: return "reserved";
  }
  return "reserved";
}

Address Address::v4(const std::array<std::uint8_t, 4>& bytes) {
  Address a;
  a.family_ = Family::v4;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

Address Address::v6(const std::array<std::uint8_t, 16>& bytes) {
  Address a;
  a.family_ = Family::v6;
  a.bytes_ = bytes;
  return a;
}

std::optional<Address> Address::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  std::array<std::uint8_t, 16> buf{};
  if (s.find(':') == std::string::npos) {
    if (::inet_pton(AF_INET, s.c_str(), buf.data()) != 1) return std::nullopt;
    return v4({buf[0], buf[1], buf[2], buf[3]});
  }
  if (::inet_pton(AF_INET6, s.c_str(), buf.data()) != 1) return std::nullopt;
  return v6(buf);
}

std::string Address::to_string() const {
  if (is_v4()) {  // dotted quad by hand: glibc's inet_ntop formats IPv4 with sprintf, slow in `mx -`
    char out[16];
    char* p = out;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) *p++ = '.';
      p = std::to_chars(p, out + sizeof out, bytes_[i]).ptr;
    }
    return std::string(out, p);
  }
  char out[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(AF_INET6, bytes_.data(), out, sizeof out) == nullptr) return "?";
  return out;
}

namespace {

AddressScope scope_v4(const std::uint8_t* b) {
  const auto in = [b](std::uint8_t o0, std::uint8_t o1, int prefix) {
    const std::uint32_t addr = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16);
    const std::uint32_t net = (std::uint32_t{o0} << 24) | (std::uint32_t{o1} << 16);
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (addr & mask) == (net & mask);
  };
  if (b[0] == 127) return AddressScope::loopback;
  if (b[0] == 0) return AddressScope::unspecified;
  if (b[0] == 10 || in(172, 16, 12) || in(192, 168, 16) || in(100, 64, 10)) return AddressScope::private_use;
  if (in(169, 254, 16)) return AddressScope::link_local;
  if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
      (b[0] == 203 && b[1] == 0 && b[2] == 113))
    return AddressScope::documentation;
  // 192.0.0.0/24 IETF, 198.18.0.0/15 benchmarking, 224/4 multicast, 240/4 and broadcast
  if ((b[0] == 192 && b[1] == 0 && b[2] == 0) || in(198, 18, 15) || b[0] >= 224) return AddressScope::reserved;
  return AddressScope::global;
}

AddressScope scope_v6(const std::array<std::uint8_t, 16>& b) {
  const bool zero_prefix = std::all_of(b.begin(), b.begin() + 15, [](std::uint8_t x) { return x == 0; });
  if (zero_prefix && b[15] == 1) return AddressScope::loopback;
  if (zero_prefix && b[15] == 0) return AddressScope::unspecified;
  // ::ffff:a.b.c.d: judge the embedded IPv4 address
  const bool mapped = std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) &&
                      b[10] == 0xff && b[11] == 0xff;
  if (mapped) return scope_v4(b.data() + 12);
  if ((b[0] & 0xfe) == 0xfc) return AddressScope::private_use;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressScope::link_local;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressScope::documentation;
  if (b[0] == 0xff) return AddressScope::reserved;  // multicast
  if ((b[0] & 0xe0) != 0x20) return AddressScope::reserved;  // outside 2000::/3 global unicast
  return AddressScope::global;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

AddressScope Address::scope() const { return is_v4() ? scope_v4(bytes_.data()) : scope_v6(bytes_); }

std::string Address::reverse_name() const { return dnsbl_name(is_v4() ? "in-addr.arpa" : "ip6.arpa"); }

std::string Address::dnsbl_name(std::string_view zone) const {
  std::string out;
  if (is_v4()) {
    for (int i = 3; i >= 0; --i) {
      out += std::to_string(bytes_[static_cast<std::size_t>(i)]);
      out += '.';
    }
  } else {
    out.reserve(64 + zone.size());
    for (int i = 15; i >= 0; --i) {
      const auto byte = bytes_[static_cast<std::size_t>(i)];
      out += kHex[byte & 0x0f];
      out += '.';
      out += kHex[byte >> 4];
      out += '.';
    }
  }
  out.append(zone);
  return out;
}

}  // namespace maildiag::dns
