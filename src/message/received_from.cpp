// The from-clause of a Received header (who connected: HELO, reverse DNS, address) and the
// TLS statements MTAs write in comments.

#include "maildiag/message/received.hpp"

#include "byte_scan.hpp"
#include "maildiag/util/text.hpp"
#include "received_internal.hpp"

#include <algorithm>
#include <array>

namespace maildiag::message {

namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool is_ipv4(std::string_view s) {
  std::size_t parts = 0;
  std::size_t i = 0;
  while (true) {  // four dot-separated numbers of 1-3 digits, each at most 255
    std::size_t digits = 0;
    int value = 0;
    while (i < s.size() && s[i] != '.') {
      if (s[i] < '0' || s[i] > '9' || ++digits > 3) return false;
      value = value * 10 + (s[i] - '0');
      ++i;
    }
    if (digits == 0 || value > 255 || ++parts > 4) return false;
    if (i == s.size()) return parts == 4;
    ++i;  // the dot
  }
}

bool is_ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  const auto dbl = s.find("::");
  if (dbl != std::string_view::npos && s.find("::", dbl + 1) != std::string_view::npos) return false;
  std::size_t groups = 0;
  auto count = [&](std::string_view part) {
    if (part.empty()) return true;
    std::size_t start = 0;
    while (true) {
      const auto colon = part.find(':', start);
      const bool last = colon == std::string_view::npos;
      const auto p = part.substr(start, last ? std::string_view::npos : colon - start);
      if (last && p.find('.') != std::string_view::npos) {
        if (!is_ipv4(p)) return false;
        groups += 2;
        return true;
      }
      if (p.empty() || p.size() > 4 || !std::all_of(p.begin(), p.end(), is_hex)) return false;
      ++groups;
      if (last) return true;
      start = colon + 1;
    }
  };
  if (dbl == std::string_view::npos) return count(s) && groups == 8;
  return count(s.substr(0, dbl)) && count(s.substr(dbl + 2)) && groups <= 7;
}

std::string_view fold_mapped(std::string_view ip) {
  if (util::istarts_with(ip, "::ffff:") && is_ipv4(ip.substr(7))) return ip.substr(7);
  return ip;
}

/// std::isspace in the C locale, without the call.
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/// What a byte is to words_of: part of a word, its end (is_space or ','), or '['.
enum : unsigned char { kWordByte = 0, kWordEnd = 1, kWordBracket = 2 };
constexpr std::array<unsigned char, 256> make_in_word() {
  std::array<unsigned char, 256> t{};
  for (char c : {' ', '\t', '\n', '\v', '\f', '\r', ','}) t[static_cast<unsigned char>(c)] = kWordEnd;
  t[static_cast<unsigned char>('[')] = kWordBracket;
  return t;
}
constexpr auto kInWord = make_in_word();

bool hostname_like(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (util::iequals(s, "localhost")) return true;
  if (s.find('.') == std::string_view::npos || is_ip_literal(s)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
}

std::string_view unquote(std::string_view s) {
  while (!s.empty() && (s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '"' || s.back() == '\'' || s.back() == ')')) s.remove_suffix(1);
  return s;
}

void words_of(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    std::size_t j = i;
    if (j < s.size() && s[j] == '[') {
      const auto close = s.find(']', j);
      j = close == std::string_view::npos ? s.size() : close + 1;
    }
    for (; j < s.size(); ++j) {
      const unsigned char kind = kInWord[static_cast<unsigned char>(s[j])];
      if (kind == kWordByte) continue;
      if (kind == kWordEnd) break;
      if (j > i && s[j - 1] != '=') break;  // '[': "unknown[1.2.3.4]" is two words; "helo=[x]" one
    }
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
}

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> out;
  words_of(s, out);
  return out;
}

/// The bracketed literals of one from-clause (views into the value): nearly always one or two,
/// kept without a heap allocation for the list itself.
class IpList {
 public:
  void push_back(std::string_view ip) {
    if (n_ < head_.size()) head_[n_] = ip;
    else tail_.push_back(ip);
    ++n_;
  }
  [[nodiscard]] std::size_t size() const { return n_; }
  [[nodiscard]] bool empty() const { return n_ == 0; }
  [[nodiscard]] std::string_view front() const { return head_[0]; }
  /// True when one of them is not `ip`.
  [[nodiscard]] bool any_other_than(std::string_view ip) const {
    for (std::size_t i = 0; i < n_ && i < head_.size(); ++i) {
      if (head_[i] != ip) return true;
    }
    return std::any_of(tail_.begin(), tail_.end(), [&](std::string_view x) { return x != ip; });
  }

