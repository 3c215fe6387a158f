#pragma once
/// Where smtp-test connects: one host (name or IP literal) or, with --mx, the domain's mail
/// exchangers in preference order (RFC 5321 §5.1: implicit MX, null MX), each with its
/// addresses; and the TLSA records DANE needs for a host. DNS trouble becomes findings.

#include "maildiag/app/smtp_test.hpp"
#include "maildiag/net/address.hpp"
#include "maildiag/report/report.hpp"
#include "maildiag/tls/report.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace maildiag::app {

struct SmtpTarget {
  std::string name;                    ///< host name (A-labels) or IP literal
  std::uint16_t preference = 0;        ///< MX preference (0 for a direct target)
  bool from_mx = false;
  std::vector<net::Address> addresses; ///< empty: could not be resolved (error says why)
  std::string error;
};

/// The hosts to try, in order. Findings for DNS failures are added to rep; the JSON of the MX
/// lookup goes to rep.data["mx"]. Empty when nothing can be tried.
std::vector<SmtpTarget> resolve_smtp_targets(const SmtpTestOptions& options, const std::string& host,
                                             report::Report& rep);

struct TlsaLookup {
  std::vector<tls::TlsaRecord> records;
  bool secure = false;                 ///< AD bit set by the resolver
  std::string status;                  ///< "ok", "nodata", "nxdomain", "timeout"...
};
/// _PORT._tcp.HOST TLSA. Never fails: a DNS failure is a status, not an exception.
TlsaLookup lookup_tlsa(const SmtpTestOptions& options, const std::string& host, std::uint16_t port);

}  // namespace maildiag::app
