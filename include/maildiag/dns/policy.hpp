#pragma once
/// The tag=value policy records published in TXT beside a mail domain: DMARC (RFC 7489,
/// `_dmarc.<domain>`), MTA-STS (RFC 8461 §3.1, `_mta-sts.<domain>`) and SMTP TLS reporting
/// (RFC 8460 §3, `_smtp._tls.<domain>`). Pure parsers: errors make a record invalid (receivers
/// ignore it), warnings are legal but weak settings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maildiag::dns {

/// "k=v; k=v" split on ';' with whitespace trimmed; tag names lower-cased. Empty trailing tag ok.
std::vector<std::pair<std::string, std::string>> parse_tag_list(std::string_view text, std::string* error = nullptr);

struct DmarcRecord {
  std::string policy;            ///< p: none, quarantine, reject ("" when missing)
  std::string subdomain_policy;  ///< sp ("" when absent: p applies)
  int pct = 100;
  std::vector<std::string> rua;  ///< aggregate report URIs
  std::vector<std::string> ruf;  ///< failure report URIs
  char adkim = 'r';              ///< 'r' relaxed or 's' strict
  char aspf = 'r';
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  [[nodiscard]] bool valid() const { return errors.empty(); }
};

/// True for "v=DMARC1" as the first tag (a TXT string that is meant as a DMARC record).
bool is_dmarc_record(std::string_view txt);
DmarcRecord parse_dmarc(std::string_view txt);

struct MtaStsRecord {
  std::string id;  ///< 1-32 letters/digits; changes when the policy file changes
  std::vector<std::string> errors;
  [[nodiscard]] bool valid() const { return errors.empty(); }
};
bool is_mta_sts_record(std::string_view txt);  ///< starts with "v=STSv1"
MtaStsRecord parse_mta_sts(std::string_view txt);

struct TlsRptRecord {
  std::vector<std::string> rua;  ///< mailto: or https: URIs
  std::vector<std::string> errors;
  [[nodiscard]] bool valid() const { return errors.empty(); }
};
bool is_tls_rpt_record(std::string_view txt);  ///< starts with "v=TLSRPTv1"
TlsRptRecord parse_tls_rpt(std::string_view txt);

}  // namespace maildiag::dns
