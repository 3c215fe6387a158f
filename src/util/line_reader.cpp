#include "maildiag/util/line_reader.hpp"

namespace maildiag::util {

std::string_view to_string(LineReader::Error e) {
  switch (e) {
    case LineReader::Error::none: return "none";
    case LineReader::Error::line_too_long: return "line too long";
    case LineReader::Error::too_many_lines: return "too many lines";
    case LineReader::Error::too_many_bytes: return "too many bytes";
  }
  return "none";
}

void LineReader::complete_line(Ending ending) {
  Line line;
  line.ending = ending;
  if (ending == Ending::crlf) tail_.pop_back();  // the CR
  line.has_nul = tail_.find('\0') != std::string::npos;
  line.text = std::move(tail_);
  tail_.clear();
  ready_.push_back(std::move(line));
  ++lines_;
}

bool LineReader::feed(std::string_view bytes) {
  if (error_ != Error::none) return false;
  if (bytes.size() > limits_.max_bytes - bytes_) {
    bytes = bytes.substr(0, limits_.max_bytes - bytes_);
    error_ = Error::too_many_bytes;  // set after processing what fits, see below
  }
  const Error pending = error_;
  error_ = Error::none;
  bytes_ += bytes.size();
  while (!bytes.empty()) {
    const auto lf = bytes.find('\n');
    const auto chunk = bytes.substr(0, lf);
    // A line may hold max_line bytes plus the CR of its CRLF.
    const std::size_t room = limits_.max_line + 1 - tail_.size();
    if (chunk.size() > room) {
      tail_.append(chunk.substr(0, room));
      tail_.resize(limits_.max_line);
      error_ = Error::line_too_long;
      return false;
    }
    tail_.append(chunk);
    if (lf == std::string_view::npos) break;
    bytes.remove_prefix(lf + 1);
    const bool crlf = !tail_.empty() && tail_.back() == '\r';
    if (!crlf && tail_.size() > limits_.max_line) {
      tail_.resize(limits_.max_line);
      error_ = Error::line_too_long;
      return false;
    }
    if (lines_ >= limits_.max_lines) {
      error_ = Error::too_many_lines;
      return false;
    }
    complete_line(crlf ? Ending::crlf : Ending::lf);
  }
  // A partial line without its LF yet may not exceed max_line (+1 for a CR that may end it).
  if (tail_.size() > limits_.max_line &&
      !(tail_.size() == limits_.max_line + 1 && tail_.back() == '\r')) {
    tail_.resize(limits_.max_line);
    error_ = Error::line_too_long;
    return false;
  }
  error_ = pending;
  return error_ == Error::none;
}

std::optional<LineReader::Line> LineReader::next() {
  if (ready_.empty()) return std::nullopt;
  Line l = std::move(ready_.front());
  ready_.pop_front();
  return l;
}

std::size_t LineReader::buffered() const {
  std::size_t n = tail_.size();
  for (const auto& l : ready_) n += l.text.size() + (l.ending == Ending::crlf ? 2 : 1);
  return n;
}

std::string LineReader::take_buffered() {
  std::string out;
  out.reserve(buffered());
  for (const auto& l : ready_) {
    out += l.text;
    out += l.ending == Ending::crlf ? "\r\n" : "\n";
  }
  out += tail_;
  ready_.clear();
  tail_.clear();
  return out;
}

void LineReader::reset_counts() {
  lines_ = 0;
  bytes_ = 0;
}

}  // namespace maildiag::util
