#include "maildiag/dns/dnsbl.hpp"

#include "maildiag/dns/idn.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::dns {

const std::vector<std::string>& default_dnsbl_zones() {
  static const std::vector<std::string> zones{
      "zen.spamhaus.org",       // SBL + CSS + XBL + PBL (free for low-volume, non-public-resolver use)
      "bl.spamcop.net",         // SpamCop: reports from users, short-lived listings
      "b.barracudacentral.org", // Barracuda reputation (needs a registered resolver)
      "psbl.surriel.com",       // Passive Spam Block List
      "bl.mailspike.net",       // Mailspike reputation
  };
  return zones;
}

std::optional<std::vector<std::string>> parse_dnsbl_list(std::string_view text, std::string* error) {
  std::vector<std::string> out;
  const auto add = [&out](const std::string& z) {
    if (std::find(out.begin(), out.end(), z) == out.end()) out.push_back(z);
  };
  for (auto item : util::split(text, ',')) {
    item = util::trim(item);
    if (item.empty()) continue;
    if (util::iequals(item, "default")) {
      for (const auto& z : default_dnsbl_zones()) add(z);
      continue;
    }
    auto d = normalize_domain(item, error);
    if (!d) return std::nullopt;
    add(d->ascii);
  }
  if (out.empty()) {
    if (error != nullptr) *error = "empty --dnsbl list (use 'default' or zone names)";
    return std::nullopt;
  }
  return out;
}

std::string_view to_string(DnsblVerdict v) {
  switch (v) {
    case DnsblVerdict::not_listed: return "not-listed";
    case DnsblVerdict::listed: return "listed";
    case DnsblVerdict::query_refused: return "query-refused";
    case DnsblVerdict::bogus_answer: return "bogus-answer";
    case DnsblVerdict::failed: return "failed";
  }
  return "failed";
}

namespace {

/// Spamhaus return codes (https://www.spamhaus.org/faqs/dnsbl-usage/, "return codes").
std::string spamhaus_meaning(const Address& a) {
  const auto& b = a.bytes();
  if (b[1] == 255 && b[2] == 255) {
    switch (b[3]) {
      case 252: return "query refused: typing error in the DNSBL name";
      case 254: return "query refused: queries through public/open resolvers are blocked";
      case 255: return "query refused: excessive number of queries";
      default: return "query refused by Spamhaus";
    }
  }
  if (b[1] != 0 || b[2] != 0) return {};
  switch (b[3]) {
    case 2: return "SBL: Spamhaus SBL data (spam source or operation)";
    case 3: return "SBL CSS: snowshoe spam / low-reputation sender";
    case 4: case 5: case 6: case 7: return "XBL: exploited or infected host (botnet, proxy)";
    case 9: return "SBL DROP: hijacked or criminal netblock";
    case 10: return "PBL: ISP says this address should not send mail directly";
    case 11: return "PBL: Spamhaus says this address should not send mail directly";
    default: return {};
  }
}

bool is_spamhaus(std::string_view zone) { return util::icontains(zone, "spamhaus."); }

}  // namespace

DnsblResult interpret_dnsbl(std::string_view zone, const Answer& a) {
  DnsblResult r;
  if (a.status == Status::nxdomain || a.status == Status::nodata) {
    r.verdict = DnsblVerdict::not_listed;
    return r;
  }
  if (a.status != Status::ok) {
    r.verdict = DnsblVerdict::failed;
    r.meaning = std::string(describe(a.status));
    return r;
  }
  r.codes = a.addresses();
  bool refused = false;
  bool outside = false;
  for (const auto& c : r.codes) {
    const auto& b = c.bytes();
    if (!c.is_v4() || b[0] != 127) {
      outside = true;
      continue;
    }
    if (b[1] == 255 && b[2] == 255) refused = true;
    if (is_spamhaus(zone)) {
      auto m = spamhaus_meaning(c);
      if (!m.empty() && r.meaning.find(m) == std::string::npos) r.meaning += (r.meaning.empty() ? "" : "; ") + m;
    }
  }
  if (refused) {
    r.verdict = DnsblVerdict::query_refused;
    if (r.meaning.empty()) r.meaning = "the list answered 127.255.255.x: it refused the query";
  } else if (outside) {
    r.verdict = DnsblVerdict::bogus_answer;
    r.meaning = "answer outside 127.0.0.0/8: the list zone is wildcarding or no longer operated";
  } else {
    r.verdict = DnsblVerdict::listed;
  }
  return r;
}

}  // namespace maildiag::dns
