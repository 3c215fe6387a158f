#include "maildiag/smtp/capabilities.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::smtp {

namespace {

/// Splits on runs of spaces and tabs.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

void add_auth(Capabilities& c, const std::vector<std::string_view>& mechs, std::size_t from) {
  for (std::size_t i = from; i < mechs.size(); ++i) {
    std::string m = util::to_upper(mechs[i]);
    if (std::find(c.auth.begin(), c.auth.end(), m) == c.auth.end()) c.auth.push_back(std::move(m));
  }
}

void parse_size(Capabilities& c, const std::vector<std::string_view>& w) {
  c.size = true;
  if (w.size() < 2) return;  // "SIZE" alone: offered, no limit announced
  if (auto n = util::parse_uint(w[1])) {
    c.size_limit = *n;
  } else {
    c.notes.push_back("SIZE parameter \"" + util::sanitize(w[1], 40) + "\" is not a number");
  }
}

/// Handles one keyword line; returns false when the keyword is not one we know.
bool parse_keyword(Capabilities& c, std::string_view line) {
  const auto w = words(line);
  if (w.empty()) return true;
  const std::string kw = util::to_upper(w[0]);
  if (kw == "SIZE") {
    parse_size(c, w);
  } else if (kw == "PIPELINING") {
    c.pipelining = true;
  } else if (kw == "STARTTLS") {
    c.starttls = true;
  } else if (kw == "8BITMIME") {
    c.eightbitmime = true;
  } else if (kw == "SMTPUTF8") {
    c.smtputf8 = true;
  } else if (kw == "CHUNKING") {
    c.chunking = true;
  } else if (kw == "BINARYMIME") {
    c.binarymime = true;
  } else if (kw == "DSN") {
    c.dsn = true;
  } else if (kw == "ENHANCEDSTATUSCODES") {
    c.enhanced_status_codes = true;
  } else if (kw == "REQUIRETLS") {
    c.requiretls = true;
  } else if (kw == "PRDR") {
    c.prdr = true;
  } else if (kw == "AUTH") {
    add_auth(c, w, 1);
  } else if (util::istarts_with(kw, "AUTH=")) {
    // Pre-RFC 4954 syntax some servers still add for old Outlook clients: "AUTH=LOGIN PLAIN".
    add_auth(c, words(line.substr(line.find('=') + 1)), 0);
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool Capabilities::offers_auth(std::string_view mechanism) const {
  const std::string m = util::to_upper(mechanism);
  return std::find(auth.begin(), auth.end(), m) != auth.end();
}

Capabilities parse_capabilities(const codes::Reply& reply) {
  Capabilities c;
  if (reply.code != 250 || reply.lines.empty()) return c;
  const auto first = util::trim(reply.lines.front());
  const auto sp = first.find(' ');
  c.server_name = std::string(first.substr(0, sp));
  if (sp != std::string_view::npos) c.greeting_text = std::string(util::trim(first.substr(sp + 1)));
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const auto line = util::trim(reply.lines[i]);
    if (line.empty()) continue;
    c.keywords.emplace_back(line);
    if (!parse_keyword(c, line)) c.other.emplace_back(line);
  }
  return c;
}

CapabilityDiff diff(const Capabilities& before, const Capabilities& after) {
  auto norm = [](const Capabilities& c) {
    std::vector<std::string> v;
    for (const auto& k : c.keywords) {
      std::string joined;
      for (auto w : words(k)) joined += (joined.empty() ? "" : " ") + util::to_upper(w);
      v.push_back(std::move(joined));
    }
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  const auto a = norm(before);
  const auto b = norm(after);
  CapabilityDiff d;
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(d.added));
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(d.removed));
  return d;
}

}  // namespace maildiag::smtp
