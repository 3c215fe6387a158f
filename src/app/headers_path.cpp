// The path part of `maildiag headers`: hops oldest first, like postmarks read bottom-up, and what
// they reveal (forged HELO, crafted headers, unencrypted hops, clock skew, the slow hop, origin).

#include "headers_internal.hpp"
#include "maildiag/message/address.hpp"
#include "maildiag/message/date.hpp"
#include "maildiag/report/json_object.hpp"
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

std::string strip_dot(std::string_view s) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return std::string(s);
}

/// "[192.0.2.1]" / "[IPv6:2001:db8::1]" -> the address.
std::string literal_ip(std::string_view helo) {
  if (helo.size() < 3 || helo.front() != '[' || helo.back() != ']') return {};
  helo = helo.substr(1, helo.size() - 2);
  if (util::istarts_with(helo, "IPv6:")) helo.remove_prefix(5);
  return std::string(helo);
}

std::string hop_label(const Hop& h) { return i18n::format("headers.hop.label", {std::to_string(h.number)}); }

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
  const std::string ip(rc.ip);
  if (hostname_like(helo) && !rdns.empty() && rdns.find('.') != std::string::npos &&
      message::organizational_domain(helo) != message::organizational_domain(rdns)) {
    std::string detail = i18n::format("headers.hop.helo-mismatch.detail",
                                      {util::sanitize(helo, 100), ip, util::sanitize(rdns, 100)});
    if (!valid_hostname(helo)) detail += i18n::msg("headers.hop.helo-mismatch.invalid");
    r.add(Severity::warning, "headers.hop.helo-mismatch",
          i18n::format("headers.hop.helo-mismatch.title",
                       {hop_label(h), util::sanitize(helo, 100), util::sanitize(rdns, 100), ip}),
          detail, evidence, i18n::format("headers.hop.helo-mismatch.fix", {ip}));
  } else if (!helo.empty() && helo.front() == '[' && literal_ip(helo) != rc.ip) {
    r.add(Severity::info, "headers.hop.helo-literal",
          i18n::format("headers.hop.helo-literal.title", {hop_label(h), util::sanitize(helo, 60), ip}),
          text("headers.hop.helo-literal.detail"), evidence);
  } else if (!helo.empty() && helo.front() != '[' && helo.find('.') == std::string::npos) {
    r.add(Severity::info, "headers.hop.helo-not-fqdn",
          i18n::format("headers.hop.helo-not-fqdn.title", {hop_label(h), util::sanitize(helo, 60)}),
          text("headers.hop.helo-not-fqdn.detail"), evidence);
  }
  if (rdns.empty() && rc.ip_source == message::IpSource::tcp_info) {
    r.add(Severity::info, "headers.hop.no-rdns", i18n::format("headers.hop.no-rdns.title", {hop_label(h), ip}),
          text("headers.hop.no-rdns.detail"), evidence, i18n::format("headers.hop.no-rdns.fix", {ip}));
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
    if (v == "TLSv1.0" || v == "TLSv1.1" || v == "SSLv3") weak.push_back(std::to_string(h.number) + " " + std::string(v));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!plain.empty()) {
    r.add(Severity::warning, "headers.hop.no-tls", i18n::format("headers.hop.no-tls.title", {join(plain)}),
          text("headers.hop.no-tls.detail"), {}, text("headers.hop.no-tls.fix"));
  }
  if (!weak.empty()) {
    r.add(Severity::warning, "headers.hop.old-tls", i18n::format("headers.hop.old-tls.title", {join(weak)}),
          text("headers.hop.old-tls.detail"), {}, text("headers.hop.old-tls.fix"));
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
            i18n::format("headers.hop.clock-skew.title", {hop_label(h), message::format_duration(-*h.delay_ms),
                                                          prev ? hop_label(*prev) : text("headers.hop.previous")}),
            prev ? i18n::format("headers.hop.clock-skew.detail.two",
                                {util::sanitize(h.received.by, 80), util::sanitize(prev->received.by, 80)})
                 : i18n::format("headers.hop.clock-skew.detail", {util::sanitize(h.received.by, 80)}),
            util::sanitize(h.raw, 400), text("headers.hop.clock-skew.fix"));
      continue;
    }
    total += *h.delay_ms;
    if (slow == nullptr || *h.delay_ms > *slow->delay_ms) slow = &h;
  }
  if (slow == nullptr || *slow->delay_ms < kSlowHopMs || *slow->delay_ms * 2 < total) return;
  r.add(*slow->delay_ms >= kVerySlowHopMs ? Severity::warning : Severity::info, "headers.hop.bottleneck",
        i18n::format("headers.hop.bottleneck.title", {hop_label(*slow), message::format_duration(*slow->delay_ms),
                                                      message::format_duration(total)}),
        i18n::format("headers.hop.bottleneck.detail", {util::sanitize(slow->received.by, 80)}),
        util::sanitize(slow->raw, 400),
        i18n::format("headers.hop.bottleneck.fix", {util::sanitize(slow->received.id.empty() ? "?" : slow->received.id, 80),
                                                    util::sanitize(slow->received.by, 80)}));
}

