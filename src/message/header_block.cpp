#include "maildiag/message/header_block.hpp"

#include "maildiag/util/text.hpp"

#include <array>
#include <cstring>
#include <string>

namespace maildiag::message {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

/// RFC 5322 ftext: printable ASCII except the colon.
bool is_ftext(char c) { return c >= 33 && c <= 126 && c != ':'; }

/// One physical line: [begin, end) content, `next` the offset after its terminator.
struct Line {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t next = 0;
  bool terminated = false;
};

/// Finds the line starting at `pos` within the first `limit` bytes of `s`. Terminators are LF,
/// CRLF or a lone CR; scanning uses memchr so long lines cost little.
Line next_line(std::string_view s, std::size_t pos, std::size_t limit) {
  Line line;
  line.begin = pos;
  const char* base = s.data();
  const std::size_t len = limit - pos;
  const void* nl = std::memchr(base + pos, '\n', len);
  const std::size_t lf = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : limit;
  const void* cr = std::memchr(base + pos, '\r', lf - pos);
  if (cr) {
    const auto at = static_cast<std::size_t>(static_cast<const char*>(cr) - base);
    if (nl != nullptr && at + 1 == lf) {  // CRLF
      line.end = at;
      line.next = lf + 1;
      line.terminated = true;
      return line;
    }
    if (at + 1 < limit) {  // lone CR
      line.end = at;
      line.next = at + 1;
      line.terminated = true;
      return line;
    }
    // CR as the last byte in range: the LF may be just past the limit.
    line.end = at;
    line.next = (at + 1 < s.size() && s[at + 1] == '\n') ? at + 2 : at + 1;
    line.terminated = true;
    return line;
  }
  line.end = lf;
  line.next = nl ? lf + 1 : limit;
  line.terminated = nl != nullptr;
  return line;
}

/// Accumulates one field while its continuation lines arrive.
class Builder {
 public:
  Builder(HeaderBlock& block, const HeaderLimits& limits) : block_(block), limits_(limits) {}

  void start(std::string_view name, std::string_view value, std::size_t line_no) {
    finish();
    if (block_.headers.size() >= limits_.max_headers) {
      if (!dropped_) {
        block_.truncated = true;
        block_.problems.push_back("the message has more than " + std::to_string(limits_.max_headers) +
                                  " header fields; the rest were ignored (from line " +
                                  std::to_string(line_no) + ")");
      }
      dropped_ = true;
      open_ = false;
      return;
    }
    // The field is built in place: every started field is kept (finish() completes it).
    Header& h = block_.headers.emplace_back();
    h.name.assign(name);
    h.line = line_no;
    pieces_used_ = 0;
    size_ = 0;
    cut_ = false;
    open_ = true;
    while (!value.empty() && is_wsp(value.front())) value.remove_prefix(1);
    append(value);
  }

  /// A folded line: the line break is dropped, the leading whitespace kept. The lines are kept
  /// as views into the input until finish() copies them into the value in one allocation.
  void append(std::string_view more) {
    if (!open_ || cut_) return;
    if (size_ + more.size() > limits_.max_value) {
      add_piece(more.substr(0, limits_.max_value - size_));
      cut_ = true;
      block_.truncated = true;
      block_.problems.push_back("header " + util::sanitize(current().name, 80) + " at line " +
                                std::to_string(current().line) + " is longer than " +
                                util::byte_size(limits_.max_value) + "; its value was cut");
      return;
    }
    add_piece(more);
  }

  [[nodiscard]] bool open() const { return open_; }
  [[nodiscard]] bool dropping() const { return dropped_; }

  void finish() {
    if (!open_) return;
    open_ = false;
    std::string& value = current().value;
    if (value.empty()) {  // every line still a view (a field of at most 8 lines): trimmed, then copied once
      std::size_t first = 0;
      std::size_t last = pieces_used_;
      while (first < last && (pieces_[first] = trim_front(pieces_[first])).empty()) ++first;
      while (last > first && (pieces_[last - 1] = trim_back(pieces_[last - 1])).empty()) --last;
      if (last - first == 1) {
        value.assign(pieces_[first]);
      } else if (last > first) {
        std::size_t size = 0;
        for (std::size_t i = first; i < last; ++i) size += pieces_[i].size();
        value.reserve(size);
        for (std::size_t i = first; i < last; ++i) value.append(pieces_[i]);
      }
      pieces_used_ = 0;
      return;
    }
    value.reserve(size_);  // a longer fold: the rest of the pieces, then the ends trimmed
    flush();
    const std::string_view v(value);
    const auto trimmed = trim_wsp(v);
    if (trimmed.size() != v.size()) {
      const auto front = static_cast<std::size_t>(trimmed.data() - v.data());
      value.resize(front + trimmed.size());
      value.erase(0, front);
    }
  }

