#pragma once
/// `maildiag mx DOMAIN...`: MX records and their exchangers' addresses, reverse DNS, policy
/// records (SPF, DMARC, MTA-STS, TLS-RPT), TLSA, optional DNSBL checks and resolver comparison.
/// Many domains (`mx -`) are checked concurrently on one event loop and streamed as they finish.

#include "maildiag/app/common.hpp"
#include "maildiag/report/report.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace maildiag::app {

/// Which lookups beyond MX + addresses to make (`--checks`).
struct MxChecks {
  bool ptr = true;      ///< PTR of every exchanger address and forward confirmation (FCrDNS)
  bool spf = true;      ///< SPF record, include/redirect tree and DNS-lookup count
  bool dmarc = true;    ///< _dmarc TXT
  bool mta_sts = true;  ///< _mta-sts TXT
  bool tls_rpt = true;  ///< _smtp._tls TXT
  bool tlsa = true;     ///< _25._tcp.<exchanger> TLSA
};

/// Parses a --checks value: "all", "none" (MX and addresses only), or a comma list of
/// ptr, spf, dmarc, mta-sts, tls-rpt, tlsa. nullopt + error on an unknown name.
std::optional<MxChecks> parse_mx_checks(std::string_view text, std::string* error);

struct MxOptions {
  CommonOptions common;
  MxChecks checks;
  std::vector<std::string> dnsbl_zones;  ///< empty: no DNSBL checks
  bool compare = false;                  ///< one resolver per --dns-server value; report disagreements
  bool allow_private = false;            ///< private/loopback exchanger addresses are info, not warnings
  std::size_t concurrency = 64;          ///< domains in flight (bulk)
  int tries = 2;                         ///< DNS tries per query within --timeout
};

/// Checks the given domains (concurrently) and returns one report per domain, in input order.
/// Invalid domain names become a report with an "mx.invalid-domain" finding (UNKNOWN).
/// Throws std::runtime_error when no resolver can be set up.
std::vector<report::Report> run_mx(const std::vector<std::string>& domains, const MxOptions& options);

/// Bulk mode: reads domains from `in` line by line (blank lines and '#' comments skipped),
/// keeps `options.concurrency` in flight and writes one result per domain to `out` as it
/// completes — NDJSON with --json, else one compact line. Bad lines are reported and skipped.
/// `progress` (may be null) gets a one-line status now and then (the CLI sends it to a TTY).
/// Returns the worst status over all domains.
struct MxBulkSummary {
  report::Severity worst = report::Severity::ok;
  std::size_t domains = 0;
  std::size_t invalid = 0;
  std::size_t by_status[5] = {};  ///< indexed by report::Severity
  double seconds = 0;
};
MxBulkSummary run_mx_bulk(int input_fd, std::ostream& out, const MxOptions& options,
                          const std::function<void(const std::string&)>& progress);

}  // namespace maildiag::app
