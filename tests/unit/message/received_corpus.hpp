#pragma once
// Maps each public suite's Received expectations onto maildiag's model (see the corpus README
// "Reading expected per suite"). Each check returns the fields that disagree, as "field: want/got".

#include "maildiag/message/header_block.hpp"
#include "maildiag/message/received.hpp"
#include "maildiag/message/trace.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace maildiag::test {

using Mismatches = std::vector<std::string>;

inline void expect_eq(Mismatches& m, const std::string& field, const std::string& want, std::string_view got) {
  if (want != got) m.push_back(field + ": want '" + want + "' got '" + std::string(got) + "'");
}

/// SpamAssassin writes an address-literal HELO as "!1.2.3.4!"; maildiag keeps "[1.2.3.4]".
inline std::string sa_helo(const std::string& h) {
  if (h.size() > 2 && h.front() == '!' && h.back() == '!') return "[" + h.substr(1, h.size() - 2) + "]";
  return h;
}

/// One SpamAssassin relay dict against a parsed Received.
inline void check_sa_relay(Mismatches& m, const nlohmann::json& e, const message::Received& r) {
  expect_eq(m, "ip", e.value("ip", ""), r.ip);
  expect_eq(m, "rdns", e.value("rdns", ""), r.rdns);
  expect_eq(m, "helo", sa_helo(e.value("helo", "")), r.helo);
  expect_eq(m, "by", e.value("by", ""), r.by);
  expect_eq(m, "ident", e.value("ident", ""), r.ident);
  expect_eq(m, "envfrom", e.value("envfrom", ""), r.envelope_from);
  expect_eq(m, "id", e.value("id", ""), r.id);
  expect_eq(m, "auth?", e.value("auth", "").empty() ? "no" : "yes", r.auth.empty() ? "no" : "yes");
}

inline Mismatches check_spamassassin(const nlohmann::json& c) {
  Mismatches m;
  const auto r = message::parse_received(c["input"].get<std::string>());
  const auto& e = c["expected"];
  if (e.value("ignored", false)) {
    if (r && r->relay) m.push_back("relay: SpamAssassin skips this line, maildiag counts a relay from " + std::string(r->ip));
    return m;
  }
  if (!r) return {"parse: nothing parsed"};
  check_sa_relay(m, e, *r);
  return m;
}

inline Mismatches check_trust_chain(const nlohmann::json& c) {
  Mismatches m;
  const auto block = message::parse_headers(c["input"].get<std::string>());
  const auto trace = message::build_trace(block);
  std::vector<const message::Received*> relays;  // newest first, as SpamAssassin lists them
  for (auto it = trace.hops.rbegin(); it != trace.hops.rend(); ++it) {
    if (it->received.relay) relays.push_back(&it->received);
  }
  std::vector<nlohmann::json> want;
  for (const auto& x : c["expected"]["trusted"]) want.push_back(x);
  for (const auto& x : c["expected"]["untrusted"]) want.push_back(x);
  expect_eq(m, "relays", std::to_string(want.size()), std::to_string(relays.size()));
  for (std::size_t i = 0; i < want.size() && i < relays.size(); ++i) check_sa_relay(m, want[i], *relays[i]);
  return m;
}

