#pragma once
// mx-private: the data one domain's check collects (mx_check.cpp, mx_spf.cpp fill it) and the
// functions that turn it into a Report (mx_findings.cpp, mx_policy.cpp, mx_report.cpp).

#include "maildiag/app/mx.hpp"
#include "maildiag/dns/answer.hpp"
#include "maildiag/dns/dnsbl.hpp"
#include "maildiag/dns/idn.hpp"
#include "maildiag/dns/mail.hpp"
#include "maildiag/dns/resolver.hpp"
#include "maildiag/dns/spf.hpp"
#include "maildiag/net/event_loop.hpp"
#include "maildiag/report/report.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace maildiag::app::mx_detail {

/// A TXT lookup for a versioned policy record (SPF, DMARC, MTA-STS, TLS-RPT). Until answered it
/// reads as "timeout": a check cut by its deadline shows what did not finish.
struct TxtLookup {
  std::string name;
  dns::Status status = dns::Status::timeout;
  std::string error = "no answer before the check's deadline";
  std::vector<std::string> records;  ///< TXT strings with the record's version tag
  bool done = false;
};

struct PtrCheck {
  dns::Status status = dns::Status::timeout;
  std::string error = "no answer before the check's deadline";
  std::vector<std::string> names;   ///< PTR targets (at most kMaxPtrNames are followed)
  std::optional<bool> confirmed;    ///< FCrDNS: a PTR name resolves back to the address
  std::string confirmed_by;
  int forward_pending = 0;
  bool done = false;
};

struct DnsblCheck {
  std::string zone;
  std::string query;
  dns::DnsblResult result;
  std::string reason;  ///< the listing's TXT, sanitised
  bool done = false;
};

struct AddressCheck {
  dns::Address address;
  PtrCheck ptr;
  std::vector<DnsblCheck> dnsbl;
};

struct ExchangerCheck {
  std::vector<AddressCheck> addresses;
  std::optional<dns::Answer> tlsa;  ///< absent when not asked or not answered
};

/// An include: or redirect= target the SPF walk fetched.
struct SpfNode {
  std::string domain;
  std::string via;  ///< the term that led here
  int depth = 1;
  TxtLookup lookup;
  std::optional<dns::SpfRecord> record;
};

struct SpfCheck {
  TxtLookup top;
  std::optional<dns::SpfRecord> record;  ///< when exactly one SPF record was found
  std::vector<SpfNode> nodes;
  std::set<std::string> visited;
  int lookups = 0;       ///< DNS-lookup terms counted over the tree (RFC 7208 §4.6.4 limit 10)
  int void_lookups = 0;  ///< include/redirect targets that were NXDOMAIN/NODATA (limit 2)
  bool truncated = false;  ///< the walk stopped early (limit exceeded, depth or fetch bound)
};

/// One resolver's view for --compare.
struct ResolverView {
  std::string resolver;
  std::optional<dns::MxHosts> mx;
};

struct DomainResult {
  std::string input;
  dns::DomainName name;
  std::string resolver;
  std::optional<dns::MxHosts> mx;        ///< absent only when the deadline cut the MX lookup
  std::vector<ExchangerCheck> exchangers;  ///< parallel to mx->hosts
  SpfCheck spf;
  TxtLookup dmarc, mta_sts, tls_rpt;
  std::vector<ResolverView> compare;     ///< [0] is the primary resolver
  double elapsed_ms = 0;
  bool deadline_hit = false;
};

struct Settings {
  MxChecks checks;
  dns::Families families;
  std::vector<std::string> dnsbl_zones;
  bool allow_private = false;
  bool compare = false;
  std::chrono::milliseconds deadline{30'000};  ///< the whole domain's check
  bool tables = true;  ///< the text view's tables; bulk mode prints one line or the JSON, neither has them
};

inline constexpr std::size_t kMaxPtrNames = 4;   ///< PTR names followed for FCrDNS
inline constexpr int kSpfLookupLimit = 10;       ///< RFC 7208 §4.6.4
inline constexpr int kSpfVoidLimit = 2;          ///< RFC 7208 §4.6.4
inline constexpr int kSpfMaxDepth = 10;
inline constexpr std::size_t kSpfMaxFetches = 20;

/// Runs every lookup of one domain on `resolvers` ([0] primary; more only with --compare) and
/// calls `done` once with the result — when all lookups are answered or at the deadline.
class DomainCheck : public std::enable_shared_from_this<DomainCheck> {
 public:
  using Done = std::function<void(DomainResult)>;
  static void start(net::EventLoop& loop, const std::vector<dns::Resolver*>& resolvers, const Settings& settings,
                    std::string input, dns::DomainName name, Done done);

