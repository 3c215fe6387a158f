#include "maildiag/message/mime.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace maildiag::message {

namespace {

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7F) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

std::string_view trim_ws(std::string_view s) { return util::trim(s); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// RFC 2231 extended value: charset'language'percent-encoded.
std::string decode_2231(std::string_view v) {
  std::string_view charset;
  if (auto q1 = v.find('\''); q1 != std::string_view::npos) {
    if (auto q2 = v.find('\'', q1 + 1); q2 != std::string_view::npos) {
      charset = v.substr(0, q1);
      v.remove_prefix(q2 + 1);
    }
  }
  std::string raw;
  raw.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && hex_value(v[i + 1]) >= 0 && hex_value(v[i + 2]) >= 0) {
      raw.push_back(static_cast<char>(hex_value(v[i + 1]) * 16 + hex_value(v[i + 2])));
      i += 2;
    } else {
      raw.push_back(v[i]);
    }
  }
  if (charset.empty()) return raw;
  return to_utf8(raw, charset).text;
}

/// Reads one `name=value` parameter at s[i] (after the ';'); advances i past it.
bool read_param(std::string_view s, std::size_t& i, std::string& name, std::string& value) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) ++i;
  const std::size_t n0 = i;
  while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
  name = util::to_lower(trim_ws(s.substr(n0, i - n0)));
  if (i >= s.size() || s[i] != '=') return false;
  ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  value.clear();
  if (i < s.size() && s[i] == '"') {
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      value.push_back(s[i++]);
    }
    if (i < s.size()) ++i;
  } else {
    const std::size_t v0 = i;
    while (i < s.size() && s[i] != ';') ++i;
    value = std::string(trim_ws(s.substr(v0, i - v0)));
  }
  return !name.empty();
}

/// Joins RFC 2231 continuations (name*0, name*1*, name*) into plain parameters.
void join_continuations(ContentType& ct) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, value] : ct.params) {
    const auto star = name.find('*');
    if (star == std::string::npos) {
      out.emplace_back(name, value);
      continue;
    }
    const std::string base = name.substr(0, star);
    const bool extended = name.back() == '*';
    std::string v = extended ? decode_2231(value) : value;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == base; });
    if (it == out.end()) {
      out.emplace_back(base, std::move(v));
    } else {
      it->second += v;
    }
  }
  ct.params = std::move(out);
}

/// Where a line ending starts before `pos` (pos is at a line start); pos itself when none.
std::size_t before_eol(std::string_view s, std::size_t pos) {
  if (pos >= 2 && s[pos - 2] == '\r' && s[pos - 1] == '\n') return pos - 2;
  if (pos >= 1 && (s[pos - 1] == '\n' || s[pos - 1] == '\r')) return pos - 1;
  return pos;
}

/// Past the line ending at s[pos] (CRLF, LF or CR); pos when there is none.
std::size_t after_eol(std::string_view s, std::size_t pos) {
  if (pos < s.size() && s[pos] == '\r') {
    ++pos;
    if (pos < s.size() && s[pos] == '\n') ++pos;
  } else if (pos < s.size() && s[pos] == '\n') {
    ++pos;
  }
  return pos;
}

struct Delimiter {
  std::size_t line_start;  ///< where the "--boundary" line starts
  std::size_t next;        ///< first byte after the delimiter line
  bool close;              ///< "--boundary--"
};

/// Finds the next delimiter line for boundary at or after `from`.
std::optional<Delimiter> next_delimiter(std::string_view body, std::string_view dash_boundary,
                                        std::size_t from) {
  while (from <= body.size()) {
    const auto pos = body.find(dash_boundary, from);
    if (pos == std::string_view::npos) return std::nullopt;
    from = pos + 1;
    if (pos != 0 && body[pos - 1] != '\n' && body[pos - 1] != '\r') continue;
    std::size_t j = pos + dash_boundary.size();
    bool close = false;
    if (body.substr(j, 2) == "--") {
      close = true;
      j += 2;
    }
    while (j < body.size() && (body[j] == ' ' || body[j] == '\t')) ++j;
    if (j < body.size() && body[j] != '\r' && body[j] != '\n') continue;
    return Delimiter{pos, after_eol(body, j), close};
  }
  return std::nullopt;
}

class Parser {
 public:
  Parser(MimeTree& tree, const MimeLimits& limits) : tree_(tree), limits_(limits) {}

