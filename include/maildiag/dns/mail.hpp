#pragma once
/// What every mail subcommand asks DNS: "the MX hosts of DOMAIN in preference order with their
/// addresses" (RFC 5321 §5.1, including the implicit MX and the null MX of RFC 7505) and "the
/// addresses of HOST". Each comes in two forms:
///   - async on a caller's Resolver/EventLoop (probe, smtp-test and diagnose interleave this with
///     connections): the callback runs once on the loop;
///   - a blocking convenience that makes its own loop and returns within `budget`.

#include "maildiag/dns/address.hpp"
#include "maildiag/dns/answer.hpp"
#include "maildiag/dns/resolver.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::dns {

/// Which address families to look up (-4 / -6).
struct Families {
  bool v4 = true;
  bool v6 = true;
};

struct HostAddresses {
  std::string host;
  /// ok when at least one address was found; otherwise the most telling failure: a DNS failure
  /// (timeout, servfail, ...) first, then nxdomain, then nodata.
  Status status = Status::error;
  std::vector<Address> addresses;   ///< IPv4 first, then IPv6, each in answer order
  std::optional<Answer> a;          ///< the A answer (absent when IPv4 was not asked)
  std::optional<Answer> aaaa;       ///< the AAAA answer (absent when IPv6 was not asked)
  std::vector<std::string> cname_chain;  ///< non-empty when `host` is an alias (bad as an MX target)
  std::string error;                     ///< words for a failure
};

struct MxHost {
  std::uint16_t preference = 0;
  std::string name;           ///< the exchanger as published
  bool ip_literal = false;    ///< written as an IP address: not a host name, not resolved
  HostAddresses addresses;
};

struct MxHosts {
  std::string domain;
  /// Outcome of the MX lookup: ok (MX records found), nodata (none: see `implicit`), nxdomain,
  /// or a DNS failure.
  Status status = Status::error;
  bool null_mx = false;    ///< "MX 0 ." published: the domain accepts no mail (RFC 7505)
  bool implicit = false;   ///< no MX: the domain's own address is used (RFC 5321 §5.1)
  std::vector<MxHost> hosts;  ///< by preference, then name; the null MX itself is not listed
  Answer mx_answer;           ///< the MX answer as received (AD bit, resolver, TTLs)
  std::string error;
  /// True when at least one exchanger has an address: mail can be routed.
  [[nodiscard]] bool routable() const;
};

/// Combines A and AAAA answers into HostAddresses (exposed for tests).
HostAddresses combine_addresses(std::string host, std::optional<Answer> a, std::optional<Answer> aaaa);

void resolve_host(Resolver& resolver, std::string host, Families families,
                  std::function<void(HostAddresses)> done);
void resolve_mx_hosts(Resolver& resolver, std::string domain, Families families,
                      std::function<void(MxHosts)> done);

/// Blocking forms: own loop and resolver; return within about `budget` (status timeout when the
/// lookups did not finish). When config.budget is zero each query gets budget/2 (MX, then addresses).
HostAddresses resolve_host(const ResolverConfig& config, std::string_view host, Families families,
                           std::chrono::milliseconds budget);
MxHosts resolve_mx_hosts(const ResolverConfig& config, std::string_view domain, Families families,
                         std::chrono::milliseconds budget);

}  // namespace maildiag::dns
