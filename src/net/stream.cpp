#include "maildiag/net/stream.hpp"

#include "maildiag/util/text.hpp"

#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace maildiag::net {

namespace {

constexpr std::size_t kTlsReadChunk = 16 * 1024 + 512;  // one TLS record with overhead
constexpr std::size_t kPlainReadCap = 64 * 1024;
constexpr std::size_t kInjectedKeep = 4096;
constexpr std::size_t kInjectedDrainMax = 64 * 1024;
constexpr std::size_t kFirstBytesKeep = 256;

std::string errno_text(int err) {
  char buf[256] = {};
  return ::strerror_r(err, buf, sizeof buf);
}

IoStatus io_error(int err, std::string_view what) {
  return IoStatus{IoStatus::Kind::error, err, std::string(what) + ": " + errno_text(err)};
}

/// A TLS record starts with content type 20..23; a printable first byte means the server spoke
/// plaintext (e.g. a "220 ..." banner on a port configured for implicit TLS).
bool looks_like_plaintext(std::string_view b) {
  if (b.empty()) return false;
  const auto c = static_cast<unsigned char>(b.front());
  return c >= 0x20 && c < 0x7f;
}

}  // namespace

std::string_view to_string(IoStatus::Kind k) {
  switch (k) {
    case IoStatus::Kind::ok: return "ok";
    case IoStatus::Kind::eof: return "eof";
    case IoStatus::Kind::timeout: return "timeout";
    case IoStatus::Kind::error: return "error";
  }
  return "error";
}

Stream::Stream(EventLoop& loop, int fd) : loop_(loop), fd_(fd) {}

Stream::~Stream() {
  *alive_ = false;
  cancel();
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
  }
}

// ---- async entry points ------------------------------------------------------------------------

void Stream::kick() {
  if (kick_timer_ != 0) return;
  kick_timer_ = loop_.add_timer(Clock::now(), [this] {
    kick_timer_ = 0;
    progress();
  });
}

void Stream::async_read(std::size_t max, Clock::time_point deadline, ReadHandler handler) {
  if (read_op_ && read_op_->timer != 0) loop_.cancel_timer(read_op_->timer);  // replaced: one at a time
  read_op_ = ReadOp{};
  read_op_->max = max == 0 ? 1 : max;
  read_op_->handler = std::move(handler);
  read_op_->timer = loop_.add_timer(deadline, [this] {
    read_op_->timer = 0;
    finish_read(IoStatus{IoStatus::Kind::timeout, 0, "no data before the deadline"}, {});
  });
  kick();
}

void Stream::async_write(std::string data, Clock::time_point deadline, WriteHandler handler) {
  if (write_op_ && write_op_->timer != 0) loop_.cancel_timer(write_op_->timer);
  write_op_ = WriteOp{};
  write_op_->data = std::move(data);
  write_op_->handler = std::move(handler);
  write_op_->timer = loop_.add_timer(deadline, [this] {
    write_op_->timer = 0;
    finish_write(IoStatus{IoStatus::Kind::timeout, 0, "could not send before the deadline"});
  });
  kick();
}

void Stream::async_start_tls(const tls::TlsOptions& options, Clock::time_point deadline, TlsHandler handler) {
  if (tls_op_ && tls_op_->timer != 0) loop_.cancel_timer(tls_op_->timer);
  tls_op_ = TlsOp{};
  tls_op_->handler = std::move(handler);
  tls_op_->started = Clock::now();
  tls_op_->sni = options.sni;
  if (fd_ < 0) {
    tls_op_->setup_error = "the connection is closed";
  } else if (tls_) {
    tls_op_->setup_error = "TLS is already active on this connection";
  } else {
    drain_injected(tls_op_->injected);
    std::string err;
    tls_ = tls::TlsSession::client(options, &err);
    if (!tls_) tls_op_->setup_error = err;
  }
  tls_op_->timer = loop_.add_timer(deadline, [this] {
    tls_op_->timer = 0;
    finish_tls(false, "timeout: the TLS handshake did not complete before the deadline");
  });
  kick();
}

void Stream::cancel() {
  if (kick_timer_ != 0) loop_.cancel_timer(kick_timer_);
  kick_timer_ = 0;
  if (read_op_ && read_op_->timer != 0) loop_.cancel_timer(read_op_->timer);
  if (write_op_ && write_op_->timer != 0) loop_.cancel_timer(write_op_->timer);
  if (tls_op_ && tls_op_->timer != 0) loop_.cancel_timer(tls_op_->timer);
  read_op_.reset();
  write_op_.reset();
  tls_op_.reset();
  update_interest();
}

// ---- sync helpers ------------------------------------------------------------------------------

