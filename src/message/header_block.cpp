#include "maildiag/message/header_block.hpp"

#include "byte_scan.hpp"
#include "maildiag/util/text.hpp"

#include <cstring>
#include <functional>
#include <memory>
#include <string>

namespace maildiag::message {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

/// One physical line: [begin, end) content, `next` the offset after its terminator.
struct Line {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t next = 0;
  bool terminated = false;
};

/// Finds the line starting at `pos` within the first `limit` bytes of `s`. Terminators are LF,
/// CRLF or a lone CR; one inline scan finds the first of CR and LF.
[[gnu::always_inline]] inline Line next_line(std::string_view s, std::size_t pos, std::size_t limit) {
  Line line;
  line.begin = pos;
  const char* base = s.data();
  const auto at = static_cast<std::size_t>(detail::find_line_break(base + pos, base + limit) - base);
  line.end = at;
  if (at == limit) {  // no terminator in range
    line.next = limit;
    return line;
  }
  line.terminated = true;
  if (s[at] == '\n') {
    line.next = at + 1;
  } else if (at + 1 < limit) {  // CRLF, or a lone CR
    line.next = s[at + 1] == '\n' ? at + 2 : at + 1;
  } else {  // CR as the last byte in range: the LF may be just past the limit.
    line.next = (at + 1 < s.size() && s[at + 1] == '\n') ? at + 2 : at + 1;
  }
  return line;
}

/// A folded field: until the block is stored, its value views its raw lines in the input.
struct Folded {
  std::size_t index = 0;  ///< into block.headers
  std::size_t size = 0;   ///< bytes of the unfolded value (cut at max_value), before trimming
};

bool is_trimmed(char c) { return is_wsp(c) || c == '\r' || c == '\n'; }
std::string_view trim_front(std::string_view v) {
  while (!v.empty() && is_trimmed(v.front())) v.remove_prefix(1);
  return v;
}
std::string_view trim_back(std::string_view v) {
  while (!v.empty() && is_trimmed(v.back())) v.remove_suffix(1);
  return v;
}
std::string_view trim_wsp(std::string_view v) { return trim_back(trim_front(v)); }

/// Accumulates one field while its continuation lines arrive. Names and values view the input
/// until store_fields() copies them into the block; a folded value is unfolded there.
class Builder {
 public:
  Builder(HeaderBlock& block, const HeaderLimits& limits, std::vector<Folded>& folded)
      : block_(block), limits_(limits), folded_(folded) {}

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
    h.name = name;
    h.line = line_no;
    note_end(name);
    while (!value.empty() && is_wsp(value.front())) value.remove_prefix(1);
    begin_ = value.data();
    end_ = begin_;
    size_ = 0;
    cut_ = false;
    is_folded_ = false;
    open_ = true;
    add(value);
  }

  /// A folded line: the line break is dropped, the leading whitespace kept (when the value is
  /// unfolded: until then the value spans the raw lines).
  void append(std::string_view more) {
    if (!open_ || cut_) return;
    is_folded_ = true;
    add(more);
  }

  [[nodiscard]] bool open() const { return open_; }
  [[nodiscard]] bool dropping() const { return dropped_; }
  /// Just past the last input byte a field views.
  [[nodiscard]] const char* extent() const { return extent_; }

  void finish() {
    if (!open_) return;
    open_ = false;
    if (!is_folded_) {  // one line: the value is a view, trimmed now (after the cut)
      current().value = trim_wsp(std::string_view(begin_, size_));
      return;
    }
    current().value = std::string_view(begin_, static_cast<std::size_t>(end_ - begin_));
    folded_.push_back({block_.headers.size() - 1, size_});
  }

 private:
  void add(std::string_view piece) {
    if (size_ + piece.size() > limits_.max_value) piece = cut(piece);
    size_ += piece.size();
    end_ = piece.data() + piece.size();
    note_end(piece);
  }

  /// The part of `piece` within max_value, and the problem said (rare: out of the line path).
  [[gnu::noinline]] std::string_view cut(std::string_view piece) {
    cut_ = true;
    block_.truncated = true;
    block_.problems.push_back("header " + util::sanitize(current().name, 80) + " at line " +
                              std::to_string(current().line) + " is longer than " +
                              util::byte_size(limits_.max_value) + "; its value was cut");
    return piece.substr(0, limits_.max_value - size_);
  }

