#pragma once
/// Asynchronous DNS on the shared event loop. A Resolver owns one c-ares channel for one set of
/// servers (use one Resolver per server set to compare resolvers: a multi-server channel fails
/// over silently). Queries are sent with AD=1 and EDNS0, answers are read by dns::decode_answer,
/// and every callback runs on the loop — never inside query() — exactly once, with a Status that
/// keeps NXDOMAIN, NODATA, SERVFAIL, REFUSED, timeout, malformed and connection-refused apart.
/// No thread per query, no busy waiting: sockets are watched through ARES_OPT_SOCK_STATE_CB and
/// c-ares timeouts are a loop timer.

#include "maildiag/dns/address.hpp"
#include "maildiag/dns/answer.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::net {
class EventLoop;
}

namespace maildiag::dns {

/// One DNS server: an IP address and a UDP/TCP port.
struct ServerAddress {
  Address address;
  std::uint16_t port = 53;
  [[nodiscard]] std::string to_string() const;  ///< "192.0.2.1:53", "[2001:db8::1]:5353"
  friend bool operator==(const ServerAddress&, const ServerAddress&) = default;
};

/// Parses HOST[:PORT] where HOST is an IP literal: "192.0.2.1", "192.0.2.1:5353", "::1", "[::1]",
/// "[::1]:5353". Host names are refused (a resolver must be reachable without DNS).
std::optional<ServerAddress> parse_server(std::string_view text, std::string* error = nullptr);
/// Parses one --dns-server value, which may list several servers separated by commas.
std::optional<std::vector<ServerAddress>> parse_server_list(std::string_view text, std::string* error = nullptr);

struct ResolverConfig {
  std::vector<ServerAddress> servers;       ///< empty: the system's (/etc/resolv.conf)
  std::chrono::milliseconds timeout{2000};  ///< first try per server; c-ares doubles it each round
  int tries = 2;                            ///< rounds over the server list
  /// When non-zero, overrides `timeout` so that every try on every server fits in this budget:
  /// timeout = budget / (servers × (2^tries − 1)). A silent server then costs exactly `budget`.
  std::chrono::milliseconds budget{0};
  std::size_t max_in_flight = 256;  ///< queries outstanding on the channel; more wait in a FIFO
  int udp_receive_buffer = 0;       ///< SO_RCVBUF in bytes (0: system default); raise it for bulk
  std::uint16_t edns_payload = 1232;  ///< EDNS0 UDP payload size; 0 sends no OPT record
  bool request_ad = true;  ///< AD=1 in queries: a validating resolver then reports AD (RFC 6840 §5.7)
};

class Resolver {
 public:
  using Callback = std::function<void(const Answer&)>;

  /// Throws std::runtime_error when the channel cannot be created (e.g. no usable system resolver).
  Resolver(net::EventLoop& loop, ResolverConfig config);
  /// Drops pending queries without calling their callbacks. Destroy before the loop; never from
  /// inside one of this resolver's callbacks.
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /// Asks for `type` records of `name` (an absolute name; no search list is applied). `done`
  /// runs later on the loop, exactly once.
  void query(std::string name, RRType type, Callback done);

  /// Queries sent or queued and not answered yet.
  [[nodiscard]] std::size_t pending() const;
  /// Who answers: "127.0.0.1:53", or "system: 192.0.2.53:53, ..." — used in findings such as
  /// "AD from resolver X".
  [[nodiscard]] const std::string& description() const;
  [[nodiscard]] const ResolverConfig& config() const;
  /// The first-try timeout in effect (after applying `budget`).
  [[nodiscard]] std::chrono::milliseconds try_timeout() const;

  struct Stats {
    std::uint64_t sent = 0;
    std::uint64_t answered = 0;  ///< a reply was read (any RCODE)
    std::uint64_t timeouts = 0;
    std::uint64_t udp_sends = 0;  ///< sendmmsg() calls: the UDP queries of one loop turn go out together
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// True for names c-ares can put on the wire as given: LDH labels plus '_' and '*', at most 253
/// characters, no empty label. Names from hostile answers with escapes are not queried.
bool is_queryable_name(std::string_view name);

}  // namespace maildiag::dns
