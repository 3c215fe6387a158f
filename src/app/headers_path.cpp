// The path part of `maildiag headers`: hops oldest first, like postmarks read bottom-up, and what
// they reveal (forged HELO, crafted headers, unencrypted hops, clock skew, the slow hop, origin).

#include "headers_internal.hpp"
#include "maildiag/message/address.hpp"
#include "maildiag/message/date.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::app::headers_detail {

namespace {

using message::Hop;
using message::Received;
using report::Severity;

constexpr std::int64_t kSlowHopMs = 60'000;         // a hop holding mail a minute is worth naming
constexpr std::int64_t kVerySlowHopMs = 3'600'000;  // an hour: something is wrong there
constexpr std::int64_t kSkewToleranceMs = 1'000;    // clocks within a second are fine

bool hostname_like(std::string_view s) { return s.find('.') != std::string_view::npos && s.front() != '['; }

bool valid_hostname(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

std::string strip_dot(std::string s) {
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

/// "[192.0.2.1]" / "[IPv6:2001:db8::1]" -> the address.
std::string literal_ip(std::string_view helo) {
  if (helo.size() < 3 || helo.front() != '[' || helo.back() != ']') return {};
  helo = helo.substr(1, helo.size() - 2);
  if (util::istarts_with(helo, "IPv6:")) helo.remove_prefix(5);
  return std::string(helo);
}

std::string hop_label(const Hop& h) { return "hop " + std::to_string(h.number); }

std::string when(const Received& rc) {
  if (!rc.date) return "?";
  std::string s = message::format_utc(rc.date->epoch);
  s[10] = ' ';
  s.pop_back();
  return s;
}

bool tls_known(const Received& rc) {
  if (rc.tls.stated()) return true;
  const auto& p = rc.protocol;
  return p == "ESMTPS" || p == "ESMTPSA" || p == "LMTPS" || p == "LMTPSA" || p == "SMTPS" || p == "UTF8SMTPS" ||
         p == "UTF8SMTPSA" || p == "HTTPS";
}

/// HELO versus reverse DNS and address: the HELO is chosen by the sender, the rDNS and IP are
/// what the receiver saw. A mismatch on a public hop is the classic forged-hop hint.
void check_helo(report::Report& r, const Hop& h) {
  const Received& rc = h.received;
  if (!rc.relay || rc.ip.empty() || message::is_private_ip(rc.ip) || !rc.auth.empty() || rc.ambiguous) return;
  const std::string helo = strip_dot(rc.helo);
  const std::string rdns = strip_dot(rc.rdns);
  const std::string evidence = util::sanitize(h.raw, 600);
  if (hostname_like(helo) && !rdns.empty() && rdns.find('.') != std::string::npos &&
      message::organizational_domain(helo) != message::organizational_domain(rdns)) {
    std::string detail = "The sending machine introduced itself as " + util::sanitize(helo, 100) + ", but its address " +
                         rc.ip + " belongs to " + util::sanitize(rdns, 100) +
                         ". The HELO name is whatever the sender types; legitimate servers announce their own name, "
                         "so a mismatch on a public hop is a classic sign of a bot or a forged identity.";
    if (!valid_hostname(helo)) detail += " The HELO name is not even a valid host name.";
    r.add(Severity::warning, "headers.hop.helo-mismatch",
          hop_label(h) + ": HELO " + util::sanitize(helo, 100) + " does not match " + util::sanitize(rdns, 100) + " [" +
              rc.ip + "]",
          detail, evidence, "Trust the address and its rDNS, not the HELO: look up " + rc.ip + " (whois, blocklists).");
  } else if (!helo.empty() && helo.front() == '[' && literal_ip(helo) != rc.ip) {
    r.add(Severity::info, "headers.hop.helo-literal", hop_label(h) + ": HELO " + util::sanitize(helo, 60) +
                                                           " is not the connecting address " + rc.ip,
          "The client greeted with a different address: it is behind NAT or lying.", evidence);
  } else if (!helo.empty() && helo.front() != '[' && helo.find('.') == std::string::npos) {
    r.add(Severity::info, "headers.hop.helo-not-fqdn",
          hop_label(h) + ": HELO " + util::sanitize(helo, 60) + " is not a fully-qualified host name",
          "Many receivers reject or score a bare HELO (RFC 5321 4.1.1.1 asks for the FQDN).", evidence);
  }
  if (rdns.empty() && rc.ip_source == message::IpSource::tcp_info) {
    r.add(Severity::info, "headers.hop.no-rdns", hop_label(h) + ": " + rc.ip + " has no reverse DNS",
          "Large receivers reject or distrust mail from addresses without a PTR record.", evidence,
          "The sender's network operator should publish a PTR record for " + rc.ip + ".");
  }
}

void check_tls(report::Report& r, const Facts& f) {
  std::vector<std::string> plain;
  std::vector<std::string> weak;
  for (const auto& h : f.trace.hops) {
    const Received& rc = h.received;
    if (f.broken_at && static_cast<std::size_t>(h.number) <= *f.broken_at + 1) continue;  // claims, not facts
    if (!rc.relay || rc.ip.empty() || message::is_private_ip(rc.ip)) continue;
    if (!tls_known(rc)) plain.push_back(std::to_string(h.number) + " (" + util::sanitize(rc.by, 60) + ")");
    const auto& v = rc.tls.version;
    if (v == "TLSv1.0" || v == "TLSv1.1" || v == "SSLv3") weak.push_back(std::to_string(h.number) + " " + v);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!plain.empty()) {
    r.add(Severity::warning, "headers.hop.no-tls", "Hops across the internet without TLS stated: " + join(plain),
          "These hops came from public addresses and their Received headers state no encryption: the message (and "
          "any password in it) may have crossed the network in clear text. Some MTAs (qmail, older Exchange) never "
          "write TLS details; check the receiving server's log for the hop's queue id.",
          {}, "Require STARTTLS between these servers (MTA-STS or DANE for inbound mail).");
  }
  if (!weak.empty()) {
    r.add(Severity::warning, "headers.hop.old-tls", "Hops with deprecated TLS versions: " + join(weak),
          "TLS 1.0/1.1 and SSLv3 are deprecated (RFC 8996).", {}, "Enable TLS 1.2 or later on these servers.");
  }
}

void check_delays(report::Report& r, const message::Trace& t) {
  const Hop* slow = nullptr;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < t.hops.size(); ++i) {
    const Hop& h = t.hops[i];
    if (!h.delay_ms) continue;
    if (*h.delay_ms < -kSkewToleranceMs) {
      const Hop* prev = nullptr;
      for (std::size_t j = i; j-- > 0;) {
        if (t.hops[j].received.date) {
          prev = &t.hops[j];
          break;
        }
      }
      r.add(Severity::warning, "headers.hop.clock-skew",
            hop_label(h) + " is stamped " + message::format_duration(-*h.delay_ms) + " before " +
                (prev ? hop_label(*prev) : std::string("the previous hop")),
            "Time cannot run backwards along the path: the clock of " + util::sanitize(h.received.by, 80) +
                (prev ? " or of " + util::sanitize(prev->received.by, 80) : std::string()) +
                " is wrong (or a header was forged). Delays around it are unreliable.",
            util::sanitize(h.raw, 400), "Run NTP (chrony, systemd-timesyncd) on both servers.");
      continue;
    }
    total += *h.delay_ms;
    if (slow == nullptr || *h.delay_ms > *slow->delay_ms) slow = &h;
  }
  if (slow == nullptr || *slow->delay_ms < kSlowHopMs || *slow->delay_ms * 2 < total) return;
  r.add(*slow->delay_ms >= kVerySlowHopMs ? Severity::warning : Severity::info, "headers.hop.bottleneck",
        hop_label(*slow) + " held the message for " + message::format_duration(*slow->delay_ms) + " (of " +
            message::format_duration(total) + " between the first and last hop)",
        "The delay was added between the previous hop and " + util::sanitize(slow->received.by, 80) +
            ": greylisting, a deferred retry, a queue backlog or slow content scanning there.",
        util::sanitize(slow->raw, 400),
        "Look up queue id " + util::sanitize(slow->received.id.empty() ? "?" : slow->received.id, 80) + " in the logs of " +
            util::sanitize(slow->received.by, 80) + " and of the previous hop.");
}

void check_crafted(report::Report& r, const message::Trace& t) {
  for (const auto& h : t.hops) {
    if (!h.received.ambiguous) continue;
    r.add(Severity::warning, "headers.hop.crafted", hop_label(h) + "'s Received header looks crafted",
          "Its from-clause has unbalanced parentheses, stray quotes, a second 'by' or several different addresses - "
          "what an injected fake TCP-info comment looks like. Its address is not trusted.",
          util::sanitize(h.raw, 600));
  }
}

nlohmann::json hop_json(const Hop& h) {
  const Received& rc = h.received;
  nlohmann::json j = {{"hop", h.number},
                      {"line", h.header_line},
                      {"helo", util::sanitize(rc.helo, 300)},
                      {"rdns", util::sanitize(rc.rdns, 300)},
                      {"ip", rc.ip},
                      {"ip_source", std::string(message::to_string(rc.ip_source))},
                      {"by", util::sanitize(rc.by, 300)},
                      {"protocol", util::sanitize(rc.protocol, 60)},
                      {"tls", {{"stated", rc.tls.stated()},
                               {"implied", tls_known(rc)},
                               {"version", util::sanitize(rc.tls.version, 60)},
                               {"cipher", util::sanitize(rc.tls.cipher, 120)},
                               {"bits", util::sanitize(rc.tls.bits, 20)}}},
                      {"id", util::sanitize(rc.id, 200)},
                      {"for", util::sanitize(rc.for_addr, 300)},
                      {"envelope_from", util::sanitize(rc.envelope_from, 300)},
                      {"auth", util::sanitize(rc.auth, 100)},
                      {"software", util::sanitize(rc.software, 200)},
                      {"relay", rc.relay},
                      {"private", !rc.ip.empty() && message::is_private_ip(rc.ip)},
                      {"crafted", rc.ambiguous},
                      {"raw", util::sanitize(h.raw, 2000)}};
  j["date_utc"] = rc.date ? nlohmann::json(message::format_utc(rc.date->epoch)) : nlohmann::json(nullptr);
  j["delay_ms"] = h.delay_ms ? nlohmann::json(*h.delay_ms) : nlohmann::json(nullptr);
  return j;
}

bool is_public(const Received& rc) { return rc.relay && !rc.ip.empty() && !message::is_private_ip(rc.ip); }

/// Was `older` written by the machine `newer` received the message from? The receiver's view
/// (rDNS, address) decides; the HELO counts too unless it contradicts the rDNS (then it is the
/// forged-HELO case and only what the receiver saw is believed).
bool continuous(const Received& older, const Received& newer) {
  if (newer.ip.empty()) return true;  // a local pickup or re-injection: nothing seen to compare
  if (!newer.ip.empty() && message::is_private_ip(newer.ip)) return true;       // inside one network
  const std::string by = strip_dot(util::to_lower(older.by));
  if (by.empty() || by == newer.ip || (!older.by_ip.empty() && older.by_ip == newer.ip)) return true;
  if (message::is_ip_literal(by)) return message::is_private_ip(by);  // a NATed server names itself by address
  if (by.find('.') == std::string::npos) return true;                 // "by mx89": nothing to compare
  const std::string org = message::organizational_domain(by);
  const std::string rdns = strip_dot(util::to_lower(newer.rdns));
  const std::string helo = strip_dot(util::to_lower(newer.helo));
  const bool helo_believable = rdns.empty() || message::organizational_domain(helo) == message::organizational_domain(rdns);
  if (!rdns.empty() && message::organizational_domain(rdns) == org) return true;
  if (helo_believable && !helo.empty() && helo.front() != '[' && message::organizational_domain(helo) == org) return true;
  return rdns.empty() && (helo.empty() || helo.front() == '[');  // nothing named: cannot judge
}

void add_origin(report::Report& r, const Facts& f) {
  if (f.broken_at) {
    const Hop& newer = f.trace.hops[*f.broken_at + 1];
    const Hop& older = f.trace.hops[*f.broken_at];
    std::string claimed;
    for (std::size_t i = 0; i <= *f.broken_at; ++i) {
      if (is_public(f.trace.hops[i].received)) {
        claimed = f.trace.hops[i].received.ip;
        break;
      }
    }
    const std::string which = older.number == 1 ? "Hop 1 was" : "Hops 1-" + std::to_string(older.number) + " were";
    // The forger's pattern: the HELO repeats the fake "by" name while the rDNS says otherwise.
    const std::string rdns = strip_dot(newer.received.rdns);
    const std::string helo = strip_dot(newer.received.helo);
    const bool imitated = !rdns.empty() && !helo.empty() &&
                          message::organizational_domain(helo) != message::organizational_domain(rdns);
    r.add(imitated ? Severity::warning : Severity::info, "headers.hop.unverifiable",
          which + " not written by the host " + hop_label(newer) + " came from" +
              (imitated ? ": possibly forged" : " (names differ)"),
          hop_label(newer) + " was received from " + describe_peer(newer.received) + ", but " + hop_label(older) +
              " says it was received by " + util::sanitize(older.received.by, 100) +
              ". Everything below the break was already in the message when it arrived and may be made up" +
              (claimed.empty() ? std::string(".") : "; the address it claims as the origin, " + claimed + ", is not proven."),
          util::sanitize(older.raw, 400),
          imitated ? "Trust the path from " + hop_label(newer) + " up only."
                   : "Often harmless (a server whose name and PTR are in different domains); trust the path from " +
                         hop_label(newer) + " up only.");
  }
  if (f.entry) {
    const Hop& e = f.trace.hops[*f.entry];
    r.sections.front().rows.push_back({"Received from", describe_peer(e.received) + " by " + util::sanitize(e.received.by, 100) + ", " + hop_label(e)});
  }

  if (!f.origin) {
    r.data["origin"] = nullptr;
    return;
  }
  const Hop& h = f.trace.hops[*f.origin];
  const Received& rc = h.received;
  std::string who = rc.ip;
  if (!rc.rdns.empty()) who += " (" + util::sanitize(strip_dot(rc.rdns), 100) + ")";
  std::string detail =
      "The oldest public address on the verified part of the path (each header written by the host the next hop "
      "saw): the machine that handed the message to the internet. Anything below it was written by the sender's "
      "own systems and cannot be checked.";
  if (!rc.helo.empty() && strip_dot(rc.helo) != strip_dot(rc.rdns)) {
    detail += " It called itself " + util::sanitize(rc.helo, 100) + ".";
  }
  r.add(Severity::info, "headers.origin", "Origin: " + who + ", " + hop_label(h), detail, util::sanitize(h.raw, 600),
        "Check " + rc.ip + " against blocklists: maildiag mx or any DNSBL lookup.");
  r.data["origin"] = {{"hop", h.number}, {"ip", rc.ip}, {"rdns", util::sanitize(rc.rdns, 300)},
                      {"helo", util::sanitize(rc.helo, 300)}};
}

void add_transit(report::Report& r, const Facts& f) {
  std::optional<std::int64_t> last;
  for (const auto& h : f.trace.hops) {
    if (h.received.date) last = h.received.date->epoch_ms();
  }
  r.data["transit_ms"] = nullptr;
  r.data["path_ms"] = f.trace.total_ms ? nlohmann::json(*f.trace.total_ms) : nlohmann::json(nullptr);
  if (!f.date_ms || !last) return;
  const std::int64_t transit = *last - *f.date_ms;
  r.data["transit_ms"] = transit;
  r.sections.front().rows.push_back({"Transit", message::format_duration(transit) + " from Date: to final delivery"});
  if (transit < -60'000) {
    r.add(Severity::warning, "headers.date.future", "Date: is " + message::format_duration(-transit) +
                                                         " after the final delivery",
          "The sender's clock runs ahead (or Date: was forged to float the message to the top of the inbox).");
  }
}

}  // namespace

void locate_origin(Facts& f) {
  const auto& hops = f.trace.hops;
  for (std::size_t i = hops.size(); i-- > 0;) {
    if (is_public(hops[i].received)) {
      f.entry = i;
      break;
    }
  }
  if (!f.entry) return;
  f.origin = f.entry;
  for (std::size_t i = *f.entry; i-- > 0;) {
    if (!continuous(hops[i].received, hops[i + 1].received)) {
      f.broken_at = i;
      return;
    }
    if (is_public(hops[i].received) && !hops[i].received.ambiguous) f.origin = i;
  }
}

std::string describe_peer(const Received& rc) {
  std::string s = util::sanitize(rc.helo.empty() ? rc.from_word : rc.helo, 80);
  if (!rc.rdns.empty() && strip_dot(rc.rdns) != strip_dot(rc.helo)) s += " (" + util::sanitize(rc.rdns, 80) + ")";
  if (!rc.ip.empty() && rc.helo != "[" + rc.ip + "]") s += " [" + rc.ip + "]";
  if (rc.ambiguous) s += " (crafted?)";
  return util::trim(s).empty() ? "-" : std::string(util::trim(s));
}

std::string describe_tls(const Received& rc) {
  if (rc.tls.stated()) {
    std::string s = rc.tls.version.empty() ? "yes" : rc.tls.version;
    if (!rc.tls.cipher.empty()) s += " " + rc.tls.cipher;
    return util::sanitize(s, 80);
  }
  return tls_known(rc) ? "yes (" + rc.protocol + ")" : "";
}

void add_path(report::Report& r, const Facts& f) {
  const auto& t = f.trace;
  nlohmann::json hops = nlohmann::json::array();
  if (t.hops.empty()) {
    r.add(Severity::info, "headers.path.none", "No Received headers",
          "The message never passed through a mail server (a draft, or headers copied without the trace).");
  } else {
    auto& s = r.add_section("Path (oldest hop first)", {"#", "from", "by", "with", "TLS", "id", "time (UTC)", "delay"});
    for (const auto& h : t.hops) {
      const Received& rc = h.received;
      std::string delay;
      if (h.delay_ms) delay = message::format_duration(*h.delay_ms) + (*h.delay_ms < -kSkewToleranceMs ? " skew!" : "");
      s.rows.push_back({std::to_string(h.number), describe_peer(rc), util::sanitize(rc.by.empty() ? "-" : rc.by, 60),
                        util::sanitize(rc.protocol, 20), describe_tls(rc), util::sanitize(rc.id, 40), when(rc), delay});
      hops.push_back(hop_json(h));
      hops.back()["verified"] = !f.broken_at || static_cast<std::size_t>(h.number) > *f.broken_at + 1;
      if (!f.broken_at || static_cast<std::size_t>(h.number) > *f.broken_at + 1) check_helo(r, h);
    }
    r.sections.front().rows.push_back({"Hops", std::to_string(t.hops.size())});
  }
  if (t.unparsed > 0) {
    r.add(Severity::info, "headers.path.unparsed", std::to_string(t.unparsed) + " Received header(s) could not be read",
          "They hold no from/by/with/id/for clause and no date.");
  }
  r.data["hops"] = std::move(hops);
  std::string internal;
  for (const auto& h : t.hops) {
    if (!h.received.ip.empty() && message::is_private_ip(h.received.ip)) {
      internal += (internal.empty() ? "" : ", ") + std::to_string(h.number) + " (" + h.received.ip + ")";
    }
  }
  if (!internal.empty()) {
    r.add(Severity::info, "headers.hop.private", "Hops from private addresses: " + internal,
          "Loopback, RFC 1918 and similar addresses: hand-overs inside one organisation's network (content filters, "
          "internal relays). They say nothing about the sender's public identity.");
  }
  check_crafted(r, t);
  add_origin(r, f);
  check_tls(r, f);
  check_delays(r, t);
  add_transit(r, f);
}

}  // namespace maildiag::app::headers_detail
