#include "maildiag/imap/response.hpp"

#include "maildiag/util/text.hpp"

namespace maildiag::imap {

namespace {

/// Lenient atom characters: anything visible except the list, quote and literal delimiters.
/// '[' and ']' stay inside atoms so that "BODY[TEXT]" is one token.
bool atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != '(' && c != ')' && c != '"';
}

class Tokenizer {
 public:
  Tokenizer(std::string_view s, const ParseLimits& limits) : s_(s), limits_(limits) {}

  [[nodiscard]] bool at_end() const { return pos_ >= s_.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : s_[pos_]; }
  [[nodiscard]] std::string_view rest() const { return at_end() ? std::string_view{} : s_.substr(pos_); }
  void advance(std::size_t n) { pos_ = std::min(s_.size(), pos_ + n); }

  bool space() {
    if (peek() != ' ') return false;
    while (peek() == ' ') ++pos_;
    return true;
  }

  std::string_view atom() {
    const auto start = pos_;
    while (!at_end() && atom_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  /// One value; false on malformed input or a limit.
  bool value(Value& out, std::size_t depth) {
    if (++tokens_ > limits_.max_tokens) return false;
    const char c = peek();
    if (c == '(') return list(out, depth);
    if (c == '"') return quoted(out);
    if (c == '{' || (c == '~' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{')) return literal(out);
    const auto a = atom();
    if (a.empty()) return false;
    if (util::iequals(a, "NIL")) {
      out.type = Value::Type::nil;
    } else {
      out.type = Value::Type::atom;
      out.text = std::string(a);
    }
    return true;
  }

  /// Values separated by spaces up to the end (or a closing parenthesis when nested).
  bool values(std::vector<Value>& out, std::size_t depth) {
    space();
    while (!at_end() && peek() != ')') {
      Value v;
      if (!value(v, depth)) return false;
      out.push_back(std::move(v));
      space();  // lenient: no space is required, "BODY[HEADER.FIELDS (SUBJECT)]" has none before ']'
    }
    return true;
  }

 private:
  std::string_view s_;
  const ParseLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t tokens_ = 0;

  bool list(Value& out, std::size_t depth) {
    if (depth + 1 > limits_.max_depth) return false;
    ++pos_;  // '('
    out.type = Value::Type::list;
    if (!values(out.items, depth + 1)) return false;
    if (peek() != ')') return false;
    ++pos_;
    return true;
  }

  bool quoted(Value& out) {
    ++pos_;  // '"'
    out.type = Value::Type::string;
    while (!at_end()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) return false;
        out.text.push_back(s_[pos_++]);
      } else if (c == '\r' || c == '\n') {
        return false;
      } else {
        out.text.push_back(c);
      }
    }
    return false;  // unterminated
  }

  bool literal(Value& out) {
    if (peek() == '~') ++pos_;
    const auto close = s_.find('}', pos_);
    if (close == std::string_view::npos) return false;
    auto digits = s_.substr(pos_ + 1, close - pos_ - 1);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    const auto n = util::parse_uint(digits);
    if (!n) return false;
    pos_ = close + 1;
    if (peek() == '\r') ++pos_;
    if (peek() != '\n') return false;
    ++pos_;
    if (*n > s_.size() - pos_) return false;
    out.type = Value::Type::string;
    out.text = std::string(s_.substr(pos_, static_cast<std::size_t>(*n)));
    pos_ += static_cast<std::size_t>(*n);
    return true;
  }
};

std::optional<Status> status_of(std::string_view name) {
  if (name == "OK") return Status::ok;
  if (name == "NO") return Status::no;
  if (name == "BAD") return Status::bad;
  if (name == "BYE") return Status::bye;
  if (name == "PREAUTH") return Status::preauth;
  return std::nullopt;
}

/// "[CODE args] text" or "text".
void parse_resp_text(std::string_view s, Response& r) {
  s = util::trim(s);
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close != std::string_view::npos && close > 1) {
      const auto inner = s.substr(1, close - 1);
      const auto sp = inner.find(' ');
      r.code = ResponseCode{util::to_upper(inner.substr(0, sp)),
                            sp == std::string_view::npos ? std::string() : std::string(util::trim(inner.substr(sp + 1)))};
      s = util::trim(s.substr(close + 1));
    }
  }
  r.text = std::string(s);
}

bool fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

bool parse_after_tag(Tokenizer& t, Response& r, std::string* error, const ParseLimits& limits) {
  if (!t.space()) return fail(error, "no space after the tag");
  auto word = t.atom();
  if (word.empty()) return fail(error, "no keyword after the tag");
  if (r.kind == Kind::untagged) {
    if (const auto n = util::parse_uint(word)) {  // "* 23 EXISTS"
      r.number = *n;
      if (!t.space()) return fail(error, "no keyword after the message number");
      word = t.atom();
      if (word.empty()) return fail(error, "no keyword after the message number");
    }
  }
  r.name = util::to_upper(word);
  const auto st = status_of(r.name);
  if (r.kind == Kind::tagged && (!st || *st == Status::bye || *st == Status::preauth))
    return fail(error, "a tagged response must be OK, NO or BAD, not \"" + util::sanitize(word, 40) + "\"");
  if (st && !r.number) {
    r.status = *st;
    parse_resp_text(t.rest(), r);
    return true;
  }
  Tokenizer data(t.rest(), limits);
  if (!data.values(r.data, 0) || !data.at_end()) r.data_truncated = true;
  return true;
}

}  // namespace

bool Value::is_atom(std::string_view name) const { return type == Type::atom && util::iequals(text, name); }

std::optional<std::uint64_t> Value::number() const {
  if (type != Type::atom) return std::nullopt;
  const auto n = util::parse_uint(text);
  if (!n) return std::nullopt;
  return static_cast<std::uint64_t>(*n);
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::ok: return "OK";
    case Status::no: return "NO";
    case Status::bad: return "BAD";
    case Status::bye: return "BYE";
    case Status::preauth: return "PREAUTH";
    case Status::none: break;
  }
  return "";
}

std::optional<Response> parse_response(std::string_view raw, std::string* error, const ParseLimits& limits) {
  Response r;
  r.raw = std::string(raw);
  if (raw.empty()) {
    fail(error, "an empty line");
    return std::nullopt;
  }
  if (raw.front() == '+') {
    r.kind = Kind::continuation;
    parse_resp_text(raw.substr(1), r);
    return r;
  }
  Tokenizer t(raw, limits);
  const auto tag = t.atom();
  if (tag.empty()) {
    fail(error, "the response does not start with a tag or '*'");
    return std::nullopt;
  }
  if (tag == "*") {
    r.kind = Kind::untagged;
  } else {
    r.kind = Kind::tagged;
    r.tag = std::string(tag);
  }
  if (!parse_after_tag(t, r, error, limits)) return std::nullopt;
  return r;
}

std::optional<std::uint64_t> literal_announced(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  auto digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  const auto n = util::parse_uint(digits);
  if (!n) return std::nullopt;
  return static_cast<std::uint64_t>(*n);
}

}  // namespace maildiag::imap