void check_crafted(report::Report& r, const message::Trace& t) {
  for (const auto& h : t.hops) {
    if (!h.received.ambiguous) continue;
    r.add(Severity::warning, "headers.hop.crafted", i18n::format("headers.hop.crafted.title", {hop_label(h)}),
          text("headers.hop.crafted.detail"), util::sanitize(h.raw, 600));
  }
}

nlohmann::json hop_json(const Hop& h) {
  const Received& rc = h.received;
  return report::object(
      "hop", h.number,
      "line", h.header_line,
      "helo", util::sanitize(rc.helo, 300),
      "rdns", util::sanitize(rc.rdns, 300),
      "ip", rc.ip,
      "ip_source", std::string(message::to_string(rc.ip_source)),
      "by", util::sanitize(rc.by, 300),
      "protocol", util::sanitize(rc.protocol, 60),
      "tls", report::object(
          "stated", rc.tls.stated(),
          "implied", tls_known(rc),
          "version", util::sanitize(rc.tls.version, 60),
          "cipher", util::sanitize(rc.tls.cipher, 120),
          "bits", util::sanitize(rc.tls.bits, 20)),
      "id", util::sanitize(rc.id, 200),
      "for", util::sanitize(rc.for_addr, 300),
      "envelope_from", util::sanitize(rc.envelope_from, 300),
      "auth", util::sanitize(rc.auth, 100),
      "software", util::sanitize(rc.software, 200),
      "relay", rc.relay,
      "private", !rc.ip.empty() && message::is_private_ip(rc.ip),
      "crafted", rc.ambiguous,
      "raw", util::sanitize(h.raw, 2000),
      "date_utc", rc.date ? nlohmann::json(message::format_utc(rc.date->epoch)) : nlohmann::json(nullptr),
      "delay_ms", h.delay_ms ? nlohmann::json(*h.delay_ms) : nlohmann::json(nullptr));
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
    // The forger's pattern: the HELO repeats the fake "by" name while the rDNS says otherwise.
    const std::string rdns = strip_dot(newer.received.rdns);
    const std::string helo = strip_dot(newer.received.helo);
    const bool imitated = !rdns.empty() && !helo.empty() &&
                          message::organizational_domain(helo) != message::organizational_domain(rdns);
    // Four whole sentences: "Hop 1 was" / "Hops 1-N were", possibly forged / names differ.
    const std::string title_id = std::string("headers.hop.unverifiable.title.") + (older.number == 1 ? "one" : "many") +
                                 (imitated ? ".forged" : ".differ");
    std::vector<std::string> title_args{hop_label(newer)};
    if (older.number != 1) title_args.insert(title_args.begin(), std::to_string(older.number));
    std::vector<std::string> detail_args{hop_label(newer), describe_peer(newer.received), hop_label(older),
                                         util::sanitize(older.received.by, 100)};
    if (!claimed.empty()) detail_args.push_back(claimed);
    r.add(imitated ? Severity::warning : Severity::info, "headers.hop.unverifiable", i18n::format(title_id, title_args),
          i18n::format(claimed.empty() ? "headers.hop.unverifiable.detail" : "headers.hop.unverifiable.detail.claimed",
                       detail_args),
          util::sanitize(older.raw, 400),
          i18n::format(imitated ? "headers.hop.unverifiable.fix.forged" : "headers.hop.unverifiable.fix.differ",
                       {hop_label(newer)}));
  }
  if (f.entry) {
    const Hop& e = f.trace.hops[*f.entry];
    r.sections.front().rows.push_back(
        {text("headers.row.received-from"), i18n::format("headers.row.received-from.value",
                                                         {describe_peer(e.received), util::sanitize(e.received.by, 100),
                                                          hop_label(e)})});
  }

  if (!f.origin) {
    r.data["origin"] = nullptr;
    return;
  }
  const Hop& h = f.trace.hops[*f.origin];
  const Received& rc = h.received;
  std::string who(rc.ip);
  if (!rc.rdns.empty()) who += " (" + util::sanitize(strip_dot(rc.rdns), 100) + ")";
  std::string detail = text("headers.origin.detail");
  if (!rc.helo.empty() && strip_dot(rc.helo) != strip_dot(rc.rdns)) {
    detail += i18n::format("headers.origin.detail.helo", {util::sanitize(rc.helo, 100)});
  }
  r.add(Severity::info, "headers.origin", i18n::format("headers.origin.title", {who, hop_label(h)}), detail,
        util::sanitize(h.raw, 600), i18n::format("headers.origin.fix", {std::string(rc.ip)}));
  r.data["origin"] = report::object("hop", h.number, "ip", rc.ip, "rdns", util::sanitize(rc.rdns, 300),
                                    "helo", util::sanitize(rc.helo, 300));
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
  r.sections.front().rows.push_back(
      {text("headers.row.transit"), i18n::format("headers.row.transit.value", {message::format_duration(transit)})});
  if (transit < -60'000) {
    r.add(Severity::warning, "headers.date.future",
          i18n::format("headers.date.future.title", {message::format_duration(-transit)}),
          text("headers.date.future.detail"));
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
  if (const std::string ip(rc.ip); !ip.empty() && rc.helo != "[" + ip + "]") s += " [" + ip + "]";
  if (rc.ambiguous) s += i18n::msg("headers.peer.crafted");
  return util::trim(s).empty() ? "-" : std::string(util::trim(s));
}