  DomainCheck(net::EventLoop& loop, std::vector<dns::Resolver*> resolvers, const Settings& settings, Done done)
      : loop_(loop), resolvers_(std::move(resolvers)), settings_(settings), done_(std::move(done)) {}

  [[nodiscard]] dns::Resolver& resolver() { return *resolvers_.front(); }
  [[nodiscard]] DomainResult& result() { return result_; }

  /// Wraps a callback: counts it as pending, skips it once the check has finished, and finishes
  /// the check when the last pending callback returns.
  template <typename F>
  auto track(F f) {
    ++pending_;
    return [self = shared_from_this(), f = std::move(f)](auto&&... args) mutable {
      if (self->finished_) return;
      f(std::forward<decltype(args)>(args)...);
      self->end();
    };
  }

 private:
  net::EventLoop& loop_;
  std::vector<dns::Resolver*> resolvers_;
  const Settings& settings_;
  Done done_;
  DomainResult result_;
  int pending_ = 0;
  bool finished_ = false;
  net::EventLoop::TimerId deadline_ = 0;
  net::Clock::time_point started_;

  void begin();
  void end();
  void finish();
  void on_mx(dns::MxHosts mx);
  void check_address(std::size_t host, std::size_t addr);
  void confirm_ptr(std::size_t host, std::size_t addr, const std::string& name);
  void check_dnsbl(std::size_t host, std::size_t addr, std::size_t zone);
  void lookup_txt(TxtLookup& slot, std::string name, bool (*is_record)(std::string_view));
};

/// Starts the SPF walk (mx_spf.cpp): TXT at the domain, then include/redirect targets.
void start_spf(const std::shared_ptr<DomainCheck>& check);

// ---- report (mx_findings.cpp, mx_policy.cpp, mx_report.cpp) ------------------------------------

void add_mx_findings(report::Report& r, const DomainResult& d, const Settings& s);
void add_address_findings(report::Report& r, const DomainResult& d, const Settings& s);
void add_policy_findings(report::Report& r, const DomainResult& d, const Settings& s);
void add_tlsa_findings(report::Report& r, const DomainResult& d, const Settings& s);
void add_compare_findings(report::Report& r, const DomainResult& d);

report::Report build_report(const DomainResult& d, const Settings& s);
/// Why an input line is not checked: `error` in English for the JSON data (a stable schema, and
/// the bulk line), `title` in the chosen language for the finding.
struct InvalidInput {
  std::string error;
  std::string title;
};
/// A catalog sentence as an InvalidInput (English error, translated title).
InvalidInput invalid_input(std::string_view id, const std::vector<std::string>& args = {});
/// A report for an input line that is not a domain name (UNKNOWN, id mx.invalid-domain).
report::Report invalid_domain_report(std::string_view input, const InvalidInput& why);
/// Bulk text output's one line for a checked domain: "STATUS domain mx=10:mx1,20:mx2 12ms ids...".
std::string compact_line(const report::Report& r, const DomainResult& d);
/// ... and for an input line that is not a domain: "UNKN input mx.invalid-domain error".
std::string compact_line(const report::Report& r, const InvalidInput& why);

// ---- JSON (mx_json.cpp): the one writer of mx's `data` (docs/mx.md) ----------------------------

/// Appends the `data` object of a checked domain as JSON text.
void write_data(std::string& out, const DomainResult& d, const Settings& s);
/// Appends the `data` object of an input line that is not a domain: domain null, error, input.
void write_invalid_data(std::string& out, std::string_view input, const InvalidInput& why);

/// "mx1.example (xn--...)" for display of a DNS name.
std::string display_name(std::string_view ascii);
/// "10 mx1.example, 20 mx2.example" — a resolver's MX set, for compare tables.
std::string mx_set_text(const dns::MxHosts& mx);

}  // namespace maildiag::app::mx_detail
