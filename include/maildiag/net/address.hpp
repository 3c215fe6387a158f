#pragma once
/// IP addresses and "host[:port]" targets as the connection layer sees them.
/// An Address is always a literal IPv4 or IPv6 address (no name resolution here: names are
/// resolved by the DNS layer and handed over as Addresses), so every connect attempt can say
/// exactly which address it went to.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace maildiag::net {

enum class IpFamily { v4, v6 };

class Address {
 public:
  Address() = default;
  /// Parses "192.0.2.1", "2001:db8::1" or "[2001:db8::1]". No names, no ports, no zone ids.
  static std::optional<Address> parse(std::string_view text);
  static Address loopback_v4();  ///< 127.0.0.1
  static Address loopback_v6();  ///< ::1

  [[nodiscard]] IpFamily family() const { return family_; }
  [[nodiscard]] bool is_v6() const { return family_ == IpFamily::v6; }
  /// Canonical text ("2001:db8::1", never bracketed).
  [[nodiscard]] std::string to_string() const;
  /// "192.0.2.1:25" or "[2001:db8::1]:25".
  [[nodiscard]] std::string to_string(std::uint16_t port) const;
  /// Raw network-order bytes (4 or 16).
  [[nodiscard]] const std::uint8_t* bytes() const { return bytes_; }
  [[nodiscard]] std::size_t size() const { return family_ == IpFamily::v4 ? 4 : 16; }

  /// Fills a sockaddr_in/sockaddr_in6 in storage (at least sizeof(sockaddr_storage) bytes);
  /// returns its length.
  std::size_t to_sockaddr(std::uint16_t port, sockaddr* storage) const;
  /// From a sockaddr_in/sockaddr_in6; nullopt for other families.
  static std::optional<Address> from_sockaddr(const sockaddr* sa, std::uint16_t* port = nullptr);

  friend bool operator==(const Address& a, const Address& b);

 private:
  IpFamily family_ = IpFamily::v4;
  std::uint8_t bytes_[16] = {};
};

/// True when text is an IP literal (with or without brackets): such hosts get no SNI and are
/// checked against certificate IP SANs, not DNS names.
bool is_ip_literal(std::string_view text);

/// RFC 8305 §4 ordering: alternate families, starting with the family of the first address,
/// keeping each family's own order. Happy Eyeballs and the sync connect use this order.
std::vector<Address> interleave_families(const std::vector<Address>& addrs);

/// A "HOST", "HOST:PORT", "[V6]:PORT" or "V6" target split into host and optional port.
/// A bare IPv6 literal ("2001:db8::25") is a host without port, never host "2001:db8:" port 25.
struct HostPort {
  std::string host;                   ///< name or IP literal, brackets removed
  std::optional<std::uint16_t> port;  ///< when given
};
/// nullopt with *error set on an empty host, a bad port (0, >65535, not a number) or unbalanced brackets.
std::optional<HostPort> parse_host_port(std::string_view text, std::string* error = nullptr);

}  // namespace maildiag::net