std::string describe_tls(const Received& rc) {
  if (rc.tls.stated()) {
    std::string s = rc.tls.version.empty() ? text("headers.tls.yes") : std::string(rc.tls.version);
    if (!rc.tls.cipher.empty()) s += " " + std::string(rc.tls.cipher);
    return util::sanitize(s, 80);
  }
  return tls_known(rc) ? i18n::format("headers.tls.yes-implied", {std::string(rc.protocol)}) : "";
}

void add_path(report::Report& r, const Facts& f) {
  const auto& t = f.trace;
  nlohmann::json hops = nlohmann::json::array();
  if (t.hops.empty()) {
    r.add(Severity::info, "headers.path.none", text("headers.path.none.title"), text("headers.path.none.detail"));
  } else {
    auto& s = r.add_section(text("headers.section.path"), {"#", "from", "by", "with", "TLS", "id", text("headers.col.time"),
                                                           text("headers.col.delay")});
    const std::string skew(i18n::msg("headers.path.skew"));
    for (const auto& h : t.hops) {
      const Received& rc = h.received;
      std::string delay;
      if (h.delay_ms) delay = message::format_duration(*h.delay_ms) + (*h.delay_ms < -kSkewToleranceMs ? skew : "");
      s.rows.push_back({std::to_string(h.number), describe_peer(rc), util::sanitize(rc.by.empty() ? "-" : rc.by, 60),
                        util::sanitize(rc.protocol, 20), describe_tls(rc), util::sanitize(rc.id, 40), when(rc), delay});
      hops.push_back(hop_json(h));
      hops.back()["verified"] = !f.broken_at || static_cast<std::size_t>(h.number) > *f.broken_at + 1;
      if (!f.broken_at || static_cast<std::size_t>(h.number) > *f.broken_at + 1) check_helo(r, h);
    }
    r.sections.front().rows.push_back({text("headers.row.hops"), std::to_string(t.hops.size())});
  }
  if (t.unparsed > 0) {
    r.add(Severity::info, "headers.path.unparsed", i18n::format("headers.path.unparsed.title", {std::to_string(t.unparsed)}),
          text("headers.path.unparsed.detail"));
  }
  r.data["hops"] = std::move(hops);
  std::string internal;
  for (const auto& h : t.hops) {
    if (!h.received.ip.empty() && message::is_private_ip(h.received.ip)) {
      internal += (internal.empty() ? "" : ", ") + std::to_string(h.number) + " (" + std::string(h.received.ip) + ")";
    }
  }
  if (!internal.empty()) {
    r.add(Severity::info, "headers.hop.private", i18n::format("headers.hop.private.title", {internal}),
          text("headers.hop.private.detail"));
  }
  check_crafted(r, t);
  add_origin(r, f);
  check_tls(r, f);
  check_delays(r, t);
  add_transit(r, f);
}

}  // namespace maildiag::app::headers_detail
