#pragma once
/// The result of one DNS query in maildiag's own types: a status that keeps every failure
/// apart (NXDOMAIN is not NODATA is not SERVFAIL is not a timeout), the records, the CNAME chain
/// that led to them and the header bits a diagnosis needs (AD, AA). No c-ares type appears here.

#include "maildiag/dns/address.hpp"
#include "maildiag/dns/records.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace maildiag::dns {

enum class Status {
  ok,            ///< NOERROR with at least one record of the asked type
  nxdomain,      ///< the name does not exist (RCODE 3)
  nodata,        ///< the name exists but has no record of this type (NOERROR, empty answer)
  servfail,      ///< RCODE 2: the server could not answer (broken zone, DNSSEC bogus, upstream down)
  refused,       ///< RCODE 5: the server will not answer this (not its zone, no recursion for us)
  timeout,       ///< no reply within the configured tries
  malformed,     ///< a reply arrived but does not parse, or its question does not match
  conn_refused,  ///< the server's port is closed (ICMP port unreachable / TCP RST)
  error,         ///< anything else (other RCODEs such as FORMERR/NOTIMP, bad name, local failure)
};

std::string_view to_string(Status s);  ///< "ok", "nxdomain", "nodata", "servfail", "refused", "timeout", ...
std::string_view describe(Status s);   ///< a few words for people
/// True when DNS itself failed (the question got no usable answer), as opposed to a definite
/// "does not exist" (nxdomain / nodata) or success.
bool is_failure(Status s);

struct Record {
  std::string owner;
  RRType type = RRType::a;
  std::uint32_t ttl = 0;
  /// Address (A/AAAA), Mx, TXT strings, a name (PTR/CNAME/NS), Soa or Tlsa.
  std::variant<std::monostate, Address, Mx, std::vector<std::string>, std::string, Soa, Tlsa> data;
};

struct Answer {
  std::string qname;
  RRType qtype = RRType::a;
  Status status = Status::error;
  std::optional<unsigned> rcode;  ///< the response code when a reply was read
  bool authentic_data = false;    ///< AD bit as set by the resolver (not our validation)
  bool authoritative = false;     ///< AA bit
  std::string error;              ///< details for malformed / error / conn_refused
  std::vector<Record> records;    ///< records of qtype owned by qname or the end of its CNAME chain
  std::vector<std::string> cname_chain;  ///< CNAME targets followed from qname, in order
  std::string resolver;           ///< which resolver answered (set by Resolver)
  std::chrono::microseconds elapsed{0};

  [[nodiscard]] bool ok() const { return status == Status::ok; }
  [[nodiscard]] std::vector<Mx> mx() const;                 ///< sorted by preference, then name
  [[nodiscard]] std::vector<Address> addresses() const;     ///< A / AAAA
  [[nodiscard]] std::vector<std::string> txt() const;       ///< one string per record (its strings joined)
  [[nodiscard]] std::vector<std::string> names() const;     ///< PTR / CNAME / NS targets
  [[nodiscard]] std::vector<Tlsa> tlsa() const;
  [[nodiscard]] std::optional<Soa> soa() const;
};

/// RCODE mnemonic: "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", ... or "RCODE<n>".
std::string rcode_name(unsigned rcode);

/// Reads a response packet for (qname, qtype): checks that it is a response to that question,
/// maps the RCODE to a Status, follows the CNAME chain (at most 16 links) and decodes the records
/// of qtype. Any malformed relevant record makes the whole answer `malformed`.
Answer decode_answer(std::span<const std::uint8_t> packet, std::string_view qname, RRType qtype);

}  // namespace maildiag::dns
