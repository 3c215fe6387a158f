// RFC 8601 Authentication-Results: CFWS is allowed almost everywhere, values may be quoted, and
// Microsoft writes a form without the authserv-id. A hand-written scanner with a cursor.

#include "maildiag/message/auth.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::message {

namespace {

constexpr std::size_t kMaxValue = 64 * 1024;
constexpr std::size_t kMaxResults = 256;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  /// Skips whitespace and (nested) comments, collecting the comments' text.
  void skip_cfws(std::string* comments = nullptr) {
    while (pos_ < s_.size()) {
      if (is_ws(s_[pos_])) {
        ++pos_;
        continue;
      }
      if (s_[pos_] != '(') return;
      int depth = 0;
      const std::size_t start = pos_;
      for (; pos_ < s_.size(); ++pos_) {
        if (s_[pos_] == '\\') {
          ++pos_;
        } else if (s_[pos_] == '(') {
          ++depth;
        } else if (s_[pos_] == ')' && --depth == 0) {
          ++pos_;
          break;
        }
      }
      if (comments) {
        const auto end = depth == 0 ? pos_ - 1 : pos_;
        if (!comments->empty()) *comments += " ";
        *comments += std::string(util::trim(s_.substr(start + 1, end - start - 1)));
      }
    }
  }

  [[nodiscard]] bool at_end() const { return pos_ >= s_.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void advance() { ++pos_; }
  [[nodiscard]] std::size_t pos() const { return pos_; }
  void seek(std::size_t p) { pos_ = p; }

  std::string quoted() {
    std::string out;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out.push_back(s_[pos_++]);
    }
    if (pos_ < s_.size()) ++pos_;
    return out;
  }

