#include "maildiag/pop3/parse.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::pop3 {

namespace {

constexpr std::size_t kMaxTimestamp = 512;

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (auto w : util::split(s, ' ')) {
    w = util::trim(w);
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

std::string rest_after_first_word(std::string_view line) {
  const auto sp = line.find(' ');
  return sp == std::string_view::npos ? std::string() : std::string(util::trim(line.substr(sp + 1)));
}

}  // namespace

bool Capabilities::has_mechanism(std::string_view mech) const {
  return std::any_of(sasl_mechanisms.begin(), sasl_mechanisms.end(),
                     [&](const std::string& m) { return util::iequals(m, mech); });
}

Capabilities parse_capa(const std::vector<std::string>& lines) {
  Capabilities c;
  for (const auto& raw : lines) {
    const auto line = util::trim(raw);
    if (line.empty()) continue;
    c.lines.emplace_back(line);
    const auto w = words(line);
    const auto name = util::to_upper(w.front());
    if (name == "TOP") c.top = true;
    else if (name == "UIDL") c.uidl = true;
    else if (name == "USER") c.user = true;
    else if (name == "STLS") c.stls = true;
    else if (name == "RESP-CODES") c.resp_codes = true;
    else if (name == "AUTH-RESP-CODE") c.auth_resp_code = true;
    else if (name == "PIPELINING") c.pipelining = true;
    else if (name == "UTF8") c.utf8 = true;
    else if (name == "LOGIN-DELAY") c.login_delay = rest_after_first_word(line);
    else if (name == "EXPIRE") c.expire = rest_after_first_word(line);
    else if (name == "IMPLEMENTATION") c.implementation = rest_after_first_word(line);
    else if (name == "SASL") {
      c.sasl = true;
      for (std::size_t i = 1; i < w.size(); ++i) c.sasl_mechanisms.push_back(util::to_upper(w[i]));
    }
  }
  return c;
}

std::optional<std::string> apop_timestamp(std::string_view greeting_text) {
  const auto open = greeting_text.find('<');
  if (open == std::string_view::npos) return std::nullopt;
  const auto close = greeting_text.find('>', open);
  if (close == std::string_view::npos || close - open + 1 > kMaxTimestamp) return std::nullopt;
  const auto stamp = greeting_text.substr(open, close - open + 1);
  if (stamp.find('@') == std::string_view::npos) return std::nullopt;
  if (stamp.find_first_of(" \t<", 1) != std::string_view::npos) return std::nullopt;
  return std::string(stamp);
}

std::optional<Maildrop> parse_stat(std::string_view ok_text) {
  const auto w = words(ok_text);
  if (w.size() < 2) return std::nullopt;
  const auto n = util::parse_uint(w[0]);
  const auto o = util::parse_uint(w[1]);
  if (!n || !o) return std::nullopt;
  return Maildrop{*n, *o};
}

std::optional<ScanLine> parse_scan_line(std::string_view line) {
  const auto w = words(line);
  if (w.size() < 2) return std::nullopt;
  const auto n = util::parse_uint(w[0]);
  if (!n || *n == 0) return std::nullopt;
  return ScanLine{*n, std::string(w[1])};
}

}  // namespace maildiag::pop3
