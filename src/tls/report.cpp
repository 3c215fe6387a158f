#include "maildiag/tls/report.hpp"

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

std::string verdict_text(const Verdict& v) { return std::string(to_string(v.status)) + ": " + v.reason; }

}  // namespace

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
  auto row = [&](std::string k, std::string v) { s.rows.push_back({std::move(k), std::move(v)}); };
  if (!r.handshake_ok) {
    row("TLS", "handshake failed: " + r.error);
    return;
  }
  row("Protocol", r.version + ", " + r.cipher + " (" + std::to_string(r.cipher_bits) + " bits)");
  if (!r.group.empty() || !r.peer_signature.empty()) {
    row("Key exchange", r.group + (r.peer_signature.empty() ? "" : ", server signature " + r.peer_signature));
  }
  row("SNI", r.sni.empty() ? "(none)" : r.sni);
  if (const auto* leaf = r.leaf()) {
    row("Subject", leaf->subject);
    row("Issuer", leaf->issuer);
    std::string sans;
    for (std::size_t i = 0; i < leaf->sans.size() && i < 20; ++i) sans += (i ? ", " : "") + leaf->sans[i];
    if (leaf->sans.size() > 20) sans += ", ... (" + std::to_string(leaf->sans.size()) + " in all)";
    row("SANs", sans.empty() ? "(none)" : sans);
    row("Key", leaf->key_type + " " + std::to_string(leaf->key_bits) + " bits, " + leaf->signature_algorithm);
    row("Not after", leaf->not_after + " (" + std::to_string(leaf->days_left) + " days left)");
    row("Chain", std::to_string(r.chain.size()) + (r.chain.size() == 1 ? " certificate" : " certificates") +
                     (leaf->self_signed ? ", self-signed" : ""));
  }
  row("Chain check", verdict_text(r.chain_verdict));
  row("Name check", verdict_text(r.name_verdict));
  row("Expiry check", verdict_text(r.expiry_verdict));
  row("DANE", verdict_text(r.dane_verdict));
  if (r.verification_disabled) row("Verification", "disabled (--no-verify): the checks above are informational");
}

std::string summary(const TlsReport& r) {
  if (!r.handshake_ok) return "TLS failed: " + r.error;
  std::string s = r.version;
  if (const auto* leaf = r.leaf()) {
    s += ", " + leaf->subject + ", expires " + leaf->not_after.substr(0, 10) + " (" + std::to_string(leaf->days_left) +
         " d)";
  }
  if (!r.verified()) {
    std::string why;
    for (const auto* v : {&r.chain_verdict, &r.name_verdict, &r.expiry_verdict, &r.dane_verdict}) {
      if (v->status == VerdictStatus::fail) why += (why.empty() ? "" : "; ") + v->reason;
    }
    s += ", NOT VERIFIED: " + why;
  } else if (r.expiry_verdict.status == VerdictStatus::warn) {
    s += ", expires soon";
  }
  if (r.verification_disabled) s += " (verification disabled)";
  return s;
}

void add_findings(report::Report& rep, const TlsReport& r, std::string_view id_prefix, std::string_view where) {
  const std::string p(id_prefix);
  const std::string w(where);
  if (!r.handshake_ok) {
    rep.add(report::Severity::critical, p + ".handshake", "TLS handshake with " + w + " failed", r.error, r.error,
            "Check the server's TLS configuration (certificate, key, protocols) and its log.");
    return;
  }
  const auto fail_sev = r.verification_disabled ? report::Severity::info : report::Severity::critical;
  auto check = [&](const Verdict& v, const char* id, const char* what, const char* fix) {
    if (v.status == VerdictStatus::fail) {
      rep.add(fail_sev, p + "." + id, std::string(what) + " of " + w + " failed", v.reason, summary(r), fix);
    } else if (v.status == VerdictStatus::warn) {
      rep.add(r.verification_disabled ? report::Severity::info : report::Severity::warning, p + "." + id,
              std::string(what) + " of " + w + ": " + v.reason, v.reason, summary(r), fix);
    }
  };
  check(r.chain_verdict, "chain", "Certificate chain check",
        "Serve the full chain (leaf and intermediates) signed by a CA clients trust; use --ca-file for a private CA.");
  check(r.name_verdict, "name", "Certificate name check",
        "Get a certificate whose SAN lists the name clients connect to (the MX host name for SMTP).");
  check(r.expiry_verdict, "expiry", "Certificate expiry check", "Renew the certificate and reload the server.");
  check(r.dane_verdict, "dane", "DANE TLSA check",
        "Publish TLSA records for the certificate the server presents (or roll the key as RFC 7671 describes).");
  if (r.verification_disabled) {
    rep.add(report::Severity::info, p + ".no-verify", "Certificate verification disabled (--no-verify) for " + w,
            "The checks were made and are shown, but failures are not counted.");
  }
}

}  // namespace maildiag::tls
