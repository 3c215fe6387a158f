#include "maildiag/message/address.hpp"

#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::message {

namespace {

constexpr std::size_t kMaxAddresses = 1000;

/// Splits at top-level commas (outside quotes, comments and angle brackets); ';' ends a group.
std::vector<std::string_view> split_list(std::string_view v) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool quote = false;
  bool angle = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == '"') quote = false;
    } else if (c == '"') {
      quote = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (c == '<' && depth == 0) {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if ((c == ',' || c == ';') && depth == 0 && !angle) {
      out.push_back(v.substr(start, i - start));
      start = i + 1;
    }
    if (out.size() >= kMaxAddresses) return out;
  }
  out.push_back(v.substr(start));
  return out;
}

std::string strip_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quote = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (depth == 0 && c == '"') quote = !quote;
    if (!quote && c == '(') {
      ++depth;
      continue;
    }
    if (!quote && c == ')' && depth > 0) {
      --depth;
      continue;
    }
    if (depth == 0) out.push_back(c);
  }
  return out;
}

std::string unquote(std::string_view s) {
  s = util::trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::vector<Mailbox> parse_address_list(std::string_view value) {
  std::vector<Mailbox> out;
  for (auto piece : split_list(value)) {
    if (const auto colon = piece.find(':'); colon != std::string_view::npos && piece.find('<') > colon &&
                                            piece.find('"') > colon) {
      piece = piece.substr(colon + 1);  // "group: first@x" -> first@x
    }
    Mailbox m;
    const auto lt = piece.rfind('<');
    const auto gt = piece.rfind('>');
    if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
      m.display = unquote(strip_comments(piece.substr(0, lt)));
      m.address = std::string(util::trim(piece.substr(lt + 1, gt - lt - 1)));
    } else {
      m.address = std::string(util::trim(strip_comments(piece)));
      if (m.address.find('@') == std::string::npos) {
        m.display = unquote(m.address);
        m.address.clear();
      }
    }
    if (!m.address.empty() && m.address.front() == '@') {  // obsolete route "<@a,@b:user@c>"
      if (const auto c = m.address.find(':'); c != std::string::npos) m.address = m.address.substr(c + 1);
    }
    if (m.address.empty() && m.display.empty()) continue;
    out.push_back(std::move(m));
  }
  return out;
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d = util::to_lower(util::trim(address.substr(at + 1)));
  while (!d.empty() && (d.back() == '.' || d.back() == '>')) d.pop_back();
  return d;
}

std::string organizational_domain(std::string_view domain) {
  static constexpr std::array<std::string_view, 64> kTwoLevel = {
      "co.uk",  "org.uk", "ac.uk",  "gov.uk", "me.uk",  "ltd.uk", "plc.uk", "net.uk", "com.cn", "net.cn", "org.cn",
      "gov.cn", "edu.cn", "ac.cn",  "co.jp",  "ne.jp",  "or.jp",  "ac.jp",  "ad.jp",  "go.jp",  "com.au", "net.au",
      "org.au", "edu.au", "gov.au", "co.nz",  "net.nz", "org.nz", "co.za",  "org.za", "com.br", "net.br", "org.br",
      "com.tw", "net.tw", "org.tw", "edu.tw", "idv.tw", "com.hk", "net.hk", "org.hk", "co.kr",  "or.kr",  "ne.kr",
      "com.mx", "com.ar", "co.in",  "net.in", "org.in", "com.sg", "com.my", "co.id",  "co.th",  "com.tr", "com.ua",
      "co.il",  "com.pl", "com.ru", "com.vn", "com.ph", "com.pk", "com.eg", "com.sa", "com.co"};
  std::string d = util::to_lower(util::trim(domain));
  while (!d.empty() && d.back() == '.') d.pop_back();
  const auto last = d.rfind('.');
  if (last == std::string::npos || last == 0) return d;
  const auto second = d.rfind('.', last - 1);
  if (second == std::string::npos) return d;
  const std::string_view tail = std::string_view(d).substr(second + 1);
  for (auto s : kTwoLevel) {
    if (tail == s) {
      const auto third = second == 0 ? std::string::npos : d.rfind('.', second - 1);
      return third == std::string::npos ? d : d.substr(third + 1);
    }
  }
  return d.substr(second + 1);
}

Alignment alignment(std::string_view from_domain, std::string_view other) {
  const std::string a = util::to_lower(from_domain);
  const std::string b = util::to_lower(other);
  if (a.empty() || b.empty()) return Alignment::none;
  if (a == b) return Alignment::strict;
  return organizational_domain(a) == organizational_domain(b) ? Alignment::relaxed : Alignment::none;
}

std::string_view to_string(Alignment a) {
  switch (a) {
    case Alignment::strict: return "strict";
    case Alignment::relaxed: return "relaxed";
    case Alignment::none: break;
  }
  return "none";
}

}  // namespace maildiag::message