  /// A method, ptype or property name (or a quoted one).
  std::string name() {
    if (peek() == '"') return quoted();
    const std::size_t start = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  /// A value: a quoted string or everything up to whitespace, ';' or a comment.
  std::string value() {
    if (peek() == '"') return quoted();
    const std::size_t start = pos_;
    while (pos_ < s_.size() && !is_ws(s_[pos_]) && s_[pos_] != ';' && s_[pos_] != '(' && s_[pos_] != ')') ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  /// The raw text up to the next top-level ';' (quotes and comments respected).
  [[nodiscard]] std::string_view segment() const {
    std::size_t i = pos_;
    int depth = 0;
    bool quote = false;
    for (; i < s_.size(); ++i) {
      const char c = s_[i];
      if (quote) {
        if (c == '\\') ++i;
        else if (c == '"') quote = false;
      } else if (c == '"') {
        quote = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && depth > 0) {
        --depth;
      } else if (c == ';' && depth == 0) {
        break;
      }
    }
    return s_.substr(pos_, i - pos_);
  }

  void skip_segment() { pos_ += segment().size(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string lower(std::string s) { return util::to_lower(s); }

/// Text outside quotes and comments, to see whether a segment holds any '='.
bool has_bare_equals(std::string_view seg) {
  int depth = 0;
  bool quote = false;
  for (char c : seg) {
    if (quote) {
      quote = c != '"';
    } else if (c == '"') {
      quote = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (c == '=' && depth == 0) {
      return true;
    }
  }
  return false;
}

/// One "method[/version]=result reason=... ptype.prop=value ..." up to ';'. Returns an error or "".
std::string parse_resinfo(Scanner& sc, AuthResult& r) {
  sc.skip_cfws(&r.comment);
  r.method = lower(sc.name());
  if (r.method.empty()) return "syntax: a result must start with a method name";
  sc.skip_cfws(&r.comment);
  if (sc.peek() == '/') {
    sc.advance();
    sc.skip_cfws(&r.comment);
    r.version = sc.name();
    if (r.version.empty() || r.version.find_first_not_of("0123456789") != std::string::npos) {
      return "syntax: a method version must be a number";
    }
    sc.skip_cfws(&r.comment);
  }
  if (sc.peek() == '=') {
    sc.advance();
    sc.skip_cfws(&r.comment);
    r.result = lower(sc.name());
    if (!sc.at_end() && !is_ws(sc.peek()) && sc.peek() != ';' && sc.peek() != '(' && sc.peek() != '=') {
      r.result += lower(sc.value());  // legacy Yahoo "from=example.com": not a keyword, keep it whole
    }
    sc.skip_cfws(&r.comment);
    if (sc.peek() == '=') return "syntax: '=' without a result";
  } else if (!sc.at_end() && sc.peek() != ';') {
    return "syntax: expected '=' after the method";
  }
  while (!sc.at_end() && sc.peek() != ';') {
    AuthProperty p;
    p.ptype = lower(sc.name());
    if (p.ptype.empty()) return "syntax: expected a property";
    sc.skip_cfws(&p.comment);
    if (sc.peek() == '.') {
      sc.advance();
      sc.skip_cfws(&p.comment);
      p.name = lower(sc.name());
      if (p.name.empty()) return "syntax: expected a property name after '.'";
      sc.skip_cfws(&p.comment);
    } else if (const auto dot = p.ptype.find('.'); dot != std::string::npos) {
      p.name = p.ptype.substr(dot + 1);  // a quoted "smtp.mailfrom"
      p.ptype.resize(dot);
    } else {
      p.name = p.ptype;
      p.ptype.clear();
    }
    if (sc.peek() != '=') return "syntax: expected '=' after a property";
    sc.advance();
    sc.skip_cfws(&p.comment);
    p.value = sc.value();
    sc.skip_cfws(&p.comment);
    if (p.ptype.empty() && p.name == "reason") {
      r.reason = p.value;
      if (!p.comment.empty()) r.comment += (r.comment.empty() ? "" : " ") + p.comment;
      continue;
    }
    r.properties.push_back(std::move(p));
  }
  return {};
}

}  // namespace

std::string_view AuthResult::property(std::string_view key) const {
  for (const auto& p : properties) {
    const std::string full = p.ptype.empty() ? p.name : p.ptype + "." + p.name;
    if (util::iequals(full, key)) return p.value;
  }
  return {};
}

AuthenticationResults parse_authentication_results(std::string_view value) {
  AuthenticationResults ar;
  if (value.size() > kMaxValue) {
    value = value.substr(0, kMaxValue);
    ar.error = "the value is longer than 64 KiB; the rest was ignored";
  }
  value = util::trim(value);
  for (std::string_view prefix : {"authentication-results:", "arc-authentication-results:"}) {
    if (util::istarts_with(value, prefix)) value = util::trim(value.substr(prefix.size()));
  }
  Scanner sc(value);
  sc.skip_cfws(&ar.authserv_comment);
  const std::size_t start = sc.pos();
  const bool starts_with_result = sc.value().find('=') != std::string::npos;
  sc.seek(start);
  if (starts_with_result) {
    ar.microsoft_form = true;  // "spf=pass (...) smtp.mailfrom=x; outlook.com; dkim=pass ..."
  } else {
    ar.authserv_id = sc.value();
    if (ar.authserv_id.empty()) {
      ar.error = "missing authserv-id";
      return ar;
    }
    sc.skip_cfws(&ar.authserv_comment);
    const std::size_t mark = sc.pos();
    const std::string version = sc.name();
    if (!version.empty() && version.find_first_not_of("0123456789") == std::string::npos) {
      ar.version = version;
    } else {
      sc.seek(mark);
    }
    sc.skip_cfws(&ar.authserv_comment);
    if (!sc.at_end() && sc.peek() != ';') {
      const std::string_view junk = sc.segment();  // legacy Yahoo "from=x" is tolerated; "a = = b" is not
      AuthResult ignored;
      Scanner probe(junk);
      if (has_bare_equals(junk) && (!parse_resinfo(probe, ignored).empty() || ignored.result.empty())) {
        ar.error = "syntax: unexpected text after the authserv-id";
        return ar;
      }
      sc.skip_segment();
    }
  }
  while (!sc.at_end() && ar.results.size() < kMaxResults) {
    if (sc.peek() == ';') sc.advance();
    sc.skip_cfws();
    if (sc.at_end()) break;
    const std::string_view seg = sc.segment();
    if (!has_bare_equals(seg)) {
      const std::string word(util::trim(seg));
      if (util::iequals(word, "none") || word.empty()) {
        sc.skip_segment();
        continue;
      }
      if (word.find('.') != std::string::npos && word.find(' ') == std::string::npos) {
        if (ar.authserv_id.empty()) ar.authserv_id = word;  // Microsoft repeats "outlook.com;" between results
        sc.skip_segment();
        continue;
      }
    }
    AuthResult r;
    const std::string err = parse_resinfo(sc, r);
    if (!err.empty()) {
      if (ar.error.empty()) ar.error = err;
      sc.skip_segment();
      continue;
    }
    ar.results.push_back(std::move(r));
  }
  return ar;
}

}  // namespace maildiag::message