  void note_end(std::string_view v) {
    if (extent_ == nullptr || v.data() + v.size() > extent_) extent_ = v.data() + v.size();
  }

  Header& current() { return block_.headers.back(); }

  HeaderBlock& block_;
  const HeaderLimits& limits_;
  std::vector<Folded>& folded_;
  const char* begin_ = nullptr;   ///< the current value's first byte in the input
  const char* end_ = nullptr;     ///< just past its last line (as cut)
  const char* extent_ = nullptr;  ///< just past the last byte any field views
  std::size_t size_ = 0;          ///< bytes of the current value so far, line breaks left out
  bool open_ = false;
  bool cut_ = false;
  bool is_folded_ = false;
  bool dropped_ = false;
};

/// Joins the raw lines at `start` (line contents and their breaks) by dropping the CR and LF
/// bytes, in place, keeping at most `size` bytes. Returns the joined size.
std::size_t unfold_in_place(char* start, std::size_t raw_size, std::size_t size) {
  const char* in = start;
  const char* const end = start + raw_size;
  char* out = start;
  while (in != end && size > 0) {
    const char* brk = detail::find_line_break(in, end);
    std::size_t n = static_cast<std::size_t>(brk - in);
    if (n > size) n = size;
    std::memmove(out, in, n);  // out never passes in: the runs only move left
    out += n;
    size -= n;
    in = brk;
    while (in != end && (*in == '\r' || *in == '\n')) ++in;
  }
  return static_cast<std::size_t>(out - start);
}

/// Copies the bytes the fields view -- the field section, from the first name to the last byte
/// kept -- into the block's storage, once, and unfolds each folded value there in place: line
/// contents never hold CR or LF, so dropping those bytes joins the lines, and an unfolded value is
/// never longer than its raw lines.
void store_fields(HeaderBlock& block, const char* extent, const std::vector<Folded>& folded) {
  if (block.headers.empty()) return;
  const char* first = block.headers.front().name.data();
  const auto size = static_cast<std::size_t>(extent - first);
  auto buf = std::make_shared_for_overwrite<char[]>(size);
  std::memcpy(buf.get(), first, size);
  char* const base = buf.get();
  auto rebase = [&](std::string_view v) {
    if (v.empty()) return std::string_view(base, 0);
    return std::string_view(base + (v.data() - first), v.size());
  };
  for (auto& h : block.headers) {
    h.name = rebase(h.name);
    h.value = rebase(h.value);
  }
  for (const Folded& f : folded) {
    Header& h = block.headers[f.index];
    char* const start = base + (h.value.data() - base);
    h.value = trim_wsp(std::string_view(start, unfold_in_place(start, h.value.size(), f.size)));
  }
  block.storage = std::move(buf);
  block.storage_size = size;
}

/// Splits "Name: value" (obsolete syntax allows whitespace before the colon). Returns false when
/// the line is not a header field.
bool split_field(std::string_view line, std::string_view& name, std::string_view& value) {
  const auto i = static_cast<std::size_t>(detail::find_name_end(line.data(), line.data() + line.size()) - line.data());
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
  return h ? h->value : std::string_view{};
}

bool HeaderBlock::owns(std::string_view text) const {
  const std::less<const char*> before;
  const char* const b = storage.get();
  return b != nullptr && !before(text.data(), b) && !before(b + storage_size, text.data() + text.size());
}

namespace {

/// Reads the fields into `block` as views into `message`; sets body_offset and the problems.
void read_fields(std::string_view message, const HeaderLimits& limits, HeaderBlock& block, Builder& builder) {
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
      return;
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
        return;
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
}

}  // namespace

HeaderBlock parse_headers(std::string_view message, const HeaderLimits& limits) {
  HeaderBlock block;
  block.headers.reserve(32);  // a typical block: no regrowth
  thread_local std::vector<Folded> folded;  // reused: one block at a time per thread
  folded.clear();
  Builder builder(block, limits, folded);
  read_fields(message, limits, block, builder);
  store_fields(block, builder.extent(), folded);
  return block;
}

}  // namespace maildiag::message
