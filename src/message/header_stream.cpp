#include "maildiag/message/header_stream.hpp"

#include "byte_scan.hpp"

#include <algorithm>
#include <cstring>

namespace maildiag::message {

namespace {

constexpr std::string_view kSeparator = "\nFrom ";
constexpr std::size_t kSlice = 16 * 1024;

/// Offset of `needle` in `hay` at or after `from` (memmem-style, fast), or npos.
std::size_t find(std::string_view hay, std::string_view needle, std::size_t from = 0) {
  if (from >= hay.size()) return std::string_view::npos;
  const void* p = memmem(hay.data() + from, hay.size() - from, needle.data(), needle.size());
  return p == nullptr ? std::string_view::npos
                      : static_cast<std::size_t>(static_cast<const char*>(p) - hay.data());
}

/// Offset of the first "\nFrom " in `hay`, or npos. Mail lines are short: memchr over the
/// line breaks beats a general substring search.
std::size_t find_separator(std::string_view hay) {
  const char* base = hay.data();
  const std::size_t n = hay.size();
  std::size_t from = 0;
  while (from + kSeparator.size() <= n) {
    const void* nl = std::memchr(base + from, '\n', n - kSeparator.size() + 1 - from);
    if (nl == nullptr) return std::string_view::npos;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
    if (std::memcmp(base + at + 1, "From ", 5) == 0) return at;
    from = at + 1;
  }
  return std::string_view::npos;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "H:MM" or "HH:MM[:SS]".
bool is_clock(std::string_view t) {
  const auto colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2) return false;
  const auto rest = t.substr(colon + 1);
  return (rest.size() == 2 && is_digits(rest)) ||
         (rest.size() == 5 && rest[2] == ':' && is_digits(rest.substr(0, 2)) && is_digits(rest.substr(3)));
}

}  // namespace

bool is_mbox_separator(std::string_view line) {
  if (line.size() < 5 || std::memcmp(line.data(), "From ", 5) != 0) return false;
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  bool clock = false;
  bool year = false;
  std::size_t tokens = 0;
  const char* p = line.data() + 5;
  const char* const e = line.data() + line.size();
  for (;;) {
    while (p != e && blank(*p)) ++p;
    if (p == e) break;
    const char* const start = p;
    while (p != e && !blank(*p)) ++p;
    const auto n = static_cast<std::size_t>(p - start);
    ++tokens;
    // Only a token of 4, 5, 7 or 8 bytes with a colon second or third can be a clock.
    if (!clock && n >= 4 && n <= 8 && n != 6 && (start[1] == ':' || start[2] == ':')) {
      clock = is_clock(std::string_view(start, n));
    }
    year = year || (n == 4 && is_digits(std::string_view(start, n)));
  }
  return tokens >= 3 && clock && year;
}

HeaderStream::HeaderStream(Sink sink, std::size_t max_header_bytes) : sink_(std::move(sink)), max_(max_header_bytes) {}

void HeaderStream::emit(std::size_t length, bool cut) { emit(std::string_view(hdr_).substr(0, length), cut); }

void HeaderStream::emit(std::string_view headers, bool cut) {
  ++index_;
  Message m;
  m.index = index_;
  m.headers = headers;
  m.cut = cut;
  m.mbox = mode_ == Mode::mbox;
  sink_(m);
}

/// The whole header section of a message that starts at d[0] and ends inside d: delivered
/// straight from the caller's bytes, without copying them. Returns false (nothing consumed) when
/// the section does not end inside d, is too long, or needs the buffered path.
bool HeaderStream::feed_in_place(std::string_view d, std::string_view& rest) {
  if (!hdr_.empty() || mode_ == Mode::unknown) return false;
  if (index_ > 0 && mode_ == Mode::mbox && !from_checked_) {
    const auto eol = d.find('\n');
    if (eol == std::string_view::npos || !is_mbox_separator(d.substr(0, eol))) return false;
  }
  // What feed_headers' searches find, in one pass over the line breaks of d: the first line
  // break followed by a blank line ("\n\n", "\n\r\n") or, in an mbox, by "From ".
  const std::string_view h = d.substr(0, std::min(d.size(), max_ + 8));
  const bool mbox = mode_ == Mode::mbox;
  std::size_t end = std::string_view::npos;
  std::size_t resume = 0;
  bool body = false;
  for (std::size_t at = 0; at < h.size(); ++at) {
    // Only an LF before an LF, a CR or an 'F' can end the section (nearly none does but the last).
    const char* nl = detail::find_lf_before<'\n', '\r', 'F'>(h.data() + at, h.data() + h.size());
    if (nl == h.data() + h.size()) break;
    at = static_cast<std::size_t>(nl - h.data());
    const std::string_view next = h.substr(at + 1);
    if (next[0] == '\n') {
      end = at + 1, resume = at + 2, body = true;
    } else if (next.size() >= 2 && next[0] == '\r' && next[1] == '\n') {
      end = at + 1, resume = at + 3, body = true;
    } else if (mbox && next.size() >= 5 && next.substr(0, 5) == "From ") {
      end = at + 1, resume = at + 1;
    }
    if (end != std::string_view::npos) break;
  }
  // Well inside the limit only: near it the buffered path decides (it may cut the section).
  if (end == std::string_view::npos || resume + 8 > max_) return false;
  from_checked_ = true;
  emit(d.substr(0, end), false);
  from_checked_ = false;
  in_headers_ = !body;
  carry_ = "\n";
  rest = d.substr(resume);
  return true;
}

/// Header mode: collect bytes until the blank line (or, in an mbox, the next "From " line).
/// Returns the input not consumed (the rest of the stream after the header section).
std::string_view HeaderStream::feed_headers(std::string_view d) {
  if (std::string_view rest; feed_in_place(d, rest)) return rest;
  const std::size_t prior = hdr_.size();
  const std::size_t room = max_ + 8 > prior ? max_ + 8 - prior : 0;
  // Bytes are appended in slices: a header section is a few kB, and the rest of a large chunk
  // would only be copied and searched for nothing.
  const std::size_t take = std::min({d.size(), room, kSlice});
  hdr_.append(d.substr(0, take));
  if (mode_ == Mode::unknown) {
    if (hdr_.size() < 5) return {};  // wait for enough bytes to tell (finish() decides otherwise)
    mode_ = hdr_.compare(0, 5, "From ") == 0 ? Mode::mbox : Mode::single;
  }
  if (index_ > 0 && mode_ == Mode::mbox && !from_checked_) {
    const auto eol = hdr_.find('\n');
    if (eol == std::string::npos && hdr_.size() < max_) return d.substr(take);  // wait for the whole line
    if (eol != std::string::npos && !is_mbox_separator(std::string_view(hdr_).substr(0, eol))) {
      return not_a_separator(d.substr(take), eol);
    }
    from_checked_ = true;
  }
  const std::size_t from = prior >= 6 ? prior - 6 : 0;
  const std::string_view h(hdr_);
  // Each search stops where an earlier one found its match: nothing later can end the section.
  const auto lf = find(h, "\n\n", from);
  const auto crlf = find(h.substr(0, lf == std::string_view::npos ? h.size() : lf + 2), "\n\r\n", from);
  const std::size_t blank = std::min(lf, crlf);
  const auto sep = mode_ == Mode::mbox
                       ? find(h.substr(0, blank == std::string_view::npos ? h.size() : blank + 5), kSeparator, from)
                       : std::string_view::npos;
  std::size_t end = std::string_view::npos;  // just after the header section
  std::size_t resume = 0;                    // where the rest of the stream continues
  bool body = false;
  if (blank != std::string_view::npos && (sep == std::string_view::npos || blank < sep)) {
    end = blank + 1;
    resume = blank + (blank == lf ? 2 : 3);
    body = true;
  } else if (sep != std::string_view::npos) {  // a message without a body: the next one begins
    end = sep + 1;
    resume = end;
  }
  if (end == std::string_view::npos) {
    if (hdr_.size() < max_) return d.substr(take);
    emit(max_, true);  // no end in sight: report what we have, skip the rest as body
    carry_.assign(hdr_.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(hdr_.size(), 5)), hdr_.end());
    hdr_.clear();
    in_headers_ = false;
    return d.substr(take);
  }
  emit(std::min(end, max_), end > max_);
  std::string_view rest;
  std::string prefix;
  if (resume >= prior) {
    rest = d.substr(resume - prior);
  } else {  // the next message began in bytes buffered before this chunk
    prefix = hdr_.substr(resume, prior - resume);
    rest = d;
  }
  hdr_ = std::move(prefix);
  from_checked_ = false;
  in_headers_ = !body;
  carry_ = "\n";  // a body starts at a line start
  return rest;
}

