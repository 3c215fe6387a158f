#include "maildiag/dns/spf.hpp"

#include "maildiag/dns/address.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

namespace maildiag::dns {

namespace {

constexpr std::array<std::string_view, 8> kMechanisms{"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"};

bool is_lookup_term(std::string_view name) {
  return name == "include" || name == "a" || name == "mx" || name == "ptr" || name == "exists" || name == "redirect";
}

/// "/24", "//64" or "/24//64" after a domain-spec or at the end of a/mx; true when valid.
bool valid_dual_cidr(std::string_view s) {
  const auto check = [](std::string_view digits, unsigned max) {
    const auto v = util::parse_uint(digits);
    return v && *v <= max && !digits.empty() && digits.size() <= 3;
  };
  if (s.empty()) return true;
  if (s.substr(0, 2) == "//") return check(s.substr(2), 128);
  if (s.front() != '/') return false;
  s.remove_prefix(1);
  const auto v6 = s.find("//");
  if (v6 == std::string_view::npos) return check(s, 32);
  return check(s.substr(0, v6), 32) && check(s.substr(v6 + 2), 128);
}

/// Splits "domain/24//64" into domain and cidr part (macros may contain '/' only inside %{...}).
std::pair<std::string_view, std::string_view> split_cidr(std::string_view v) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '{') ++depth;
    if (v[i] == '}' && depth > 0) --depth;
    if (v[i] == '/' && depth == 0) return {v.substr(0, i), v.substr(i)};
  }
  return {v, {}};
}