IoStatus Stream::read_some(std::string& out, std::size_t max, Clock::time_point deadline) {
  std::optional<IoStatus> res;
  async_read(max, deadline, [&](const IoStatus& st, std::string_view data) {
    out.append(data);
    res = st;
  });
  loop_.run_until([&] { return res.has_value(); }, deadline + std::chrono::milliseconds(20));
  if (!res) {
    finish_read(IoStatus{IoStatus::Kind::timeout, 0, "no data before the deadline"}, {});
  }
  return *res;
}

IoStatus Stream::write_all(std::string_view data, Clock::time_point deadline) {
  std::optional<IoStatus> res;
  async_write(std::string(data), deadline, [&](const IoStatus& st) { res = st; });
  loop_.run_until([&] { return res.has_value(); }, deadline + std::chrono::milliseconds(20));
  if (!res) finish_write(IoStatus{IoStatus::Kind::timeout, 0, "could not send before the deadline"});
  return *res;
}

TlsResult Stream::start_tls(const tls::TlsOptions& options, Clock::time_point deadline) {
  std::optional<TlsResult> res;
  async_start_tls(options, deadline, [&](TlsResult r) { res = std::move(r); });
  loop_.run_until([&] { return res.has_value(); }, deadline + std::chrono::milliseconds(20));
  if (!res) finish_tls(false, "timeout: the TLS handshake did not complete before the deadline");
  return std::move(*res);
}

// ---- state -------------------------------------------------------------------------------------

std::size_t Stream::pending_plaintext() const {
  if (fd_ < 0) return 0;
  int n = 0;
  if (::ioctl(fd_, FIONREAD, &n) != 0 || n < 0) return 0;
  return static_cast<std::size_t>(n);
}

std::optional<Address> Stream::local_address(std::uint16_t* port) const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), port);
}

std::optional<Address> Stream::peer_address(std::uint16_t* port) const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd_ < 0 || ::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), port);
}

void Stream::close() {
  if (fd_ < 0) return;
  cancel();
  if (tls_active()) {
    tls_->shutdown();
    out_ += tls_->take_output();
    (void)flush_out();  // best effort: no waiting for a slow peer
  }
  loop_.unwatch(fd_);
  ::close(fd_);
  fd_ = -1;
}

// ---- internals ---------------------------------------------------------------------------------

void Stream::drain_injected(std::string& keep) {
  std::size_t drained = 0;
  char buf[4096];
  while (drained < kInjectedDrainMax && pending_plaintext() > 0) {
    const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    const auto got = static_cast<std::size_t>(n);
    drained += got;
    if (keep.size() < kInjectedKeep) keep.append(buf, std::min(got, kInjectedKeep - keep.size()));
  }
}

void Stream::update_interest() {
  if (fd_ < 0) return;
  const bool want_read = tls_op_.has_value() || read_op_.has_value();
  const bool want_write = !out_.empty();
  if (!want_read && !want_write) {
    loop_.unwatch(fd_);
    return;
  }
  if (loop_.watching(fd_)) {
    loop_.set_interest(fd_, want_read, want_write);
  } else {
    loop_.watch(fd_, want_read, want_write, [this](int, bool readable, bool writable) { on_io(readable, writable); });
  }
}

IoStatus Stream::flush_out() {
  while (!out_.empty() && fd_ >= 0) {
    const auto n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return io_error(errno, "send");
    }
    out_.erase(0, static_cast<std::size_t>(n));
  }
  return {};
}

void Stream::on_io(bool readable, bool writable) {
  auto alive = alive_;
  if (writable && !out_.empty()) {
    const auto st = flush_out();
    if (!st.ok()) {
      fail_all(st);
      return;
    }
  }
  if (readable && (read_op_ || tls_op_)) {
    if (!tls_) {
      read_plain();
    } else {
      const auto st = read_cipher();
      if (!st.ok()) {
        fail_all(st);
        return;
      }
    }
    if (!*alive) return;
  }
  progress();
}

void Stream::read_plain() {
  const std::size_t max = std::min(read_op_->max, kPlainReadCap);
  std::string buf(max, '\0');
  const auto n = ::recv(fd_, buf.data(), max, MSG_DONTWAIT);
  if (n > 0) {
    buf.resize(static_cast<std::size_t>(n));
    finish_read(IoStatus{}, buf);
  } else if (n == 0) {
    finish_read(IoStatus{IoStatus::Kind::eof, 0, "connection closed by the peer"}, {});
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    finish_read(io_error(errno, "recv"), {});
  }
}

IoStatus Stream::read_cipher() {
  char buf[kTlsReadChunk];
  const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
  if (n > 0) {
    const std::string_view got(buf, static_cast<std::size_t>(n));
    if (tls_op_ && tls_op_->first_bytes.size() < kFirstBytesKeep) {
      tls_op_->first_bytes.append(got.substr(0, kFirstBytesKeep - tls_op_->first_bytes.size()));
    }
    tls_->feed(got);
  } else if (n == 0) {
    peer_eof_ = true;
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    return io_error(errno, "recv");
  }
  return {};
}

