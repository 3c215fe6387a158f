#pragma once
/// An IPv4 or IPv6 address as DNS returns it (A/AAAA rdata), with the classifications mail
/// diagnosis needs: is it routable on the Internet, and the reverse (PTR) and DNSBL names.
/// Pure value type: no sockets, usable by every subcommand that connects to what DNS returned.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maildiag::dns {

/// Where an address can be reached from; mail exchangers published on the Internet should be `global`.
enum class AddressScope {
  global,
  loopback,       ///< 127.0.0.0/8, ::1
  private_use,    ///< RFC 1918, RFC 6598 CGNAT, fc00::/7 ULA
  link_local,     ///< 169.254.0.0/16, fe80::/10
  documentation,  ///< 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32
  unspecified,    ///< 0.0.0.0/8, ::
  reserved,       ///< multicast, 240.0.0.0/4, broadcast, other special-purpose blocks
};

std::string_view to_string(AddressScope s);  ///< "global", "loopback", "private", ...

class Address {
 public:
  enum class Family : std::uint8_t { v4, v6 };

  Address() = default;
  static Address v4(const std::array<std::uint8_t, 4>& bytes);
  static Address v6(const std::array<std::uint8_t, 16>& bytes);
  /// Parses a literal ("192.0.2.1", "2001:db8::1"); no brackets, no zone id, no port.
  static std::optional<Address> parse(std::string_view text);

  [[nodiscard]] Family family() const { return family_; }
  [[nodiscard]] bool is_v4() const { return family_ == Family::v4; }
  /// Network-order bytes: 4 used for IPv4, 16 for IPv6.
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  [[nodiscard]] std::string to_string() const;  ///< canonical text (RFC 5952 for IPv6)
  [[nodiscard]] AddressScope scope() const;
  /// "4.3.2.1.in-addr.arpa" / nibble form "....ip6.arpa" (no trailing dot).
  [[nodiscard]] std::string reverse_name() const;
  /// The DNSBL query name (RFC 5782): reversed octets / nibbles followed by zone.
  [[nodiscard]] std::string dnsbl_name(std::string_view zone) const;

  friend bool operator==(const Address& a, const Address& b) = default;
  friend auto operator<=>(const Address& a, const Address& b) = default;

 private:
  Family family_ = Family::v4;
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace maildiag::dns