/// stalwart-mail-parser: every key it reports must match; keys it leaves out are only checked
/// for the connecting address (maildiag must not invent one).
inline Mismatches check_stalwart(const nlohmann::json& c) {
  Mismatches m;
  const auto r = message::parse_received(c["input"].get<std::string>());
  if (!r) return {"parse: nothing parsed"};
  const auto& e = c["expected"];
  auto name_or_ip = [](const nlohmann::json& v) {
    return v.contains("Name") ? v["Name"].get<std::string>() : v["IpAddr"].get<std::string>();
  };
  if (e.contains("from")) {
    std::string word(r->from_word);
    if (e["from"].contains("IpAddr")) {
      std::string literal = word.substr(word.front() == '[' ? 1 : 0, word.find(']') == std::string::npos ? std::string::npos : word.find(']') - (word.front() == '[' ? 1 : 0));
      word = message::is_ip_literal(literal) ? literal : std::string(r->ip);
    }
    expect_eq(m, "from", name_or_ip(e["from"]), word);
  }
  std::string ip = e.value("from_ip", "");
  if (ip.empty() && e.contains("from") && e["from"].contains("IpAddr")) ip = e["from"]["IpAddr"].get<std::string>();
  expect_eq(m, "from_ip", ip, r->ip);
  if (e.contains("from_iprev")) expect_eq(m, "from_iprev", e["from_iprev"].get<std::string>(), r->rdns);
  if (e.contains("by")) expect_eq(m, "by", name_or_ip(e["by"]), r->by);
  if (e.contains("with")) {
    std::string p = r->protocol == "LOCAL" ? "Local" : std::string(r->protocol);
    expect_eq(m, "with", e["with"].get<std::string>(), p);
  }
  if (e.contains("tls_version")) {
    std::string v = e["tls_version"].get<std::string>();  // "TLSv1_3"
    if (v.size() > 5) v[5] = '.';
    expect_eq(m, "tls_version", v, r->tls.version);
  }
  if (e.contains("tls_cipher")) expect_eq(m, "tls_cipher", e["tls_cipher"].get<std::string>(), r->tls.cipher);
  if (e.contains("id")) expect_eq(m, "id", e["id"].get<std::string>(), r->id);
  if (e.contains("for_")) expect_eq(m, "for", e["for_"].get<std::string>(), r->for_addr);
  if (e.contains("via")) expect_eq(m, "via", e["via"].get<std::string>(), r->via);
  if (e.contains("helo")) expect_eq(m, "helo", name_or_ip(e["helo"]), r->helo.size() > 2 && r->helo.front() == '[' ? r->helo.substr(1, r->helo.size() - 2) : r->helo);
  if (e.contains("ident")) expect_eq(m, "ident", e["ident"].get<std::string>(), r->ident);
  if (e.contains("date") && e["date"].is_null()) expect_eq(m, "date", "none", r->date ? "a date" : "none");
  if (e.contains("date") && !e["date"].is_null()) {
    const auto& d = e["date"];
    const auto days = message::days_from_civil(d["year"].get<int>(), d["month"].get<unsigned>(), d["day"].get<unsigned>());
    const int off = (d["tz_before_gmt"].get<bool>() ? -1 : 1) * (d["tz_hour"].get<int>() * 60 + d["tz_minute"].get<int>());
    const std::int64_t epoch = days * 86400 + d["hour"].get<int>() * 3600 + d["minute"].get<int>() * 60 + d["second"].get<int>() - off * 60;
    expect_eq(m, "date", std::to_string(epoch), r->date ? std::to_string(r->date->epoch) : "none");
  }
  return m;
}

/// MHA: raw clause text with comments, dateNum in ms.
inline Mismatches check_mha(const nlohmann::json& c) {
  Mismatches m;
  const auto r = message::parse_received(c["input"].get<std::string>());
  const auto& e = c["expected"];
  const bool expects_fields = e.contains("from") || e.contains("by") || e.contains("dateNum") || e.contains("with");
  if (!r) return expects_fields ? Mismatches{"parse: nothing parsed"} : Mismatches{};
  auto field = [&](const char* key, std::string_view got) {
    if (e.contains(key)) expect_eq(m, key, e[key].get<std::string>(), got);
  };
  field("from", r->from_text);
  field("by", r->by_text);
  field("with", r->with_text);
  field("id", r->id_text);
  field("for", r->for_text);
  field("via", r->via_text);
  if (e.contains("dateNum") && e["dateNum"].is_number()) {
    expect_eq(m, "dateNum", std::to_string(e["dateNum"].get<std::int64_t>()), r->date ? std::to_string(r->date->epoch_ms()) : "none");
  }
  return m;
}

/// "310 minutes 14 seconds" -> milliseconds.
inline std::int64_t mha_duration_ms(const std::string& s) {
  std::int64_t total = 0;
  std::int64_t n = 0;
  std::string word;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    const char ch = i < s.size() ? s[i] : ' ';
    if (ch >= '0' && ch <= '9') {
      n = n * 10 + (ch - '0');
    } else if (ch == ' ') {
      if (word.rfind("hour", 0) == 0) total += n * 3600000, n = 0;
      else if (word.rfind("minute", 0) == 0) total += n * 60000, n = 0;
      else if (word.rfind("second", 0) == 0) total += n * 1000, n = 0;
      word.clear();
    } else {
      word.push_back(ch);
    }
  }
  return total;
}

}  // namespace maildiag::test