/// "\nFrom " began a body line that is not a separator ("From here on, ..."): back to body mode.
std::string_view HeaderStream::not_a_separator(std::string_view rest, std::size_t eol) {
  const std::string pending = hdr_.substr(eol + 1);
  hdr_.clear();
  in_headers_ = false;
  carry_ = "\n";
  feed(pending);
  return rest;
}

/// Body mode: skip bytes until "\nFrom " (mbox only). Returns the input from the next message on.
std::string_view HeaderStream::feed_body(std::string_view d) {
  if (mode_ != Mode::mbox) return {};
  std::string edge = carry_;  // a separator straddling the previous chunk and this one
  edge.append(d.substr(0, std::min<std::size_t>(d.size(), kSeparator.size() - 1)));
  if (const auto p = find(edge, kSeparator); p != std::string::npos) {
    in_headers_ = true;
    from_checked_ = false;
    if (p + 1 < carry_.size()) {
      hdr_ = carry_.substr(p + 1);
      carry_.clear();
      return d;
    }
    const std::size_t skip = p + 1 - carry_.size();
    carry_.clear();
    return d.substr(skip);
  }
  if (const auto p = find_separator(d); p != std::string_view::npos) {
    in_headers_ = true;
    from_checked_ = false;
    carry_.clear();
    return d.substr(p + 1);
  }
  edge = carry_;
  edge.append(d.substr(d.size() - std::min<std::size_t>(d.size(), kSeparator.size() - 1)));
  carry_ = edge.substr(edge.size() - std::min<std::size_t>(edge.size(), kSeparator.size() - 1));
  return {};
}

void HeaderStream::feed(std::string_view bytes) {
  while (!bytes.empty()) bytes = in_headers_ ? feed_headers(bytes) : feed_body(bytes);
}

void HeaderStream::finish() {
  if (in_headers_ && !hdr_.empty()) {
    if (mode_ == Mode::unknown) mode_ = hdr_.compare(0, 5, "From ") == 0 ? Mode::mbox : Mode::single;
    const bool fake = index_ > 0 && mode_ == Mode::mbox && !from_checked_ &&
                      !is_mbox_separator(std::string_view(hdr_).substr(0, hdr_.find('\n')));
    const bool cut = hdr_.size() > max_;
    if (!fake) emit(std::min(hdr_.size(), max_), cut);
  }
  hdr_.clear();
  carry_.clear();
  in_headers_ = true;
}

}  // namespace maildiag::message
