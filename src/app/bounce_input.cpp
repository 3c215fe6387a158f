// Reading messages for `maildiag bounce`: files, mboxes (streamed message by message),
// maildirs (cur/ and new/), directories of message files, and stdin.

#include "maildiag/app/bounce.hpp"

#include "maildiag/i18n/catalog.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

namespace maildiag::app {

namespace {

namespace fs = std::filesystem;

/// One line of `in` read in pieces of at most kPiece bytes, so a line without an end (a 1 GiB
/// binary file) never has to fit in memory.
struct Piece {
  std::string_view text;  ///< the piece, without its '\n'
  bool line_start = true;  ///< the first piece of its line
  bool newline = false;    ///< the line ended with '\n' here
};

class PieceReader {
 public:
  explicit PieceReader(std::istream& in) : in_(in), buf_(kPiece + 1) {}

  /// The next piece, or nullopt at the end of the input.
  std::optional<Piece> next() {
    if (done_) return std::nullopt;
    in_.getline(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    const auto got = static_cast<std::size_t>(in_.gcount());
    Piece p;
    p.line_start = line_start_;
    if (in_.eof() || in_.bad()) {
      done_ = true;
      if (got == 0) return std::nullopt;
      p.text = std::string_view(buf_.data(), got);
    } else if (in_.fail()) {  // the buffer filled before '\n': the line goes on
      in_.clear();
      p.text = std::string_view(buf_.data(), got);
    } else {  // gcount counts the '\n' that getline extracted and dropped
      p.text = std::string_view(buf_.data(), got - 1);
      p.newline = true;
    }
    line_start_ = p.newline;
    return p;
  }

 private:
  static constexpr std::size_t kPiece = 64 * 1024;
  std::istream& in_;
  std::vector<char> buf_;
  bool line_start_ = true;
  bool done_ = false;
};

/// Streams an mbox or a single message from `in`: a "From " line at the start of a line opens a
/// new message when the stream began with one. Holds one message at a time (at most max_message
/// bytes of it; the rest is read past and the message is marked cut).
void read_stream(std::istream& in, const std::string& source, bool allow_mbox,
                 const std::function<void(const BounceMessage&)>& each, std::size_t max_message) {
  std::string msg;
  bool mbox = false;
  bool first = true;
  bool cut = false;
  std::size_t index = 0;
  auto flush = [&] {
    if (msg.empty() && !cut) return;
    ++index;
    each(BounceMessage{mbox ? source + "#" + std::to_string(index) : source, msg, cut});
    msg.clear();
    cut = false;
  };
  PieceReader reader(in);
  while (const auto p = reader.next()) {
    if (p->line_start) {
      const bool from_line = p->text.rfind("From ", 0) == 0;
      if (first) {
        mbox = allow_mbox && from_line;
        first = false;
      } else if (mbox && from_line) {
        flush();
      }
    }
    if (cut) continue;
    const std::size_t add = p->text.size() + (p->newline ? 1 : 0);
    if (msg.size() + add > max_message) {
      cut = true;
      continue;
    }
    msg += p->text;
    if (p->newline) msg.push_back('\n');
  }
  flush();
}

void read_file(const fs::path& p, const std::function<void(const BounceMessage&)>& each,
               const std::function<void(const std::string&)>& error, std::size_t max_message) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    error(i18n::format("bounce.input.cannot-read", {p.string()}));
    return;
  }
  // A .eml file is one message even when a body line starts with "From ".
  const auto ext = p.extension().string();
  read_stream(f, p.string(), ext != ".eml" && ext != ".msg", each, max_message);
}

/// Regular files of a directory in name order (hidden files skipped).
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (it->is_regular_file(ec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void read_dir(const fs::path& dir, const std::function<void(const BounceMessage&)>& each,
              const std::function<void(const std::string&)>& error, std::size_t max_message) {
  std::error_code ec;
  const bool maildir = fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
  std::vector<fs::path> files;
  if (maildir) {
    for (const char* sub : {"cur", "new"}) {
      auto f = files_in(dir / sub);
      files.insert(files.end(), f.begin(), f.end());
    }
  } else {
    files = files_in(dir);
  }
  if (files.empty()) error(i18n::format("bounce.input.no-files", {dir.string()}));
  for (const auto& f : files) read_file(f, each, error, max_message);
}

}  // namespace

void for_each_message(const std::vector<std::string>& inputs, std::istream& stdin_stream,
                      const std::function<void(const BounceMessage&)>& each,
                      const std::function<void(const std::string&)>& error, std::size_t max_message) {
  std::vector<std::string> list = inputs;
  if (list.empty()) list.emplace_back("-");
  for (const auto& in : list) {
    if (in == "-") {
      read_stream(stdin_stream, "-", true, each, max_message);
      continue;
    }
    std::error_code ec;
    const fs::path p(in);
    if (fs::is_directory(p, ec)) {
      read_dir(p, each, error, max_message);
    } else if (fs::exists(p, ec)) {
      read_file(p, each, error, max_message);
    } else {
      error(i18n::format("bounce.input.no-such-file", {in}));
    }
  }
}

}  // namespace maildiag::app