 private:
  std::array<std::string_view, 2> head_;
  std::vector<std::string_view> tail_;
  std::size_t n_ = 0;
};

/// What the comments and words of one from-clause said.
struct FromFacts {
  // Views into the Received value, which outlives the facts.
  std::string_view helo;
  bool helo_stated = false;
  std::string_view helo_command;      ///< "HELO", "EHLO", "LHLO" (static text) or ""
  std::string_view comment_rdns;      ///< "(rdns [ip])"
  std::string_view lone_host;         ///< "(host.example)" with no address
  bool bracket_after_lone = false;    ///< Exim 3: "rdns (helo) [ip]"
  IpList tcp_ips;                     ///< bracketed literals written by the receiver
  std::string_view bare_ip;           ///< qmail/Exchange "(ip)"
  bool bare_glued = false;            ///< smap "rdns(ip)"
  bool bare_port = false;             ///< XMail "(ip:port)": the name before it is the HELO
  bool port_form = false;             ///< "[ip]:port": Exim
  bool verified = false;              ///< CommuniGate "([ip] verified)"
  bool injected = false;              ///< an address comment after a stray word
};

std::string_view clean_ident(std::string_view s) {
  if (util::istarts_with(s, "IDENT:")) s.remove_prefix(6);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  return s;
}

/// `cmd` upper-cased: every caller passes "HELO", "EHLO" or "LHLO" in some case, or "".
std::string_view helo_command_of(std::string_view cmd) {
  for (std::string_view c : {"HELO", "EHLO", "LHLO"}) {
    if (util::iequals(cmd, c)) return c;
  }
  return {};
}

void read_helo_word(std::string_view cmd, std::string_view arg, FromFacts& f) {
  if (f.helo_stated) return;
  f.helo_stated = true;
  f.helo = unquote(arg);
  f.helo_command = helo_command_of(cmd);
}

/// One comment of the from-clause: "(rdns [ip])", "(HELO x)", "([ip]:port helo=x ident=y)",
/// "(user@ip)", "(AUTH: LOGIN u, SSL: ...)", "(authenticated bits=0)" ...
void read_comment(const detail::Token& t, FromFacts& f, Received& r) {
  thread_local std::vector<std::string_view> words;  // reused: one comment at a time
  words_of(t.text, words);
  bool has_ip = false;
  for (std::size_t j = 0; j < words.size(); ++j) {
    const std::string_view w = words[j];
    const std::string_view next = j + 1 < words.size() ? words[j + 1] : std::string_view{};
    const char l = static_cast<char>(w.front() | 0x20);  // the first letter in lower case: most tests need one
    if ((l == 'h' || l == 'e') && (util::istarts_with(w, "helo=") || util::istarts_with(w, "ehlo="))) {
      read_helo_word("HELO", w.substr(5), f);
    } else if ((l == 'h' || l == 'e' || l == 'l') && (util::iequals(w, "helo") || util::iequals(w, "ehlo") || util::iequals(w, "lhlo"))) {
      read_helo_word(w, next, f);
      ++j;
    } else if (w.size() > 1 && w.front() == '"' && (util::iequals(w.substr(1), "helo") || util::iequals(w.substr(1), "ehlo"))) {
      read_helo_word(w.substr(1), next, f);  // vger: "EHLO host"
      ++j;
    } else if (l == 'i' && util::istarts_with(w, "ident=")) {
      if (r.ident.empty()) r.ident = clean_ident(w.substr(6));
    } else if (w.front() == '[') {
      const auto close = w.find(']');
      const std::string_view ip = detail::extract_ip(w.substr(1, close == std::string_view::npos ? w.size() - 1 : close - 1));
      if (!ip.empty()) {
        has_ip = true;
        f.tcp_ips.push_back(ip);
        if (close != std::string_view::npos && close + 1 < w.size() && w[close + 1] == ':') f.port_form = true;
      }
      if (j > 0 && f.comment_rdns.empty()) {  // "(rdns [ip])", "(user@rdns [ip])", OpenSMTPD "(rdns [local])"
        std::string_view host = words[j - 1];
        while (host.size() >= 2 && host.front() == '<' && host.back() == '>') host = host.substr(1, host.size() - 2);
        if (const auto at = host.rfind('@'); at != std::string_view::npos) {
          if (r.ident.empty()) r.ident = clean_ident(host.substr(0, at));
          host = host.substr(at + 1);
        }
        if (hostname_like(host) || (host.size() > 1 && host.back() == '.' && hostname_like(host.substr(0, host.size() - 1)))) {
          f.comment_rdns = host;
        }
      }
    } else if (w.find('@') != std::string_view::npos && words.size() == 1 && hostname_like(w.substr(w.rfind('@') + 1))) {
      if (r.ident.empty()) r.ident = clean_ident(w.substr(0, w.rfind('@')));  // sendmail "(user@localhost)"
    } else if (const std::string_view ip = detail::extract_ip(w.substr(w.rfind('@') == std::string_view::npos ? 0 : w.rfind('@') + 1)); !ip.empty()) {
      has_ip = true;
      if (f.bare_ip.empty()) {
        f.bare_ip = ip;
        f.bare_glued = t.glued;
        f.bare_port = w.find(':') != std::string_view::npos && w.find("::") == std::string_view::npos &&
                      ip.find(':') == std::string_view::npos;
        if (const auto at = w.rfind('@'); at != std::string_view::npos && r.ident.empty()) r.ident = w.substr(0, at);
      }
    } else if (l == 'v' && util::iequals(w, "verified")) {
      f.verified = true;
    } else if (l == 'w' && util::iequals(w, "with") && (util::iequals(next, "plain") || util::iequals(next, "login"))) {
      if (r.auth.empty()) r.auth = next;
    }
  }
  if (!has_ip && words.size() == 1 && hostname_like(words[0])) f.lone_host = words[0];
}

}  // namespace

