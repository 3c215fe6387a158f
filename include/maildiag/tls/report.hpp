#pragma once
/// What a TLS handshake showed, in plain data (no OpenSSL types), so every subcommand reports
/// TLS the same way: the same JSON object (to_json), the same table rows (add_rows), the same
/// default findings (add_findings).
///
/// Four verdicts are kept apart, each with its reason, as swaks and posttls-finger do:
///   chain   - does the presented chain lead to a trusted root (system store or --ca-file)?
///             Checked without the clock, so an expired but otherwise good chain still "passes" here.
///   name    - does the leaf certificate match one of the acceptable names (the host connected to,
///             the MX name) or the IP literal connected to?
///   expiry  - is every presented certificate inside its validity period; warning when the leaf
///             expires within `expiry_warn_days`.
///   dane    - do the caller's TLSA records match (usage, selector, matching type, depth)?
/// A failing verdict never aborts the handshake: the caller decides how bad it is.

#include "maildiag/report/report.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maildiag::tls {

enum class VerdictStatus {
  pass,
  warn,         ///< e.g. the certificate expires within the warning window
  fail,
  not_checked,  ///< nothing to check (no TLSA records given; no certificate presented)
};
std::string_view to_string(VerdictStatus s);  ///< "pass", "warn", "fail", "not-checked"

struct Verdict {
  Verdict() = default;
  /// `reason_in` stays English (the JSON schema); `id`/`args` give the text view its words in the
  /// user's language (i18n::format), so that the English of both is the same sentence.
  Verdict(VerdictStatus status_in, std::string reason_in, std::string id = {}, std::vector<std::string> args = {})
      : status(status_in), reason(std::move(reason_in)), reason_id(std::move(id)), reason_args(std::move(args)) {}
  VerdictStatus status = VerdictStatus::not_checked;
  std::string reason;  ///< one sentence in English: "certificate has expired", "matched mx1.example.org"
  std::string reason_id;                 ///< catalog id of `reason` ("tls.reason.*"); empty: no translation
  std::vector<std::string> reason_args;  ///< the values for the id's "{}"
};
/// The reason for people (tables, findings) in the current language; `reason` when it has no id.
std::string reason_text(const Verdict& v);

/// One certificate as presented by the peer. Text fields are sanitised (certificates are
/// attacker-controlled input).
struct CertInfo {
  std::string subject;           ///< RFC 2253 form, e.g. "CN=mx.example.org,O=Example"
  std::string issuer;
  std::vector<std::string> sans; ///< "DNS:mx.example.org", "IP:192.0.2.1"
  std::string not_before;        ///< ISO 8601 UTC, "2024-01-01T00:00:00Z"
  std::string not_after;
  long days_left = 0;            ///< whole days until not_after (negative when expired)
  std::string key_type;          ///< "RSA", "EC (prime256v1)", "ED25519"
  int key_bits = 0;
  std::string signature_algorithm;  ///< of the certificate itself, e.g. "sha256WithRSAEncryption"
  std::string sha256;            ///< fingerprint, lower-case hex with colons
  bool self_signed = false;      ///< subject == issuer and the signature verifies with its own key
};

/// One TLSA record (RFC 6698): what DANE verification is given.
struct TlsaRecord {
  std::uint8_t usage = 3;     ///< 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
  std::uint8_t selector = 1;  ///< 0 full certificate, 1 SubjectPublicKeyInfo
  std::uint8_t mtype = 1;     ///< 0 exact, 1 SHA-256, 2 SHA-512
  std::vector<std::uint8_t> data;
  /// "3 1 1 <hex>" (presentation form); nullopt on bad numbers or hex.
  static std::optional<TlsaRecord> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
};

/// Which TLSA record matched and where.
struct DaneMatch {
  int depth = 0;  ///< 0 = leaf certificate
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t mtype = 0;
};

struct TlsReport {
  bool handshake_ok = false;
  std::string error;             ///< handshake failure text (alert, protocol error) when not ok
  std::string version;           ///< "TLSv1.3"
  std::string cipher;            ///< "TLS_AES_256_GCM_SHA384"
  int cipher_bits = 0;
  std::string group;             ///< key exchange group, "x25519"
  std::string peer_signature;    ///< handshake signature, "RSA-PSS+SHA256"
  std::string sni;               ///< server name sent (empty: none, e.g. an IP literal)
  std::vector<CertInfo> chain;   ///< as presented, leaf first
  std::vector<std::string> names_checked;  ///< the acceptable names the name verdict used
  std::string matched_name;      ///< which of them matched
  std::optional<DaneMatch> dane_match;
  bool verification_disabled = false;  ///< --no-verify: verdicts are informational only
  double handshake_ms = 0;

  Verdict chain_verdict;
  Verdict name_verdict;
  Verdict expiry_verdict;
  Verdict dane_verdict;

  [[nodiscard]] const CertInfo* leaf() const { return chain.empty() ? nullptr : &chain.front(); }
  /// True when chain, name and expiry pass (warn counts as pass) and DANE did not fail.
  [[nodiscard]] bool verified() const;
};

nlohmann::json to_json(const TlsReport& r);
nlohmann::json to_json(const CertInfo& c);
/// Key/value rows: Protocol, Cipher, Key exchange, Signature, Subject, Issuer, SANs, Not after,
/// Chain, one row per verdict.
void add_rows(report::Section& s, const TlsReport& r);
/// One-line summary for tables: "TLSv1.3, CN=mx.example.org, expires 2026-01-01 (200 d)".
std::string summary(const TlsReport& r);

/// Default severities for the verdicts: fail -> critical (warning for the chain and the name when
/// verification is disabled: informational only), warn -> warning. Finding ids are
/// "<prefix>.chain", "<prefix>.name", "<prefix>.expiry", "<prefix>.dane", "<prefix>.handshake".
/// `where` names the endpoint in titles ("mx1.example.org:465").
void add_findings(report::Report& rep, const TlsReport& r, std::string_view id_prefix, std::string_view where);

}  // namespace maildiag::tls
