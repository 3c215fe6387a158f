#pragma once
/// `maildiag probe TARGET...`: which mail ports answer, on every address of every host, at once.
///
/// A TARGET is an IP address, a HOST, HOST:PORT, or a mail DOMAIN (its MX hosts in preference
/// order). Every (host x address x port) attempt runs concurrently on one event loop; an open port
/// has its banner read (after the TLS handshake on implicit-TLS ports) and classified with the
/// shared classifier. Port 25 gets a verdict that tells "nothing listens there" from "something
/// drops our SYNs" and, with control hosts, "outbound port 25 is blocked on this side".

#include "maildiag/app/common.hpp"
#include "maildiag/report/report.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::app {

/// What to expect on a port: decides implicit TLS and how the banner is read.
enum class Protocol { smtp, smtps, submission, pop3, pop3s, imap, imaps, tcp };
std::string_view to_string(Protocol p);  ///< "smtp", "smtps", ..., "tcp"
/// By name ("smtp", "submissions" is an alias of "smtps", "pop3s", ...), case-insensitive.
std::optional<Protocol> protocol_from_name(std::string_view name);
/// The IANA port of a protocol (smtp 25, smtps 465, submission 587, pop3 110, pop3s 995,
/// imap 143, imaps 993); 0 for tcp.
std::uint16_t standard_port(Protocol p);
/// The protocol usually found on a port number (25 -> smtp, 2525 -> smtp ...); tcp when unknown.
Protocol protocol_for_port(std::uint16_t port);
bool implicit_tls(Protocol p);  ///< smtps, pop3s, imaps

struct PortSpec {
  std::uint16_t port = 0;
  Protocol protocol = Protocol::tcp;
  [[nodiscard]] std::string label() const;  ///< "25/smtp", "4465/smtps"
  friend bool operator==(const PortSpec&, const PortSpec&) = default;
};

/// Parses one -p value: a comma-separated list of items, each
///   NUMBER            protocol from protocol_for_port (25 -> smtp, 12345 -> tcp: banner shown as is)
///   NAME              its standard port (smtp -> 25/smtp, imaps -> 993/imaps)
///   NUMBER/NAME       a port carrying that protocol (2525/smtp, 4465/smtps, 2110/pop3)
/// Duplicates are dropped. nullopt with *error on an unknown name or a bad number.
std::optional<std::vector<PortSpec>> parse_ports(std::string_view text, std::string* error = nullptr);
/// 25, 465, 587, 110, 995, 143, 993 with their protocols.
std::vector<PortSpec> default_ports();

/// Well-known MX hosts of unrelated providers, probed on port 25 to tell "our outbound 25 is
/// blocked" from "the target is down". Documented in docs/probe.md.
std::vector<std::string> default_control_hosts();

enum class TargetReading {
  automatic,  ///< an IP literal or localhost is a host; a name with MX records is a domain; else a host
  mx,         ///< --mx: always the MX hosts of the name (implicit MX when it has none)
  host,       ///< --host: always the name's own addresses
};

struct ProbeOptions {
  std::vector<std::string> targets;
  std::vector<PortSpec> ports;          ///< empty: default_ports()
  TargetReading reading = TargetReading::automatic;
  bool banner = true;                   ///< --no-banner: connect only
  /// Control hosts (HOST or HOST:PORT, port 25 when absent). Probed only when a target's port 25
  /// got no answer (or had none after 1 s); empty with --no-control.
  std::vector<std::string> controls = default_control_hosts();
  std::size_t concurrency = 256;        ///< attempts in flight at once
  std::optional<std::string> source;    ///< --source: local address to bind
  // TLS on implicit-TLS ports
  std::string ca_file;
  std::string sni;                      ///< override (default: the host name, none for IP literals)
  bool no_verify = false;
  int expiry_warn_days = 14;
};

// ---- verdict logic (pure; unit-tested on constructed scenarios) ---------------------------------

/// The outcome of one port-25 attempt as the verdict logic sees it.
enum class Reach { open, refused, filtered, unreachable, blocked, error };

struct Port25Facts {
  std::vector<Reach> target;   ///< every port-25 attempt to the target's hosts (all addresses)
  std::vector<Reach> control;  ///< every port-25 attempt to control hosts (empty: none probed)
  bool controls_probed = false;
  std::string port = "port 25";  ///< how titles name the port ("port 25", "port 2525")
};

enum class Port25Verdict {
  not_probed,        ///< port 25 was not in the port list (or no address to try)
  all_open,          ///< every host answered
  some_open,         ///< at least one host answered, some did not
  outbound_blocked,  ///< nothing answered, not even the control hosts: our side blocks port 25
  local_firewall,    ///< a local rule refused to send (EPERM/EACCES)
  remote_refused,    ///< the target's hosts are up but nothing listens on 25 (RST)
  remote_filtered,   ///< the target's hosts drop our SYNs while control hosts answer
  remote_unreachable,///< no route to the target's hosts while control hosts answer
  undetermined,      ///< nothing answered and no control host could tell whose side it is
};
std::string_view to_string(Port25Verdict v);  ///< "all-open", "outbound-blocked", ...

struct Port25Judgement {
  Port25Verdict verdict = Port25Verdict::not_probed;
  report::Severity severity = report::Severity::ok;
  std::string title;   ///< one line, e.g. "Outbound port 25 looks blocked on this side"
  std::string detail;  ///< why we think so, in words
  std::string remediation;
};
Port25Judgement judge_port25(const Port25Facts& facts);
/// True when the control hosts are worth probing for these target facts (nothing opened yet).
bool controls_needed(const std::vector<Reach>& target);

// ---- runner ------------------------------------------------------------------------------------

/// One report per target, in the order given. Invalid targets are refused before any network
/// use: nullopt with *error set (the CLI turns that into a usage error).
std::optional<std::vector<report::Report>> run_probe(const ProbeOptions& options, const CommonOptions& common,
                                                     std::string* error);

}  // namespace maildiag::app
