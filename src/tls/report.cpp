#include "maildiag/tls/report.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

namespace maildiag::tls {

std::string_view to_string(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::pass: return "pass";
    case VerdictStatus::warn: return "warn";
    case VerdictStatus::fail: return "fail";
    case VerdictStatus::not_checked: return "not-checked";
  }
  return "not-checked";
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

nlohmann::json to_json(const Verdict& v) { return {{"status", to_string(v.status)}, {"reason", v.reason}}; }

std::string verdict_text(const Verdict& v) { return std::string(to_string(v.status)) + ": " + reason_text(v); }

using i18n::text;

}  // namespace

std::string reason_text(const Verdict& v) {
  return v.reason_id.empty() ? v.reason : i18n::format(v.reason_id, v.reason_args);
}

std::optional<TlsaRecord> TlsaRecord::parse(std::string_view text) {
  const auto parts = util::split(util::trim(text), ' ');
  std::vector<std::string_view> f;
  for (auto p : parts) {
    if (!p.empty()) f.push_back(p);
  }
  if (f.size() < 4) return std::nullopt;
  TlsaRecord r;
  const auto u = util::parse_uint(f[0]);
  const auto s = util::parse_uint(f[1]);
  const auto m = util::parse_uint(f[2]);
  if (!u || !s || !m || *u > 255 || *s > 255 || *m > 255) return std::nullopt;
  r.usage = static_cast<std::uint8_t>(*u);
  r.selector = static_cast<std::uint8_t>(*s);
  r.mtype = static_cast<std::uint8_t>(*m);
  std::string hex;
  for (std::size_t i = 3; i < f.size(); ++i) hex += f[i];  // presentation form may split the hex
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 8192) return std::nullopt;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    r.data.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return r;
}

std::string TlsaRecord::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = std::to_string(usage) + " " + std::to_string(selector) + " " + std::to_string(mtype) + " ";
  for (auto b : data) {
    s += kHex[b >> 4];
    s += kHex[b & 0xf];
  }
  return s;
}

bool TlsReport::verified() const {
  auto good = [](const Verdict& v) { return v.status == VerdictStatus::pass || v.status == VerdictStatus::warn; };
  return handshake_ok && good(chain_verdict) && good(name_verdict) && good(expiry_verdict) &&
         dane_verdict.status != VerdictStatus::fail;
}

nlohmann::json to_json(const CertInfo& c) {
  return {{"subject", c.subject},
          {"issuer", c.issuer},
          {"sans", c.sans},
          {"not_before", c.not_before},
          {"not_after", c.not_after},
          {"days_left", c.days_left},
          {"key_type", c.key_type},
          {"key_bits", c.key_bits},
          {"signature_algorithm", c.signature_algorithm},
          {"sha256", c.sha256},
          {"self_signed", c.self_signed}};
}

nlohmann::json to_json(const TlsReport& r) {
  nlohmann::json j = {{"handshake_ok", r.handshake_ok},
                      {"version", r.version},
                      {"cipher", r.cipher},
                      {"cipher_bits", r.cipher_bits},
                      {"group", r.group},
                      {"peer_signature", r.peer_signature},
                      {"sni", r.sni},
                      {"handshake_ms", r.handshake_ms},
                      {"verification_disabled", r.verification_disabled},
                      {"names_checked", r.names_checked},
                      {"matched_name", r.matched_name},
                      {"chain_length", r.chain.size()},
                      {"verdicts",
                       {{"chain", to_json(r.chain_verdict)},
                        {"name", to_json(r.name_verdict)},
                        {"expiry", to_json(r.expiry_verdict)},
                        {"dane", to_json(r.dane_verdict)}}},
                      {"verified", r.verified()}};
  if (!r.error.empty()) j["error"] = r.error;
  auto chain = nlohmann::json::array();
  for (const auto& c : r.chain) chain.push_back(to_json(c));
  j["chain"] = std::move(chain);
  if (r.dane_match) {
    j["dane_match"] = {{"depth", r.dane_match->depth},
                       {"usage", r.dane_match->usage},
                       {"selector", r.dane_match->selector},
                       {"mtype", r.dane_match->mtype}};
  }
  return j;
}