 private:
  static bool is_trimmed(char c) { return is_wsp(c) || c == '\r' || c == '\n'; }
  static std::string_view trim_front(std::string_view v) {
    while (!v.empty() && is_trimmed(v.front())) v.remove_prefix(1);
    return v;
  }
  static std::string_view trim_back(std::string_view v) {
    while (!v.empty() && is_trimmed(v.back())) v.remove_suffix(1);
    return v;
  }
  static std::string_view trim_wsp(std::string_view v) { return trim_back(trim_front(v)); }

  void add_piece(std::string_view piece) {
    if (pieces_used_ == pieces_.size()) flush();  // a long fold: the value grows as it must
    pieces_[pieces_used_++] = piece;
    size_ += piece.size();
  }

  void flush() {
    std::string& value = current().value;
    for (std::size_t i = 0; i < pieces_used_; ++i) value.append(pieces_[i]);
    pieces_used_ = 0;
  }

  Header& current() { return block_.headers.back(); }

  HeaderBlock& block_;
  const HeaderLimits& limits_;
  std::array<std::string_view, 8> pieces_;  ///< lines of the current field not yet copied into its value
  std::size_t pieces_used_ = 0;
  std::size_t size_ = 0;                    ///< bytes of the current value so far
  bool open_ = false;
  bool cut_ = false;
  bool dropped_ = false;
};

/// Splits "Name: value" (obsolete syntax allows whitespace before the colon). Returns false when
/// the line is not a header field.
bool split_field(std::string_view line, std::string_view& name, std::string_view& value) {
  std::size_t i = 0;
  while (i < line.size() && is_ftext(line[i])) ++i;
  if (i == 0) return false;
  std::size_t colon = i;
  while (colon < line.size() && is_wsp(line[colon])) ++colon;
  if (colon >= line.size() || line[colon] != ':') return false;
  name = line.substr(0, i);
  value = line.substr(colon + 1);
  return true;
}

}  // namespace

const Header* HeaderBlock::find(std::string_view name) const {
  for (const auto& h : headers) {
    if (util::iequals(h.name, name)) return &h;
  }
  return nullptr;
}

std::vector<const Header*> HeaderBlock::find_all(std::string_view name) const {
  std::vector<const Header*> out;
  for (const auto& h : headers) {
    if (util::iequals(h.name, name)) out.push_back(&h);
  }
  return out;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string_view HeaderBlock::get(std::string_view name) const {
  const auto* h = find(name);
  return h ? std::string_view(h->value) : std::string_view{};
}

HeaderBlock parse_headers(std::string_view message, const HeaderLimits& limits) {
  HeaderBlock block;
  block.headers.reserve(32);  // a typical block: no regrowth
  Builder builder(block, limits);
  const std::size_t limit = message.size() < limits.max_bytes ? message.size() : limits.max_bytes;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  if (message.substr(0, 5) == "From ") {  // mbox separator line
    pos = next_line(message, 0, limit).next;
    line_no = 1;
  }
  while (pos < limit) {
    const Line line = next_line(message, pos, limit);
    ++line_no;
    const std::string_view text = message.substr(line.begin, line.end - line.begin);
    if (text.empty() && line.terminated) {  // the blank line: the body follows
      builder.finish();
      block.body_offset = line.next;
      return block;
    }
    if (is_wsp(text.front())) {
      if (builder.open() || builder.dropping()) {
        builder.append(text);
      } else if (block.problems.size() < 100) {  // a hostile block of stray lines: not millions of sentences
        block.problems.push_back("line " + std::to_string(line_no) +
                                 " is a continuation line with no header field before it");
      }
    } else {
      std::string_view name;
      std::string_view value;
      if (!split_field(text, name, value)) {
        builder.finish();
        block.problems.push_back("line " + std::to_string(line_no) +
                                 " has no colon; the header block ends there without a blank line");
        block.body_offset = line.begin;
        return block;
      }
      builder.start(name, value, line_no);
    }
    pos = line.next;
  }
  builder.finish();
  if (limit < message.size()) {
    block.truncated = true;
    block.problems.push_back("header block exceeds " + util::byte_size(limits.max_bytes) +
                             "; parsing stopped there");
  }
  block.body_offset = message.size();
  return block;
}

}  // namespace maildiag::message
