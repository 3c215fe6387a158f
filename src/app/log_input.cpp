// Reading mail logs: plain or gzip (zlib inflate, multi-member), files or stdin, split into lines
// with a bounded line buffer; following a growing file across rotation and truncation.

#include "log_input.hpp"

#include "maildiag/i18n/catalog.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

namespace maildiag::app::logio {

namespace {

constexpr std::size_t kChunk = 1 << 20;

/// Splits a byte stream into lines; only a line that straddles two chunks is copied.
class Splitter {
 public:
  Splitter(const LineFn& fn, InputStats& stats) : fn_(fn), stats_(stats) {}

  void feed(const char* data, std::size_t n) {
    stats_.bytes += n;
    const char* p = data;
    const char* end = data + n;
    while (p < end) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (nl == nullptr) {
        keep(p, static_cast<std::size_t>(end - p));
        return;
      }
      const auto len = static_cast<std::size_t>(nl - p);
      if (partial_.empty() && !skipping_) {
        emit(std::string_view(p, std::min(len, kMaxLine)), len > kMaxLine);
      } else {
        keep(p, len);
        if (!skipping_ || !partial_.empty()) emit(partial_, false);
        partial_.clear();
        skipping_ = false;
      }
      p = nl + 1;
    }
  }

  /// End of input: a last line without a newline still counts.
  void finish() {
    if (!partial_.empty()) emit(partial_, false);
    partial_.clear();
    skipping_ = false;
  }

 private:
  void keep(const char* p, std::size_t n) {
    if (skipping_) return;
    const std::size_t room = kMaxLine - partial_.size();
    partial_.append(p, std::min(n, room));
    if (n > room) {
      // Over-long line: deliver what fits once, skip the rest up to its newline.
      emit(partial_, true);
      partial_.clear();
      skipping_ = true;
    }
  }
  void emit(std::string_view line, bool cut) {
    ++stats_.lines;
    if (cut) ++stats_.long_lines;
    fn_(line);
  }

  const LineFn& fn_;
  InputStats& stats_;
  std::string partial_;
  bool skipping_ = false;
};

/// Inflates gzip data fed in chunks (RFC 1952, several members allowed, as `cat a.gz b.gz`).
class Gunzip {
 public:
  Gunzip() {
    std::memset(&zs_, 0, sizeof zs_);
    ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;
  }
  ~Gunzip() {
    if (ok_) inflateEnd(&zs_);
  }
  Gunzip(const Gunzip&) = delete;
  Gunzip& operator=(const Gunzip&) = delete;

  bool feed(const char* data, std::size_t n, Splitter& out, std::string* error) {
    if (!ok_) return fail(error, std::string(i18n::msg("log.input.zlib-init")));
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    zs_.avail_in = static_cast<uInt>(n);
    if (n > 0) mid_member_ = true;
    for (;;) {
      zs_.next_out = reinterpret_cast<Bytef*>(out_.data());
      zs_.avail_out = static_cast<uInt>(out_.size());
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      out.feed(out_.data(), out_.size() - zs_.avail_out);
      if (rc == Z_STREAM_END) {  // end of one member; another may follow
        if (inflateReset(&zs_) != Z_OK) return fail(error, std::string(i18n::msg("log.input.zlib-reset")));
        mid_member_ = zs_.avail_in != 0;
        if (zs_.avail_in == 0) break;
        continue;
      }
      if (rc == Z_BUF_ERROR) break;  // needs more input
      if (rc != Z_OK) {
        return fail(error, i18n::format("log.input.corrupt-gzip", {zs_.msg != nullptr ? zs_.msg : "zlib error"}));
      }
      if (zs_.avail_in == 0 && zs_.avail_out != 0) break;
    }
    return true;
  }

  /// At the end of input: a member cut short is corrupt, not an empty log.
  bool finish(std::string* error) const {
    return !mid_member_ || fail(error, std::string(i18n::msg("log.input.truncated-gzip")));
  }

 private:
  static bool fail(std::string* error, const std::string& msg) {
    if (error != nullptr) *error = msg;
    return false;
  }
  z_stream zs_;
  bool ok_ = false;
  bool mid_member_ = false;
  std::string out_ = std::string(kChunk, '\0');
};

/// "cannot open PATH: <strerror>": id is a "common.input.*.errno" pattern.
std::string errno_text(const char* id, const std::string& path) {
  const std::string why = std::strerror(errno);
  return i18n::format(id, {path, why});
}

/// Rank of a rotated name within its base: older files first, the live file last.
struct RotationKey {
  std::string base;
  int kind = 2;          ///< 0 numbered (.N[.gz]), 1 dated (-YYYYMMDD[.gz]), 2 live
  long number = 0;
  std::string date;
};

RotationKey rotation_key(const std::string& path) {
  RotationKey k;
  std::string s = path;
  if (s.size() > 3 && s.compare(s.size() - 3, 3, ".gz") == 0) s.resize(s.size() - 3);
  const std::size_t dot = s.rfind('.');
  if (dot != std::string::npos && dot + 1 < s.size() &&
      std::all_of(s.begin() + static_cast<long>(dot) + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      s.size() - dot <= 5) {
    k.base = s.substr(0, dot);
    k.kind = 0;
    k.number = std::stol(s.substr(dot + 1));
    return k;
  }
  const std::size_t dash = s.rfind('-');
  if (dash != std::string::npos && s.size() - dash == 9 &&
      std::all_of(s.begin() + static_cast<long>(dash) + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    k.base = s.substr(0, dash);
    k.kind = 1;
    k.date = s.substr(dash + 1);
    return k;
  }
  k.base = s;
  return k;
}

}  // namespace

bool read_lines(const std::string& path, const LineFn& on_line, InputStats& stats, std::string* error) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error != nullptr) *error = errno_text("common.input.cannot-open.errno", path);
    return false;
  }
  struct Closer {
    int fd;
    bool owned;
    ~Closer() {
      if (owned) ::close(fd);
    }
  } closer{fd, !is_stdin};
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (error != nullptr) *error = i18n::format("common.input.directory", {path});
    return false;
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (!is_stdin) (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::string buf(kChunk, '\0');
  Splitter lines(on_line, stats);
  std::optional<Gunzip> gz;
  bool first = true;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (error != nullptr) *error = errno_text("common.input.cannot-read.errno", path);
      return false;
    }
    if (n == 0) break;
    const auto len = static_cast<std::size_t>(n);
    if (first) {
      first = false;
      if (len >= 2 && static_cast<unsigned char>(buf[0]) == 0x1f && static_cast<unsigned char>(buf[1]) == 0x8b) gz.emplace();
    }
    if (gz) {
      if (!gz->feed(buf.data(), len, lines, error)) {
        if (error != nullptr) *error = path + ": " + *error;
        return false;
      }
    } else {
      lines.feed(buf.data(), len);
    }
  }
  if (gz && !gz->finish(error)) {
    if (error != nullptr) *error = path + ": " + *error;
    return false;
  }
  lines.finish();
  return true;
}

