#pragma once
// probe-private: the data one probe run collects, the banner reader/classifier and the report
// builder. probe_runner.cpp fills Run; probe_report.cpp turns it into Reports.

#include "maildiag/app/probe.hpp"
#include "maildiag/codes/classify.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/address.hpp"
#include "maildiag/net/connect.hpp"
#include "maildiag/tls/report.hpp"
#include "maildiag/util/line_reader.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace maildiag::app::probe_detail {

// ---- banners (probe_banner.cpp; pure) -----------------------------------------------------------

/// How reading the first reply ended.
enum class BannerStatus {
  not_read,        ///< --no-banner, or the port did not open
  complete,        ///< a complete greeting (whatever it says)
  timeout_silent,  ///< not one byte before the deadline
  timeout_partial, ///< some bytes, no complete greeting before the deadline (a drip)
  eof,             ///< the server closed before a complete greeting
  too_long,        ///< a line longer than the limit
  too_many_lines,  ///< a multi-line greeting that does not end
  tls_failed,      ///< implicit TLS: the handshake failed, so no banner
  error,           ///< socket error
};
std::string_view to_string(BannerStatus s);

/// Limits for reading a greeting: RFC 5321 allows 512-byte lines; real servers stay far below 2 KiB.
util::LineLimits banner_limits();

/// Feeds greeting bytes; knows when the greeting is complete for a protocol
/// (SMTP: up to the "NNN " line; others: one line).
class BannerReader {
 public:
  explicit BannerReader(Protocol protocol) : protocol_(protocol), reader_(banner_limits()) {}
  /// Returns true once the greeting is complete or a limit was hit (then status() says which).
  bool feed(std::string_view bytes);
  [[nodiscard]] bool done() const { return done_; }
  [[nodiscard]] BannerStatus status() const { return status_; }
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  /// Partial line at the moment of a timeout / overlong line (raw; sanitize before printing).
  [[nodiscard]] std::string_view partial() const { return reader_.partial(); }

 private:
  Protocol protocol_;
  util::LineReader reader_;
  std::vector<std::string> lines_;
  std::size_t bytes_ = 0;
  bool done_ = false;
  BannerStatus status_ = BannerStatus::not_read;
};

/// What a greeting says.
struct BannerReading {
  std::string kind;                ///< "smtp", "pop3", "imap", "unknown"
  bool matches = true;             ///< the kind fits the port's protocol
  std::optional<codes::Classification> classification;
  report::Severity severity = report::Severity::ok;
  std::string summary;             ///< one line: "220 ready", "421 busy: ...", "garbage"
};
/// Classifies complete greeting lines through the shared classifier (codes::classify,
/// classify_pop3, imap::classify).
BannerReading read_banner(Protocol protocol, const std::vector<std::string>& lines);

// ---- one run's data -----------------------------------------------------------------------------

struct Banner {
  BannerStatus status = BannerStatus::not_read;
  std::vector<std::string> lines;  ///< raw, bounded by banner_limits()
  std::string partial;             ///< raw partial line (timeouts, overlong lines), bounded
  std::size_t bytes = 0;
  double ms = 0;                   ///< from the connect to the end of the greeting (or giving up)
  std::string detail;
};

enum class Role { target, control };

struct Attempt {
  Role role = Role::target;
  std::size_t target = 0;          ///< index into Run::targets (targets only)
  std::size_t host = 0;            ///< index into the target's hosts (or Run::control_hosts)
  PortSpec port;
  net::ConnectAttempt connect;     ///< outcome, latency, errno (address and port filled at queueing)
  bool started = false;
  bool finished = false;
  Banner banner;
  std::optional<tls::TlsReport> tls;
  std::string injected;            ///< plaintext seen before the implicit-TLS handshake (bounded)
};

struct Host {
  std::string name;                  ///< as probed (MX name, host name, or the IP literal)
  std::optional<std::uint16_t> preference;  ///< MX preference when reached through MX
  std::string dns_status = "ok";     ///< dns::to_string(Status) of the address lookup, "literal"
  std::string dns_error;
  std::vector<net::Address> addresses;
  std::vector<PortSpec> ports;       ///< ports to probe on this host
};

struct Target {
  std::string input;
  std::string name;                  ///< host part of the input
  std::string reading;               ///< "address", "host", "mx", "implicit-mx", "null-mx", "invalid"
  std::vector<PortSpec> ports;
  bool explicit_ports = false;       ///< -p or HOST:PORT: every silent port counts, not only SMTP
  std::string dns_status = "ok";     ///< MX lookup status (names read as domains)
  std::string dns_error;
  bool resolved = false;
  std::vector<Host> hosts;
};

struct Run {
  ProbeOptions options;
  std::chrono::milliseconds timeout{10'000};
  std::vector<Target> targets;
  std::vector<Host> control_hosts;
  bool controls_probed = false;
  std::string controls_error;
  std::vector<Attempt> attempts;     ///< targets' and controls' attempts
  bool interrupted = false;          ///< Ctrl-C/SIGTERM ended the run early (util/interrupt.hpp)
  double elapsed_ms = 0;
};

/// Builds one Report per target from a finished run (probe_report.cpp).
std::vector<report::Report> build_reports(const Run& run);
/// Reach of a connect outcome for the verdict logic.
Reach reach_of(net::ConnectOutcome o);

}  // namespace maildiag::app::probe_detail
