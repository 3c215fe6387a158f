#include "maildiag/net/address.hpp"

#include "maildiag/util/text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace maildiag::net {

namespace {
std::string_view strip_brackets(std::string_view t) {
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') return t.substr(1, t.size() - 2);
  return t;
}
}  // namespace

std::optional<Address> Address::parse(std::string_view text) {
  text = strip_brackets(text);
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  Address a;
  if (s.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, s.c_str(), a.bytes_) != 1) return std::nullopt;
    a.family_ = IpFamily::v4;
  } else {
    if (inet_pton(AF_INET6, s.c_str(), a.bytes_) != 1) return std::nullopt;
    a.family_ = IpFamily::v6;
  }
  return a;
}

Address Address::loopback_v4() { return *parse("127.0.0.1"); }
Address Address::loopback_v6() { return *parse("::1"); }

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v6() ? AF_INET6 : AF_INET, bytes_, buf, sizeof buf);
  return buf;
}

std::string Address::to_string(std::uint16_t port) const {
  const auto p = std::to_string(port);
  return is_v6() ? "[" + to_string() + "]:" + p : to_string() + ":" + p;
}

std::size_t Address::to_sockaddr(std::uint16_t port, sockaddr* storage) const {
  if (is_v6()) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    std::memcpy(&sin6.sin6_addr, bytes_, 16);
    std::memcpy(storage, &sin6, sizeof sin6);
    return sizeof sin6;
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  std::memcpy(&sin.sin_addr, bytes_, 4);
  std::memcpy(storage, &sin, sizeof sin);
  return sizeof sin;
}

std::optional<Address> Address::from_sockaddr(const sockaddr* sa, std::uint16_t* port) {
  Address a;
  if (sa->sa_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, sa, sizeof sin);
    a.family_ = IpFamily::v4;
    std::memcpy(a.bytes_, &sin.sin_addr, 4);
    if (port != nullptr) *port = ntohs(sin.sin_port);
    return a;
  }
  if (sa->sa_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, sa, sizeof sin6);
    a.family_ = IpFamily::v6;
    std::memcpy(a.bytes_, &sin6.sin6_addr, 16);
    if (port != nullptr) *port = ntohs(sin6.sin6_port);
    return a;
  }
  return std::nullopt;
}

bool operator==(const Address& a, const Address& b) {
  return a.family_ == b.family_ && std::memcmp(a.bytes_, b.bytes_, a.size()) == 0;
}

bool is_ip_literal(std::string_view text) { return Address::parse(text).has_value(); }

std::vector<Address> interleave_families(const std::vector<Address>& addrs) {
  if (addrs.empty()) return {};
  const IpFamily first = addrs.front().family();
  std::vector<Address> a;
  std::vector<Address> b;
  for (const auto& x : addrs) (x.family() == first ? a : b).push_back(x);
  std::vector<Address> out;
  out.reserve(addrs.size());
  for (std::size_t i = 0; i < a.size() || i < b.size(); ++i) {
    if (i < a.size()) out.push_back(a[i]);
    if (i < b.size()) out.push_back(b[i]);
  }
  return out;
}

std::optional<HostPort> parse_host_port(std::string_view text, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<HostPort> {
    if (error != nullptr) *error = std::move(msg);
    return std::nullopt;
  };
  text = util::trim(text);
  HostPort hp;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']' in \"" + util::sanitize(text, 80) + "\"");
    hp.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("unexpected text after ']' in \"" + util::sanitize(text, 80) + "\"");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const auto first = text.find(':');
    if (first != std::string_view::npos && text.find(':', first + 1) == std::string_view::npos) {
      hp.host = std::string(text.substr(0, first));
      port_text = text.substr(first + 1);
      has_port = true;
    } else {
      hp.host = std::string(text);  // a name, an IPv4 literal or a bare IPv6 literal
    }
  }
  if (hp.host.empty()) return fail("empty host in \"" + util::sanitize(text, 80) + "\"");
  if (hp.host.find_first_of("[] \t") != std::string::npos) {
    return fail("bad host \"" + util::sanitize(hp.host, 80) + "\"");
  }
  if (has_port) {
    const auto p = util::parse_uint(port_text);
    if (!p || *p == 0 || *p > 65535) return fail("bad port \"" + util::sanitize(port_text, 20) + "\"");
    hp.port = static_cast<std::uint16_t>(*p);
  }
  return hp;
}

}  // namespace maildiag::net