bool valid_domain_spec(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  return std::all_of(d.begin(), d.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

bool valid_ip(std::string_view value, bool v6) {
  const auto slash = value.find('/');
  const auto addr = Address::parse(value.substr(0, slash));
  if (!addr || addr->is_v4() == v6) return false;
  if (slash == std::string_view::npos) return true;
  const auto bits = util::parse_uint(value.substr(slash + 1));
  return bits && *bits <= (v6 ? 128u : 32u) && value.size() - slash - 1 <= 3;
}

/// Checks a mechanism's argument; `rest` is what follows its name (":..." and/or "/cidr").
std::string check_mechanism(const SpfTerm& t, std::string_view rest) {
  const auto& n = t.name;
  if (n == "all") return rest.empty() ? "" : "\"all\" takes no argument: " + t.text;
  if (n == "include" || n == "exists") {
    return !rest.empty() && rest.front() == ':' && valid_domain_spec(t.value) ? ""
                                                                               : "\"" + n + "\" needs a domain: " + t.text;
  }
  if (n == "ip4" || n == "ip6") {
    return !rest.empty() && rest.front() == ':' && valid_ip(t.value, n == "ip6") ? "" : "bad " + n + " network: " + t.text;
  }
  // a, mx, ptr: optional ":domain" and (a, mx) an optional dual CIDR
  std::string_view cidr = rest;
  if (!rest.empty() && rest.front() == ':') {
    std::string_view domain;
    std::tie(domain, cidr) = split_cidr(rest.substr(1));
    if (!valid_domain_spec(domain)) return "bad domain in " + t.text;
  }
  if (n == "ptr") return cidr.empty() ? "" : "\"ptr\" takes no CIDR: " + t.text;
  return valid_dual_cidr(cidr) ? "" : "bad CIDR length in " + t.text;
}

void parse_term(std::string_view word, SpfRecord& rec) {
  SpfTerm t;
  t.text = std::string(word);
  const auto eq = word.find('=');
  const auto colon = word.find(':');
  const auto slash = word.find('/');
  const bool modifier = eq != std::string_view::npos && (colon == std::string_view::npos || eq < colon) &&
                        (slash == std::string_view::npos || eq < slash);
  if (modifier) {
    t.kind = SpfTerm::Kind::modifier;
    t.name = util::to_lower(word.substr(0, eq));
    t.value = std::string(word.substr(eq + 1));
    const bool name_ok = !t.name.empty() && std::isalpha(static_cast<unsigned char>(t.name[0])) &&
                         std::all_of(t.name.begin(), t.name.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                         });
    if (!name_ok) rec.errors.push_back("bad modifier name: " + t.text);
    if (t.name == "redirect" || t.name == "exp") {
      const bool again = std::any_of(rec.terms.begin(), rec.terms.end(), [&](const SpfTerm& o) {
        return o.kind == SpfTerm::Kind::modifier && o.name == t.name;
      });
      if (again) rec.errors.push_back("\"" + t.name + "\" appears more than once");
      if (!valid_domain_spec(t.value)) rec.errors.push_back("\"" + t.name + "\" needs a domain: " + t.text);
      if (t.name == "redirect" && !again) rec.redirect = t.value;
    }
    rec.terms.push_back(std::move(t));
    return;
  }
  if (!word.empty() && (word.front() == '+' || word.front() == '-' || word.front() == '~' || word.front() == '?')) {
    t.qualifier = word.front();
    word.remove_prefix(1);
  }
  const auto end = std::min(word.find(':'), word.find('/'));
  t.name = util::to_lower(word.substr(0, end));
  const auto rest = end == std::string_view::npos ? std::string_view{} : word.substr(end);
  if (!rest.empty() && rest.front() == ':') t.value = std::string(rest.substr(1));
  if (std::find(kMechanisms.begin(), kMechanisms.end(), t.name) == kMechanisms.end()) {
    rec.errors.push_back("unknown mechanism: " + t.text);
  } else if (auto why = check_mechanism(t, rest); !why.empty()) {
    rec.errors.push_back(why);
  }
  if (t.name == "all" && !rec.all) rec.all = t.qualifier;
  rec.terms.push_back(std::move(t));
}

void add_warnings(SpfRecord& rec) {
  bool seen_all = false;
  bool after_all = false;
  for (const auto& t : rec.terms) {
    if (t.kind != SpfTerm::Kind::mechanism) continue;
    if (seen_all) after_all = true;
    if (t.name == "all") seen_all = true;
    if (t.name == "ptr") rec.warnings.push_back("\"ptr\" is slow and unreliable; RFC 7208 §5.5 says do not use it");
  }
  if (after_all) rec.warnings.push_back("mechanisms after \"all\" are never evaluated");
  if (rec.all && rec.redirect) rec.warnings.push_back("\"redirect\" is ignored because the record has \"all\"");
  if (!rec.all && !rec.redirect)
    rec.warnings.push_back("no \"all\" and no \"redirect\": mail from other hosts gets the default result neutral");
}

}  // namespace

bool SpfTerm::costs_lookup() const { return is_lookup_term(name); }

bool SpfTerm::has_macro() const { return value.find('%') != std::string::npos; }

std::vector<std::string> SpfRecord::includes() const {
  std::vector<std::string> out;
  for (const auto& t : terms) {
    if (t.kind == SpfTerm::Kind::mechanism && t.name == "include") out.push_back(t.value);
  }
  return out;
}

int SpfRecord::lookup_terms() const {
  return static_cast<int>(std::count_if(terms.begin(), terms.end(), [](const SpfTerm& t) {
    return t.costs_lookup() && (t.kind == SpfTerm::Kind::mechanism || t.name == "redirect");
  }));
}

bool is_spf_record(std::string_view txt) {
  if (!util::istarts_with(txt, "v=spf1")) return false;
  return txt.size() == 6 || txt[6] == ' ';
}

SpfRecord parse_spf(std::string_view txt) {
  SpfRecord rec;
  if (!is_spf_record(txt)) {
    rec.errors.push_back("does not start with \"v=spf1\"");
    return rec;
  }
  for (auto word : util::split(txt.substr(6), ' ')) {
    if (word.empty()) continue;
    parse_term(word, rec);
  }
  add_warnings(rec);
  return rec;
}

std::string_view spf_qualifier_name(char q) {
  switch (q) {
    case '-': return "fail";
    case '~': return "softfail";
    case '?': return "neutral";
    default: return "pass";
  }
}

}  // namespace maildiag::dns