std::vector<std::string> order_rotations(std::vector<std::string> files) {
  if (files.size() < 2) return files;
  std::vector<RotationKey> keys;
  keys.reserve(files.size());
  for (const auto& f : files) keys.push_back(rotation_key(f));
  for (const auto& k : keys) {
    if (k.base != keys.front().base) return files;  // different logs: keep the user's order
  }
  std::vector<std::size_t> idx(files.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = keys[a];
    const auto& y = keys[b];
    if (x.kind != y.kind) return x.kind < y.kind;
    if (x.kind == 0) return x.number > y.number;  // .3 is older than .1
    if (x.kind == 1) return x.date < y.date;
    return false;
  });
  std::vector<std::string> out;
  out.reserve(files.size());
  for (auto i : idx) out.push_back(std::move(files[i]));
  return out;
}

std::string default_log() {
  for (const char* p : {"/var/log/mail.log", "/var/log/maillog", "/var/log/mail"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return {};
}

std::unique_ptr<Follower> Follower::open(const std::string& path, bool from_start, std::string* error) {
  std::unique_ptr<Follower> f(new Follower());
  f->path_ = path;
  f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd_ < 0) {
    if (error != nullptr) *error = errno_text("common.input.cannot-open.errno", path);
    return nullptr;
  }
  struct stat st {};
  if (fstat(f->fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (error != nullptr) *error = i18n::format("log.input.follow-not-regular", {path});
    return nullptr;
  }
  f->dev_ = st.st_dev;
  f->ino_ = st.st_ino;
  if (!from_start) {
    f->offset_ = static_cast<std::uint64_t>(st.st_size);
    ::lseek(f->fd_, static_cast<off_t>(f->offset_), SEEK_SET);
  }
  return f;
}

Follower::~Follower() {
  if (fd_ >= 0) ::close(fd_);
}

void Follower::drain(const LineFn& on_line) {
  std::string buf(kChunk, '\0');
  for (;;) {
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    offset_ += static_cast<std::uint64_t>(n);
    stats_.bytes += static_cast<std::uint64_t>(n);
    std::string_view data(buf.data(), static_cast<std::size_t>(n));
    // Complete lines only: a line still being written stays in partial_ until its newline.
    while (!data.empty()) {
      const std::size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (!skipping_) partial_.append(data.substr(0, kMaxLine - std::min(kMaxLine, partial_.size())));
        if (partial_.size() >= kMaxLine) skipping_ = true;
        break;
      }
      if (!skipping_) partial_.append(data.substr(0, std::min(nl, kMaxLine - std::min(kMaxLine, partial_.size()))));
      ++stats_.lines;
      if (skipping_ || nl > kMaxLine) ++stats_.long_lines;
      on_line(partial_);
      partial_.clear();
      skipping_ = false;
      data.remove_prefix(nl + 1);
    }
  }
}

void Follower::reopen_if_rotated(const LineFn& on_line) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return;  // between rename and create: try again later
  if (st.st_dev == dev_ && st.st_ino == ino_) {
    if (static_cast<std::uint64_t>(st.st_size) < offset_) {  // copytruncate
      ::lseek(fd_, 0, SEEK_SET);
      offset_ = 0;
      partial_.clear();
      ++rotations_;
    }
    return;
  }
  drain(on_line);  // the rest of the old file
  const int nfd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (nfd < 0) return;
  ::close(fd_);
  fd_ = nfd;
  struct stat nst {};
  if (fstat(fd_, &nst) == 0) {
    dev_ = nst.st_dev;
    ino_ = nst.st_ino;
  }
  offset_ = 0;
  partial_.clear();
  skipping_ = false;
  ++rotations_;
}

void Follower::poll(const LineFn& on_line) {
  drain(on_line);
  reopen_if_rotated(on_line);
  drain(on_line);
}

log::TimeContext clock_context() {
  log::TimeContext ctx;
  const std::time_t now = std::time(nullptr);
  ctx.now = static_cast<std::int64_t>(now);
  std::tm tm{};
  if (localtime_r(&now, &tm) != nullptr) ctx.local_offset_min = static_cast<int>(tm.tm_gmtoff / 60);
  return ctx;
}

}  // namespace maildiag::app::logio
