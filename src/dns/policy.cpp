#include "maildiag/dns/policy.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>
#include <cctype>

namespace maildiag::dns {

namespace {

std::vector<std::string> split_uris(std::string_view v) {
  std::vector<std::string> out;
  for (auto u : util::split(v, ',')) {
    u = util::trim(u);
    if (!u.empty()) out.emplace_back(u);
  }
  return out;
}

bool first_tag_is(std::string_view txt, std::string_view tag, std::string_view value) {
  const auto semi = txt.find(';');
  const auto first = util::trim(txt.substr(0, semi));
  const auto eq = first.find('=');
  if (eq == std::string_view::npos) return false;
  return util::iequals(util::trim(first.substr(0, eq)), tag) && util::trim(first.substr(eq + 1)) == value;
}

/// RFC 7489 §6.4 "dmarc-uri": a URI with an optional "!size" suffix; mailto: is what receivers send to.
void check_report_uris(const std::vector<std::string>& uris, std::string_view tag, DmarcRecord& rec) {
  for (const auto& u : uris) {
    if (!util::istarts_with(u, "mailto:") && !util::istarts_with(u, "https:") && !util::istarts_with(u, "http:"))
      rec.errors.push_back(std::string(tag) + " has a value that is not a URI: " + util::sanitize(u, 100));
    else if (!util::istarts_with(u, "mailto:"))
      rec.warnings.push_back(std::string(tag) + " URI is not mailto: (receivers rarely report elsewhere): " +
                             util::sanitize(u, 100));
  }
}

void apply_dmarc_tag(std::string_view k, std::string_view v, DmarcRecord& rec) {
  const auto lv = util::to_lower(v);
  if (k == "p" || k == "sp") {
    const bool ok = lv == "none" || lv == "quarantine" || lv == "reject";
    if (!ok) rec.errors.push_back(std::string(k) + "=" + util::sanitize(v, 40) + " is not none, quarantine or reject");
    (k == "p" ? rec.policy : rec.subdomain_policy) = ok ? lv : "";
  } else if (k == "pct") {
    const auto n = util::parse_uint(v);
    if (!n || *n > 100) rec.errors.push_back("pct=" + util::sanitize(v, 20) + " is not 0-100");
    else rec.pct = static_cast<int>(*n);
  } else if (k == "rua" || k == "ruf") {
    auto uris = split_uris(v);
    check_report_uris(uris, k, rec);
    (k == "rua" ? rec.rua : rec.ruf) = std::move(uris);
  } else if (k == "adkim" || k == "aspf") {
    if (lv != "r" && lv != "s") rec.errors.push_back(std::string(k) + "=" + util::sanitize(v, 20) + " is not r or s");
    else (k == "adkim" ? rec.adkim : rec.aspf) = lv[0];
  } else if (k != "fo" && k != "rf" && k != "ri" && k != "v" && k != "np" && k != "psd" && k != "t") {
    rec.warnings.push_back("unknown tag \"" + util::sanitize(k, 40) + "\" (ignored by receivers)");
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_tag_list(std::string_view text, std::string* error) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto part : util::split(text, ';')) {
    part = util::trim(part);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      if (error != nullptr && error->empty()) *error = "\"" + util::sanitize(part, 40) + "\" is not tag=value";
      continue;
    }
    out.emplace_back(util::to_lower(util::trim(part.substr(0, eq))), std::string(util::trim(part.substr(eq + 1))));
  }
  return out;
}

bool is_dmarc_record(std::string_view txt) { return first_tag_is(txt, "v", "DMARC1"); }

DmarcRecord parse_dmarc(std::string_view txt) {
  DmarcRecord rec;
  if (!is_dmarc_record(txt)) {
    rec.errors.push_back("does not start with \"v=DMARC1\"");
    return rec;
  }
  std::string syntax;
  const auto tags = parse_tag_list(txt, &syntax);
  if (!syntax.empty()) rec.errors.push_back(syntax);
  bool have_p = false;
  std::vector<std::string> seen;
  for (const auto& [k, v] : tags) {
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) rec.warnings.push_back("tag \"" + k + "\" repeated");
    seen.push_back(k);
    if (k == "p") have_p = true;
    apply_dmarc_tag(k, v, rec);
  }
  // RFC 7489 §6.3: p must follow v; §6.6.3: without a valid p but with rua, treat as p=none.
  if (!have_p) rec.errors.push_back("no p= tag (the policy is required)");
  else if (tags.size() < 2 || tags[1].first != "p") rec.warnings.push_back("p= should come right after v=DMARC1");
  if (rec.policy == "none") rec.warnings.push_back("p=none only monitors: failing mail is still delivered");
  if (rec.pct < 100 && !rec.policy.empty() && rec.policy != "none")
    rec.warnings.push_back("pct=" + std::to_string(rec.pct) + ": the policy applies to only part of the failing mail");
  if (rec.rua.empty()) rec.warnings.push_back("no rua=: you receive no aggregate reports");
  return rec;
}

bool is_mta_sts_record(std::string_view txt) { return first_tag_is(txt, "v", "STSv1"); }

MtaStsRecord parse_mta_sts(std::string_view txt) {
  MtaStsRecord rec;
  if (!is_mta_sts_record(txt)) {
    rec.errors.push_back("does not start with \"v=STSv1\"");
    return rec;
  }
  std::string syntax;
  const auto tags = parse_tag_list(txt, &syntax);
  if (!syntax.empty()) rec.errors.push_back(syntax);
  for (const auto& [k, v] : tags) {
    if (k != "id") continue;
    rec.id = v;
    const bool ok = !v.empty() && v.size() <= 32 &&
                    std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (!ok) rec.errors.push_back("id=" + util::sanitize(v, 40) + " is not 1-32 letters and digits");
  }
  if (rec.id.empty() && rec.errors.empty()) rec.errors.push_back("no id= tag");
  return rec;
}

bool is_tls_rpt_record(std::string_view txt) { return first_tag_is(txt, "v", "TLSRPTv1"); }

TlsRptRecord parse_tls_rpt(std::string_view txt) {
  TlsRptRecord rec;
  if (!is_tls_rpt_record(txt)) {
    rec.errors.push_back("does not start with \"v=TLSRPTv1\"");
    return rec;
  }
  std::string syntax;
  const auto tags = parse_tag_list(txt, &syntax);
  if (!syntax.empty()) rec.errors.push_back(syntax);
  for (const auto& [k, v] : tags) {
    if (k != "rua") continue;
    rec.rua = split_uris(v);
    for (const auto& u : rec.rua) {
      if (!util::istarts_with(u, "mailto:") && !util::istarts_with(u, "https:"))
        rec.errors.push_back("rua URI is neither mailto: nor https:: " + util::sanitize(u, 100));
    }
  }
  if (rec.rua.empty()) rec.errors.push_back("no rua= (where reports go) tag");
  return rec;
}

}  // namespace maildiag::dns