void Stream::progress() {
  auto alive = alive_;
  if (tls_op_) {
    progress_tls_handshake();
    if (!*alive) return;
  }
  if (read_op_) {
    if (tls_ && tls_->handshake_done()) {
      progress_read_tls();
    } else if (!tls_ && peer_eof_) {
      finish_read(IoStatus{IoStatus::Kind::eof, 0, "connection closed by the peer"}, {});
    }
    if (!*alive) return;
  }
  if (write_op_) {
    progress_write();
    if (!*alive) return;
  }
  update_interest();
}

void Stream::queue_tls_output() {
  if (tls_ && tls_->has_output()) out_ += tls_->take_output();
}

void Stream::progress_tls_handshake() {
  if (!tls_op_->setup_error.empty() || !tls_) {
    finish_tls(false, tls_op_->setup_error.empty() ? "no TLS session" : tls_op_->setup_error);
    return;
  }
  const auto st = tls_->handshake();
  queue_tls_output();
  const auto fl = flush_out();
  if (!fl.ok()) {
    finish_tls(false, fl.detail);
    return;
  }
  switch (st) {
    case tls::TlsSession::Status::ok: finish_tls(true, {}); return;
    case tls::TlsSession::Status::want_io:
      if (peer_eof_) finish_tls(false, "the server closed the connection during the TLS handshake");
      return;
    case tls::TlsSession::Status::closed: finish_tls(false, "the server closed TLS during the handshake"); return;
    case tls::TlsSession::Status::error: finish_tls(false, tls_->error()); return;
  }
}

void Stream::progress_read_tls() {
  std::string data;
  const auto st = tls_->read(data, read_op_->max);
  queue_tls_output();  // e.g. a KeyUpdate answer
  switch (st) {
    case tls::TlsSession::Status::ok: finish_read(IoStatus{}, data); return;
    case tls::TlsSession::Status::closed:
      finish_read(IoStatus{IoStatus::Kind::eof, 0, "TLS closed by the peer (close_notify)"}, {});
      return;
    case tls::TlsSession::Status::want_io:
      if (peer_eof_) finish_read(IoStatus{IoStatus::Kind::eof, 0, "connection closed by the peer without TLS close_notify"}, {});
      return;
    case tls::TlsSession::Status::error: finish_read(IoStatus{IoStatus::Kind::error, 0, tls_->error()}, {}); return;
  }
}

void Stream::progress_write() {
  if (!write_op_->queued) {
    if (tls_ && !tls_->handshake_done()) return;  // wait: never send plaintext during a handshake
    if (tls_) {
      if (tls_->write(write_op_->data) != tls::TlsSession::Status::ok) {
        finish_write(IoStatus{IoStatus::Kind::error, 0, tls_->error()});
        return;
      }
      queue_tls_output();
    } else {
      out_ += write_op_->data;
    }
    write_op_->data.clear();
    write_op_->queued = true;
  }
  const auto st = flush_out();
  if (!st.ok()) {
    finish_write(st);
  } else if (out_.empty()) {
    finish_write(IoStatus{});
  }
}

void Stream::fail_all(const IoStatus& st) {
  auto alive = alive_;
  if (tls_op_) {
    finish_tls(false, st.detail);
    if (!*alive) return;
  }
  if (read_op_) {
    finish_read(st, {});
    if (!*alive) return;
  }
  if (write_op_) {
    finish_write(st);
    if (!*alive) return;
  }
  update_interest();
}

void Stream::finish_read(const IoStatus& st, std::string_view data) {
  if (!read_op_) return;
  auto op = std::move(*read_op_);
  read_op_.reset();
  if (op.timer != 0) loop_.cancel_timer(op.timer);
  update_interest();
  op.handler(st, data);  // last: may destroy this
}

void Stream::finish_write(const IoStatus& st) {
  if (!write_op_) return;
  auto op = std::move(*write_op_);
  write_op_.reset();
  if (op.timer != 0) loop_.cancel_timer(op.timer);
  update_interest();
  op.handler(st);
}

void Stream::finish_tls(bool ok, std::string error) {
  if (!tls_op_) return;
  auto op = std::move(*tls_op_);
  tls_op_.reset();
  if (op.timer != 0) loop_.cancel_timer(op.timer);
  TlsResult r;
  r.ok = ok;
  if (tls_) r.report = tls_->report();
  r.report.sni = op.sni;
  if (!ok) {
    if (looks_like_plaintext(op.first_bytes)) {
      error += "; the server answered in plaintext: \"" + util::sanitize(op.first_bytes, 120) + "\"";
    }
    r.error = error;
    r.report.handshake_ok = false;
    r.report.error = error;
    r.report.handshake_ms = std::chrono::duration<double, std::milli>(Clock::now() - op.started).count();
  }
  r.injected = std::move(op.injected);
  update_interest();
  op.handler(std::move(r));
}

}  // namespace maildiag::net
