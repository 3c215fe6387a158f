#pragma once
/// Record types and decoded rdata of the DNS records mail diagnosis reads. Pure data, no c-ares.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::dns {

/// The record types maildiag asks for (numeric values are the IANA RR TYPE codes).
enum class RRType : std::uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  soa = 6,
  ptr = 12,
  mx = 15,
  txt = 16,
  aaaa = 28,
  opt = 41,
  tlsa = 52,
};

std::string_view to_string(RRType t);              ///< "A", "MX", ...; "TYPE<n>" for others
std::optional<RRType> rrtype_from_string(std::string_view s);  ///< case-insensitive name

struct Mx {
  std::uint16_t preference = 0;
  std::string exchange;  ///< presentation form without trailing dot; "." for the null MX
  friend bool operator==(const Mx&, const Mx&) = default;
};

struct Soa {
  std::string mname;
  std::string rname;
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;
};

/// RFC 6698 TLSA rdata.
struct Tlsa {
  std::uint8_t usage = 0;          ///< 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
  std::uint8_t selector = 0;       ///< 0 full certificate, 1 SubjectPublicKeyInfo
  std::uint8_t matching_type = 0;  ///< 0 exact, 1 SHA-256, 2 SHA-512
  std::vector<std::uint8_t> data;  ///< certificate association data
  [[nodiscard]] std::string data_hex() const;
};

std::string_view tlsa_usage_name(std::uint8_t usage);        ///< "DANE-EE", ... or "unassigned"
std::string_view tlsa_selector_name(std::uint8_t selector);  ///< "Cert", "SPKI" or "unassigned"
std::string_view tlsa_matching_name(std::uint8_t mtype);     ///< "Full", "SHA2-256", "SHA2-512" or "unassigned"

}  // namespace maildiag::dns