  void parse(std::string_view raw, int parent, std::size_t depth, bool digest_child) {
    if (tree_.parts.size() >= limits_.max_parts) {
      if (!tree_.truncated) tree_.problems.emplace_back("more than " + std::to_string(limits_.max_parts) + " MIME parts; the rest was not read");
      tree_.truncated = true;
      return;
    }
    MimePart part;
    part.headers = parse_headers(raw, limits_.headers);
    part.parent = parent;
    part.depth = depth;
    const auto off = std::min(part.headers.body_offset, raw.size());
    part.body = raw.substr(off);
    if (const auto* h = part.headers.find("Content-Type")) {
      part.content_type = parse_content_type(h->value);
    } else if (digest_child) {
      part.content_type.type = "message";
      part.content_type.subtype = "rfc822";
    }
    part.transfer_encoding = util::to_lower(util::trim(part.headers.get("Content-Transfer-Encoding")));
    const std::size_t index = tree_.parts.size();
    tree_.parts.push_back(std::move(part));
    if (parent >= 0) tree_.parts[static_cast<std::size_t>(parent)].children.push_back(index);
    if (tree_.parts[index].is_multipart()) split(index, depth);
  }

 private:
  void demote(std::size_t index, std::string problem) {
    tree_.problems.push_back(std::move(problem));
    auto& ct = tree_.parts[index].content_type;
    ct.type = "text";
    ct.subtype = "plain";
  }

  void split(std::size_t index, std::size_t depth) {
    const std::string boundary(tree_.parts[index].content_type.param("boundary"));
    if (boundary.empty() || boundary.size() > 200) {
      demote(index, "a multipart part has no usable boundary parameter; read as text");
      return;
    }
    if (depth >= limits_.max_depth) {
      tree_.truncated = true;
      demote(index, "MIME nesting deeper than " + std::to_string(limits_.max_depth) + " levels; the rest read as text");
      return;
    }
    const std::string dash = "--" + boundary;
    const std::string_view body = tree_.parts[index].body;
    const bool digest = tree_.parts[index].content_type.subtype == "digest";
    auto d = next_delimiter(body, dash, 0);
    if (!d) {
      demote(index, "the multipart boundary \"" + util::sanitize(boundary, 80) + "\" never occurs; read as text");
      return;
    }
    while (d && !d->close) {
      const std::size_t start = d->next;
      auto nd = next_delimiter(body, dash, start);
      const std::size_t end = nd ? before_eol(body, nd->line_start) : body.size();
      if (!nd) tree_.problems.emplace_back("a multipart has no final boundary; its last part runs to the end");
      parse(body.substr(start, end >= start ? end - start : 0), static_cast<int>(index), depth + 1, digest);
      if (tree_.truncated && tree_.parts.size() >= limits_.max_parts) return;
      d = nd;
    }
  }

  MimeTree& tree_;
  const MimeLimits& limits_;
};

std::string decode_entity(std::string_view name) {
  if (name == "amp") return "&";
  if (name == "lt") return "<";
  if (name == "gt") return ">";
  if (name == "quot") return "\"";
  if (name == "apos") return "'";
  if (name == "nbsp") return " ";
  if (!name.empty() && name[0] == '#') {
    unsigned long cp = 0;
    std::size_t i = 1;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    if (hex) ++i;
    for (; i < name.size(); ++i) {
      const int v = hex ? hex_value(name[i]) : (std::isdigit(static_cast<unsigned char>(name[i])) != 0 ? name[i] - '0' : -1);
      if (v < 0 || cp > 0x10FFFF) return {};
      cp = cp * (hex ? 16u : 10u) + static_cast<unsigned long>(v);
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    std::string out;
    util::append_utf8(out, static_cast<char32_t>(cp));
    return out;
  }
  return {};
}

bool breaks_line(std::string_view tag) {
  for (std::string_view t : {"br", "p", "/p", "tr", "/tr", "div", "/div", "li", "/table", "table", "h1", "h2", "h3", "/h1", "/h2", "/h3", "hr"}) {
    if (util::iequals(tag, t)) return true;
  }
  return false;
}

}  // namespace

std::string_view ContentType::param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (util::iequals(n, name)) return v;
  }
  return {};
}

