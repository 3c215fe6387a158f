// Port specifications for `probe`: names, numbers and NUMBER/NAME pairs.

#include "maildiag/app/probe.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::app {

namespace {

struct ProtocolInfo {
  Protocol protocol;
  std::string_view name;
  std::uint16_t port;
};

constexpr ProtocolInfo kProtocols[] = {
    {Protocol::smtp, "smtp", 25},     {Protocol::smtps, "smtps", 465}, {Protocol::submission, "submission", 587},
    {Protocol::pop3, "pop3", 110},    {Protocol::pop3s, "pop3s", 995}, {Protocol::imap, "imap", 143},
    {Protocol::imaps, "imaps", 993},  {Protocol::tcp, "tcp", 0},
};

/// Ports that commonly carry a protocol besides the IANA ones (test setups, alternates).
constexpr std::pair<std::uint16_t, Protocol> kAlternates[] = {
    {2525, Protocol::smtp}, {26, Protocol::smtp}, {2465, Protocol::smtps}, {2587, Protocol::submission},
};

}  // namespace

std::string_view to_string(Protocol p) {
  for (const auto& i : kProtocols) {
    if (i.protocol == p) return i.name;
  }
  return "tcp";
}

std::optional<Protocol> protocol_from_name(std::string_view name) {
  if (util::iequals(name, "submissions")) return Protocol::smtps;  // RFC 8314's name for 465
  if (util::iequals(name, "pop")) return Protocol::pop3;
  if (util::iequals(name, "pops")) return Protocol::pop3s;
  for (const auto& i : kProtocols) {
    if (util::iequals(name, i.name)) return i.protocol;
  }
  return std::nullopt;
}

std::uint16_t standard_port(Protocol p) {
  for (const auto& i : kProtocols) {
    if (i.protocol == p) return i.port;
  }
  return 0;
}

Protocol protocol_for_port(std::uint16_t port) {
  for (const auto& i : kProtocols) {
    if (i.port == port && i.port != 0) return i.protocol;
  }
  for (const auto& [p, proto] : kAlternates) {
    if (p == port) return proto;
  }
  return Protocol::tcp;
}

bool implicit_tls(Protocol p) { return p == Protocol::smtps || p == Protocol::pop3s || p == Protocol::imaps; }

std::string PortSpec::label() const { return std::to_string(port) + "/" + std::string(to_string(protocol)); }

std::vector<PortSpec> default_ports() {
  return {{25, Protocol::smtp},  {465, Protocol::smtps}, {587, Protocol::submission}, {110, Protocol::pop3},
          {995, Protocol::pop3s}, {143, Protocol::imap},  {993, Protocol::imaps}};
}

std::vector<std::string> default_control_hosts() {
  // Three unrelated providers: all three silent on 25 means our side, not theirs.
  return {"gmail-smtp-in.l.google.com", "outlook-com.olc.protection.outlook.com", "mx01.mail.icloud.com"};
}

std::optional<std::vector<PortSpec>> parse_ports(std::string_view text, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<std::vector<PortSpec>> {
    if (error != nullptr) *error = std::move(msg);
    return std::nullopt;
  };
  std::vector<PortSpec> out;
  for (auto item : util::split(text, ',')) {
    item = util::trim(item);
    if (item.empty()) continue;
    PortSpec spec;
    const auto slash = item.find('/');
    const auto number_part = item.substr(0, slash);
    const auto name_part = slash == std::string_view::npos ? std::string_view{} : item.substr(slash + 1);
    if (auto n = util::parse_uint(number_part)) {
      if (*n == 0 || *n > 65535) return fail("port out of range: " + util::sanitize(item, 40));
      spec.port = static_cast<std::uint16_t>(*n);
      spec.protocol = protocol_for_port(spec.port);
      if (slash != std::string_view::npos) {
        auto p = protocol_from_name(name_part);
        if (!p) return fail("unknown protocol \"" + util::sanitize(name_part, 40) + "\" in -p " + util::sanitize(item, 40));
        spec.protocol = *p;
      }
    } else if (slash == std::string_view::npos) {
      auto p = protocol_from_name(item);
      if (!p || *p == Protocol::tcp) return fail("unknown port \"" + util::sanitize(item, 40) + "\" (use a number or smtp, smtps, submission, pop3, pop3s, imap, imaps)");
      spec.port = standard_port(*p);
      spec.protocol = *p;
    } else {
      return fail("bad port \"" + util::sanitize(item, 40) + "\" (use NUMBER, NAME or NUMBER/NAME)");
    }
    if (std::find(out.begin(), out.end(), spec) == out.end()) out.push_back(spec);
  }
  if (out.empty()) return fail("no port given");
  return out;
}

}  // namespace maildiag::app