namespace detail {

std::string_view extract_ip(std::string_view s) {
  s = util::trim(s);
  while (!s.empty() && (s.front() == '[' || s.front() == '(')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ']' || s.back() == ')')) s.remove_suffix(1);
  s = util::trim(s);
  // Every form below starts with a digit or holds a colon: most words are rejected here.
  if (s.empty() || ((s[0] < '0' || s[0] > '9') && s.find(':') == std::string_view::npos)) return {};
  if (util::istarts_with(s, "IPv6:")) s.remove_prefix(5);
  if (const auto pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);  // fe80::1%4
  if (is_ip_literal(s)) return fold_mapped(s);
  if (const auto colon = s.rfind(':'); colon != std::string_view::npos && is_ipv4(s.substr(0, colon))) {
    return s.substr(0, colon);  // "1.2.3.4:25"
  }
  if (std::count(s.begin(), s.end(), '.') == 4) {  // Exim 3 "[10.0.8.6.13219]": address and port
    const auto v4 = s.substr(0, s.rfind('.'));
    if (is_ipv4(v4)) return v4;
  }
  return {};
}

std::string_view normalise_tls_version(std::string_view v) {
  std::string u;
  for (char c : v) {
    if (c == '/') break;
    if (c == '-' || c == 'v' || c == 'V') continue;
    u.push_back(c == '_' ? '.' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (u == "TLS1" || u == "TLS1.0" || u == "TLS10") return "TLSv1.0";
  if (u == "TLS1.1" || u == "TLS11") return "TLSv1.1";
  if (u == "TLS1.2" || u == "TLS12") return "TLSv1.2";
  if (u == "TLS1.3" || u == "TLS13") return "TLSv1.3";
  if (u == "SSL3" || u == "SSL3.0") return "SSLv3";
  return v;
}

bool read_tls(std::string_view text, ReceivedTls& tls, TextStore& store) {
  if (tls.stated()) return false;
  // Most comments are collapsed already: a view. The fields below view t, which lives as long as
  // the value (or the store) does.
  const std::string_view t = collapsed(text) ? text : collapse(text, store);
  if (const auto p = util::ifind(t, "using "); p != std::string_view::npos) {  // Postfix
    const auto w = words_of(t.substr(p + 6));
    if (w.empty()) return false;
    tls.version = normalise_tls_version(w[0]);
    if (w.size() >= 4 && util::iequals(w[1], "with") && util::iequals(w[2], "cipher")) tls.cipher = w[3];
    if (w.size() >= 6 && w[4].front() == '(' && util::istarts_with(w[5], "bits")) tls.bits = w[4].substr(1);
    return true;
  }
  const bool equals = t.find('=') != std::string_view::npos;
  if (equals && (util::icontains(t, "version=") || util::icontains(t, "cipher="))) {  // Exchange, Gmail, sendmail, Haraka
    for (auto w : words_of(t)) {
      while (!w.empty() && (w.back() == ',' || w.back() == ')' || w.back() == ';')) w.remove_suffix(1);
      if (util::istarts_with(w, "version=")) tls.version = normalise_tls_version(w.substr(8));
      else if (util::istarts_with(w, "cipher=")) tls.cipher = w.substr(7);
      else if (util::istarts_with(w, "bits=")) tls.bits = w.substr(5);
    }
    return true;
  }
  const bool colons = t.find(':') != std::string_view::npos;
  for (std::string_view key : {"TLS: ", "SSL: "}) {  // "TLS: TLSv1/SSLv3, 168bits,DES-CBC3-SHA"
    const auto p = colons ? util::ifind(t, key) : std::string_view::npos;
    if (p == std::string_view::npos) continue;
    const auto parts = util::split(t.substr(p + key.size()), ',');
    if (parts.size() < 3) continue;
    tls.version = normalise_tls_version(util::trim(parts[0]));
    std::string_view bits = util::trim(parts[1]);
    if (const auto b = util::ifind(bits, "bits"); b != std::string_view::npos) bits = bits.substr(0, b);
    tls.bits = bits;
    tls.cipher = util::trim(util::split(parts[2], ')').front());
    return true;
  }
  std::string_view s = util::trim(t);
  for (std::string_view prefix : {"Cipher ", "tls_cipher "}) {
    if (util::istarts_with(s, prefix)) s = util::trim(s.substr(prefix.size()));
  }
  const bool tls_word = util::istarts_with(s, "TLS");
  if (colons && (tls_word || util::istarts_with(s, "SSL"))) {  // Exim: "TLS1.2:ECDHE_RSA_AES_128_GCM_SHA256:128"
    const auto colon = util::split(s, ':');
    if (colon.size() == 3 && colon[1].find(' ') == std::string_view::npos) {
      tls.version = normalise_tls_version(colon[0]);
      tls.cipher = colon[1];
      tls.bits = colon[2];
      return true;
    }
  }
  if (!tls_word && !util::icontains(s, "encrypted")) return false;  // neither form below
  const auto words = words_of(s);
  if (words.size() == 2 && util::iequals(words[1], "encrypted")) {  // qmail-tls
    tls.cipher = words[0];
    return true;
  }
  if (words.size() == 1 && (util::istarts_with(s, "TLS1") || util::istarts_with(s, "TLSv1"))) {
    tls.version = normalise_tls_version(s);  // Exim 4.9x "(TLS1.3)"
    return true;
  }
  return false;
}

void read_from_clause(const Clause& from, Received& r, const MtaHints& hints, TextStore& store) {
  const bool web = hints.web;
  const auto& toks = from.tokens;
  FromFacts f;
  std::size_t i = 0;
  if (!toks.empty() && toks[0]->kind == Token::Kind::word) {
    r.from_word = toks[0]->text;
    i = 1;
  }
  bool seen_comment = false;
  bool stray_word = false;
  for (; i < toks.size(); ++i) {
    const Token* t = toks[i];
    if (t->kind == Token::Kind::word) {
      if (t->text.front() == '[') {
        const auto close = t->text.find(']');
        const std::string_view ip = extract_ip(t->text.substr(0, close == std::string_view::npos ? t->text.size() : close + 1));
        if (!ip.empty()) {
          f.tcp_ips.push_back(ip);
          if (!f.lone_host.empty()) f.bracket_after_lone = true;
          if (close != std::string_view::npos && close + 1 < t->text.size() && t->text[close + 1] == ':') f.port_form = true;
        }
      } else if (util::iequals(t->text, "claiming") && i + 3 < toks.size() && util::iequals(toks[i + 2]->text, "be")) {
        read_helo_word("HELO", toks[i + 3]->text, f);  // smap: 'claiming to be "host"'
        i += 3;
      } else if (util::iequals(t->text, "as") && i + 2 < toks.size() && util::iequals(toks[i + 1]->text, "user")) {
        if (r.ident.empty()) r.ident = toks[i + 2]->text;  // "( [ip]) as user jason@localhost"
        i += 2;
      } else if (seen_comment) {
        stray_word = true;
      }
      continue;
    }
    seen_comment = true;
    const std::size_t ips_before = f.tcp_ips.size();
    const bool bare_before = f.bare_ip.empty();  // read_comment sets it only when it is empty
    read_comment(*t, f, r);
    if (stray_word && (f.tcp_ips.size() != ips_before || f.bare_ip.empty() != bare_before)) f.injected = true;
    if (hints.reread_tls) read_tls(t->text, r.tls, store);
  }
  std::string_view word_ip;
  bool word_bracketed = false;
  if (!r.from_word.empty() && r.from_word.front() == '[') {
    word_ip = extract_ip(r.from_word.substr(0, r.from_word.find(']') + 1));
    word_bracketed = true;
  } else if (is_ip_literal(r.from_word)) {
    word_ip = fold_mapped(r.from_word);
  }
  if (!f.helo_stated && f.bracket_after_lone) read_helo_word("", f.lone_host, f);

  // The connecting address: the receiver's own bracketed TCP-info first.
  auto differs = [&](std::string_view ip) { return f.tcp_ips.any_other_than(ip); };
  if (word_bracketed && !word_ip.empty() && f.helo_stated) {  // Exim/CommuniGate "[ip] (helo=x)"
    r.ip = word_ip;
    r.ip_source = IpSource::tcp_info;
    r.ambiguous = r.ambiguous || differs(word_ip);
  } else if (!f.tcp_ips.empty()) {
    r.ip = f.tcp_ips.front();
    r.ip_source = IpSource::tcp_info;
    r.ambiguous = r.ambiguous || differs(r.ip);
  } else if (!f.bare_ip.empty()) {
    r.ip = f.bare_ip;
    r.ip_source = IpSource::tcp_info_bare;
  } else if (!word_ip.empty()) {
    r.ip = word_ip;
    r.ip_source = IpSource::from_word;
  }
  r.ambiguous = r.ambiguous || f.injected;

  // Which name is the HELO and which the reverse DNS depends on the MTA's layout.
  const std::string_view w = r.from_word;
  const bool w_host = hostname_like(w);
  if (!word_ip.empty()) {
    // The from word is the greeting unless it is the only address (then it is how the receiver
    // wrote the peer: "from 1.2.3.4 by host with HTTP").
    const bool other_address = r.ip != word_ip;
    if (f.helo_stated) r.helo = f.helo;
    else if ((web && !other_address) || (!word_bracketed && !other_address)) r.helo = std::string_view{};
    else r.helo = w;
  } else if (f.helo_stated) {
    r.helo = f.helo;
    if (w_host) r.rdns = w;
  } else if (!f.comment_rdns.empty()) {
    r.helo = w;
  } else if (web) {
    r.helo = std::string_view{};  // web submissions have no SMTP greeting
  } else if (f.verified || ((hints.exim() || (f.port_form && !hints.xmail())) && r.ip_source == IpSource::tcp_info)) {
    r.helo = w;
    if (w_host) r.rdns = w;
  } else if (r.ip_source == IpSource::tcp_info_bare && !hints.microsoft() && !f.bare_port) {
    if (w_host) r.rdns = w;
    if (!f.bare_glued) r.helo = w;  // smap "rdns(ip)" names no greeting
  } else {
    r.helo = w;
  }
  if (r.rdns.empty() && !f.comment_rdns.empty()) r.rdns = f.comment_rdns;
  if (r.rdns.empty() && !f.lone_host.empty() && !f.bracket_after_lone) r.rdns = f.lone_host;
  r.helo_command = f.helo_command;
}

}  // namespace detail

std::string_view to_string(IpSource s) {
  switch (s) {
    case IpSource::tcp_info: return "tcp-info";
    case IpSource::tcp_info_bare: return "tcp-info-unbracketed";
    case IpSource::from_word: return "from-word";
    case IpSource::none: break;
  }
  return "none";
}

bool is_ip_literal(std::string_view s) { return is_ipv4(s) || (s.find(':') != std::string_view::npos && is_ipv6(s)); }

bool is_private_ip(std::string_view ip) {
  if (is_ipv4(ip)) {
    const auto p = util::split(ip, '.');
    const int a = std::stoi(std::string(p[0]));
    const int b = std::stoi(std::string(p[1]));
    return a == 10 || a == 127 || a == 0 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
           (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127);
  }
  if (!is_ipv6(ip)) return false;
  const std::string l = util::to_lower(ip);
  if (l == "::1" || l == "::") return true;
  if (util::istarts_with(l, "::ffff:")) return is_private_ip(l.substr(7));
  return util::istarts_with(l, "fc") || util::istarts_with(l, "fd") || util::istarts_with(l, "fe8") ||
         util::istarts_with(l, "fe9") || util::istarts_with(l, "fea") || util::istarts_with(l, "feb");
}

}  // namespace maildiag::message