bool ContentType::is(std::string_view t) const {
  const auto slash = t.find('/');
  if (slash == std::string_view::npos) return util::iequals(type, t);
  if (!util::iequals(type, t.substr(0, slash))) return false;
  const auto sub = t.substr(slash + 1);
  return sub == "*" || util::iequals(subtype, sub);
}

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::size_t i = 0;
  while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
  const std::size_t t0 = i;
  while (i < value.size() && is_token_char(value[i])) ++i;
  const auto type = value.substr(t0, i - t0);
  while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
  if (i < value.size() && value[i] == '/' && !type.empty()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    const std::size_t s0 = i;
    while (i < value.size() && is_token_char(value[i])) ++i;
    const auto sub = value.substr(s0, i - s0);
    if (!sub.empty()) {
      ct.type = util::to_lower(type);
      ct.subtype = util::to_lower(sub);
    }
  }
  // Parameters: anything after the first ';'.
  i = value.find(';', i);
  if (i == std::string_view::npos) return ct;
  std::string name;
  std::string v;
  std::size_t guard = 0;
  while (i < value.size() && guard++ < 64) {
    const std::size_t before = i;
    if (read_param(value, i, name, v)) ct.params.emplace_back(name, v);
    if (i < value.size() && value[i] != ';') i = value.find(';', i);
    if (i == std::string_view::npos || i == before) break;
  }
  join_continuations(ct);
  return ct;
}

MimeTree parse_mime(std::string_view message, const MimeLimits& limits) {
  MimeTree tree;
  Parser(tree, limits).parse(message, -1, 0, false);
  for (const auto& p : tree.parts) {
    for (const auto& pr : p.headers.problems) {
      if (tree.problems.size() < 32) tree.problems.push_back(pr);
    }
    if (p.headers.truncated) tree.truncated = true;
  }
  return tree;
}

DecodedBody decode_transfer(const MimePart& part, std::size_t max_bytes) {
  DecodedBody out;
  const auto& cte = part.transfer_encoding;
  if (cte == "base64") {
    if (auto d = decode_base64(part.body.substr(0, std::min(part.body.size(), max_bytes / 3 * 4 + 4)))) {
      out.bytes = std::move(*d);
    } else {
      out.bytes = std::string(part.body.substr(0, std::min(part.body.size(), max_bytes)));
      out.ok = false;
    }
  } else if (cte == "quoted-printable") {
    out.bytes = decode_quoted_printable(part.body.substr(0, std::min(part.body.size(), max_bytes * 3)));
  } else {
    out.bytes = std::string(part.body.substr(0, std::min(part.body.size(), max_bytes)));
  }
  if (out.bytes.size() > max_bytes) out.bytes.resize(max_bytes);
  return out;
}

Decoded body_text(const MimePart& part, std::size_t max_bytes) {
  auto d = decode_transfer(part, max_bytes);
  auto charset = util::trim(part.content_type.param("charset"));
  // ISO-2022-JP is 7-bit: its text is "ASCII" with ESC $ B ... ESC ( B shifts, often in parts that
  // name no charset (delivery-status bodies of Japanese MTAs).
  const bool jis = d.bytes.find("\x1b$B") != std::string::npos || d.bytes.find("\x1b$@") != std::string::npos;
  if (util::is_ascii(d.bytes) && !jis) return Decoded{std::move(d.bytes), d.ok};
  if (charset.empty() || (jis && util::is_ascii(d.bytes) && !util::istarts_with(charset, "iso-2022"))) {
    charset = jis ? "iso-2022-jp" : "utf-8";
  }
  auto r = to_utf8(d.bytes, charset);
  if (!r.ok && util::iequals(charset, "utf-8")) r = to_utf8(d.bytes, "windows-1252");
  r.ok = r.ok && d.ok;
  return r;
}

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      const auto close = html.find('>', i);
      if (close == std::string_view::npos) break;
      auto tag = html.substr(i + 1, close - i - 1);
      const auto sp = tag.find_first_of(" \t\r\n/");
      auto name = tag.substr(0, sp == 0 ? tag.find_first_of(" \t\r\n>", 1) : sp);
      if (util::iequals(name, "style") || util::iequals(name, "script")) {
        const auto end = util::ifind(html, util::iequals(name, "style") ? "</style" : "</script", close);
        i = end == std::string_view::npos ? html.size() : end;
        continue;
      }
      if (breaks_line(name) || util::istarts_with(tag, "br")) out.push_back('\n');
      else if (util::iequals(name, "td") || util::iequals(name, "th")) out.push_back(' ');
      i = close + 1;
    } else if (c == '&') {
      const auto semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        auto ent = decode_entity(html.substr(i + 1, semi - i - 1));
        if (!ent.empty()) {
          out += ent;
          i = semi + 1;
          continue;
        }
      }
      out.push_back(c);
      ++i;
    } else if (c == '\r' || c == '\n') {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace maildiag::message