void add_rows(report::Section& s, const TlsReport& r) {
  auto row = [&](std::string_view k, std::string v) { s.rows.push_back({text(k), std::move(v)}); };
  if (!r.handshake_ok) {
    row("tls.row.tls", i18n::format("tls.row.handshake-failed", {r.error}));
    return;
  }
  row("tls.row.protocol", i18n::format("tls.row.protocol.value", {r.version, r.cipher, std::to_string(r.cipher_bits)}));
  if (!r.group.empty() || !r.peer_signature.empty()) {
    row("tls.row.key-exchange", r.peer_signature.empty()
                                    ? r.group
                                    : i18n::format("tls.row.key-exchange.value", {r.group, r.peer_signature}));
  }
  row("tls.row.sni", r.sni.empty() ? i18n::text("tls.row.none") : r.sni);
  if (const auto* leaf = r.leaf()) {
    row("tls.row.subject", leaf->subject);
    row("tls.row.issuer", leaf->issuer);
    std::string sans;
    for (std::size_t i = 0; i < leaf->sans.size() && i < 20; ++i) sans += (i ? ", " : "") + leaf->sans[i];
    if (leaf->sans.size() > 20) sans = i18n::format("tls.row.sans.more", {sans, std::to_string(leaf->sans.size())});
    row("tls.row.sans", sans.empty() ? i18n::text("tls.row.none") : sans);
    row("tls.row.key", i18n::format("tls.row.key.value", {leaf->key_type, std::to_string(leaf->key_bits),
                                                          leaf->signature_algorithm}));
    row("tls.row.not-after",
        i18n::format("tls.row.not-after.value", {leaf->not_after, std::to_string(leaf->days_left)}));
    const std::string chain_id = std::string(r.chain.size() == 1 ? "tls.row.chain.one" : "tls.row.chain.many") +
                                 (leaf->self_signed ? ".self-signed" : "");
    row("tls.row.chain", i18n::format(chain_id, {std::to_string(r.chain.size())}));
  }
  row("tls.row.chain-check", verdict_text(r.chain_verdict));
  row("tls.row.name-check", verdict_text(r.name_verdict));
  row("tls.row.expiry-check", verdict_text(r.expiry_verdict));
  row("tls.row.dane", verdict_text(r.dane_verdict));
  if (r.verification_disabled) row("tls.row.verification", i18n::text("tls.row.verification.disabled"));
}

std::string summary(const TlsReport& r) {
  if (!r.handshake_ok) return i18n::format("tls.summary.failed", {r.error});
  std::string s = r.version;
  if (const auto* leaf = r.leaf()) {
    s = i18n::format("tls.summary.cert", {r.version, leaf->subject, leaf->not_after.substr(0, 10),
                                          std::to_string(leaf->days_left)});
  }
  if (!r.verified()) {
    std::string why;
    for (const auto* v : {&r.chain_verdict, &r.name_verdict, &r.expiry_verdict, &r.dane_verdict}) {
      if (v->status != VerdictStatus::fail) continue;
      if (!why.empty()) why += i18n::text("tls.summary.reason-separator");
      why += reason_text(*v);
    }
    s = i18n::format("tls.summary.not-verified", {s, why});
  } else if (r.expiry_verdict.status == VerdictStatus::warn) {
    s = i18n::format("tls.summary.expires-soon", {s});
  }
  if (r.verification_disabled) s = i18n::format("tls.summary.verification-disabled", {s});
  return s;
}

void add_findings(report::Report& rep, const TlsReport& r, std::string_view id_prefix, std::string_view where) {
  const std::string p(id_prefix);
  const std::string w(where);
  if (!r.handshake_ok) {
    rep.add(report::Severity::critical, p + ".handshake", i18n::format("tls.handshake.failed.title", {w}), r.error,
            r.error, i18n::text("tls.handshake.failed.fix"));
    return;
  }
  const auto fail_sev = r.verification_disabled ? report::Severity::info : report::Severity::critical;
  // Title ids: "tls.<check>.failed.title" and "tls.<check>.warn.title"; the fix: "tls.<check>.fix".
  auto check = [&](const Verdict& v, const char* id) {
    const std::string stem = "tls." + std::string(id);
    const std::string why = reason_text(v);
    if (v.status == VerdictStatus::fail) {
      rep.add(fail_sev, p + "." + id, i18n::format(stem + ".failed.title", {w}), why, summary(r),
              text(stem + ".fix"));
    } else if (v.status == VerdictStatus::warn) {
      rep.add(r.verification_disabled ? report::Severity::info : report::Severity::warning, p + "." + id,
              i18n::format(stem + ".warn.title", {w, why}), why, summary(r), text(stem + ".fix"));
    }
  };
  check(r.chain_verdict, "chain");
  check(r.name_verdict, "name");
  check(r.expiry_verdict, "expiry");
  check(r.dane_verdict, "dane");
  if (r.verification_disabled) {
    rep.add(report::Severity::info, p + ".no-verify", i18n::format("tls.no-verify.title", {w}),
            i18n::text("tls.no-verify.detail"));
  }
}

}  // namespace maildiag::tls
