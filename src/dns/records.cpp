#include "maildiag/dns/records.hpp"

#include "maildiag/util/text.hpp"

#include <array>
#include <utility>

namespace maildiag::dns {

namespace {
constexpr std::array<std::pair<RRType, std::string_view>, 10> kTypes{{
    {RRType::a, "A"},
    {RRType::ns, "NS"},
    {RRType::cname, "CNAME"},
    {RRType::soa, "SOA"},
    {RRType::ptr, "PTR"},
    {RRType::mx, "MX"},
    {RRType::txt, "TXT"},
    {RRType::aaaa, "AAAA"},
    {RRType::opt, "OPT"},
    {RRType::tlsa, "TLSA"},
}};
}  // namespace

std::string_view to_string(RRType t) {
  for (const auto& [type, name] : kTypes) {
    if (type == t) return name;
  }
  return "TYPE?";
}

std::optional<RRType> rrtype_from_string(std::string_view s) {
  for (const auto& [type, name] : kTypes) {
    if (util::iequals(name, s)) return type;
  }
  return std::nullopt;
}

std::string Tlsa::data_hex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const auto b : data) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

std::string_view tlsa_usage_name(std::uint8_t usage) {
  switch (usage) {
    case 0: return "PKIX-TA";
    case 1: return "PKIX-EE";
    case 2: return "DANE-TA";
    case 3: return "DANE-EE";
    default: return "unassigned";
  }
}

std::string_view tlsa_selector_name(std::uint8_t selector) {
  switch (selector) {
    case 0: return "Cert";
    case 1: return "SPKI";
    default: return "unassigned";
  }
}

std::string_view tlsa_matching_name(std::uint8_t mtype) {
  switch (mtype) {
    case 0: return "Full";
    case 1: return "SHA2-256";
    case 2: return "SHA2-512";
    default: return "unassigned";
  }
}

}  // namespace maildiag::dns
