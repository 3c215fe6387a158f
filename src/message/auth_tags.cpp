// Tag lists (DKIM-Signature, ARC-Seal, ARC-Message-Signature), Received-SPF and
// ARC-Authentication-Results.

#include "maildiag/message/auth.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::message {

namespace {
constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kMaxValue = 64 * 1024;

std::string without_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}
}  // namespace

std::string_view TagList::get(std::string_view name) const {
  for (const auto& [k, v] : tags) {
    if (util::iequals(k, name)) return v;
  }
  return {};
}

TagList parse_tag_list(std::string_view value) {
  TagList t;
  if (value.size() > kMaxValue) value = value.substr(0, kMaxValue);
  for (auto part : util::split(value, ';')) {
    if (t.tags.size() >= kMaxTags) break;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name = util::to_lower(util::trim(part.substr(0, eq)));
    if (name.empty()) continue;
    std::string v(util::trim(part.substr(eq + 1)));
    // Signatures and header lists fold anywhere; identities and domains never contain spaces.
    if (name == "b" || name == "bh" || name == "h" || name == "d" || name == "s" || name == "i") {
      v = without_whitespace(v);
    }
    t.tags.emplace_back(name, std::move(v));
  }
  return t;
}

std::optional<ReceivedSpf> parse_received_spf(std::string_view value) {
  if (value.size() > kMaxValue) value = value.substr(0, kMaxValue);
  value = util::trim(value);
  if (util::istarts_with(value, "received-spf:")) value = util::trim(value.substr(13));
  std::size_t i = 0;
  while (i < value.size() && (std::isalpha(static_cast<unsigned char>(value[i])) != 0)) ++i;
  if (i == 0) return std::nullopt;
  ReceivedSpf spf;
  spf.result = util::to_lower(value.substr(0, i));
  std::string_view rest = util::trim(value.substr(i));
  if (!rest.empty() && rest.front() == '(') {
    int depth = 0;
    std::size_t j = 0;
    for (; j < rest.size(); ++j) {
      if (rest[j] == '(') ++depth;
      else if (rest[j] == ')' && --depth == 0) break;
    }
    spf.comment = std::string(util::trim(rest.substr(1, j > 0 ? j - 1 : 0)));
    rest = j < rest.size() ? rest.substr(j + 1) : std::string_view{};
  }
  spf.pairs = parse_tag_list(rest);
  return spf;
}

std::optional<ArcAuthenticationResults> parse_arc_authentication_results(std::string_view value) {
  value = util::trim(value);
  if (util::istarts_with(value, "arc-authentication-results:")) value = util::trim(value.substr(27));
  if (!util::istarts_with(value, "i=")) return std::nullopt;
  const auto semi = value.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  const auto n = util::parse_uint(util::trim(value.substr(2, semi - 2)));
  if (!n || *n == 0 || *n > 50) return std::nullopt;  // RFC 8617: 1..50
  ArcAuthenticationResults arc;
  arc.instance = static_cast<int>(*n);
  arc.results = parse_authentication_results(value.substr(semi + 1));
  return arc;
}

}  // namespace maildiag::message
