#pragma once
/// DNS block lists (RFC 5782): the query name of an address in a list, and what an answer means.
/// A-record answers in 127.0.0.0/8 are listings; Spamhaus answers 127.255.255.x when it refuses to
/// answer (public resolver, typo, too many queries) — that is not a listing, and is said so.

#include "maildiag/dns/address.hpp"
#include "maildiag/dns/answer.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::dns {

/// The zones `--dnsbl default` checks (documented in docs/mx.md).
const std::vector<std::string>& default_dnsbl_zones();

/// Parses a --dnsbl value: "default" or a comma list of zones (which may include "default").
std::optional<std::vector<std::string>> parse_dnsbl_list(std::string_view text, std::string* error = nullptr);

enum class DnsblVerdict {
  not_listed,     ///< NXDOMAIN (or NODATA)
  listed,         ///< an A record in 127.0.0.0/8
  query_refused,  ///< the list refused to answer (Spamhaus 127.255.255.x): no verdict
  bogus_answer,   ///< an answer outside 127.0.0.0/8: the zone is wildcarding, parked or dead
  failed,         ///< DNS failure (timeout, SERVFAIL, ...)
};

std::string_view to_string(DnsblVerdict v);  ///< "not-listed", "listed", "query-refused", ...

struct DnsblResult {
  DnsblVerdict verdict = DnsblVerdict::failed;
  std::vector<Address> codes;  ///< the return codes (A records)
  std::string meaning;         ///< known meaning of the codes (e.g. Spamhaus "XBL: exploited host")
};

/// Reads the A answer of an address's query in `zone`.
DnsblResult interpret_dnsbl(std::string_view zone, const Answer& a_answer);

}  // namespace maildiag::dns
