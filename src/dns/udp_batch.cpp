#include "udp_batch.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace maildiag::dns {

namespace {

constexpr std::size_t kMaxBatch = 64;  // datagrams per sendmmsg() call

}  // namespace

UdpBatch::~UdpBatch() {
  if (timer_ != 0) loop_.cancel_timer(timer_);
}

void UdpBatch::install(ares_channel channel) {
  static const ares_socket_functions kFunctions{&UdpBatch::open_socket, &UdpBatch::close_socket,
                                                &UdpBatch::connect_socket, &UdpBatch::receive,
                                                &UdpBatch::send_vector};
  ares_set_socket_functions(channel, &kFunctions, this);
}

ares_ssize_t UdpBatch::send(ares_socket_t fd, const struct iovec* iov, int count) {
  if (udp_.count(fd) == 0) return ::writev(fd, iov, count);  // TCP: as c-ares would
  Queue& q = queued_[fd];
  const std::size_t start = q.bytes.size();
  for (int i = 0; i < count; ++i) q.bytes.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  q.ends.push_back(q.bytes.size());
  const auto size = static_cast<ares_ssize_t>(q.bytes.size() - start);
  if (timer_ == 0) {
    timer_ = loop_.add_timer(std::chrono::milliseconds(0), [this] {
      timer_ = 0;
      flush();
    });
  }
  return size;  // a UDP send either goes out whole or is lost, and c-ares retries a lost query
}

void UdpBatch::flush() {
  std::vector<ares_socket_t> failed;
  for (auto& [fd, queue] : queued_) {
    if (const int err = flush_socket(fd, queue); err != 0) {
      send_errors_[fd] = err;
      failed.push_back(fd);
    }
  }
  // After the loop: the handler runs c-ares, which may queue new datagrams.
  for (const auto fd : failed) {
    if (on_send_error_) on_send_error_(fd);
  }
}

int UdpBatch::flush_socket(ares_socket_t fd, Queue& queue) {
  int err = 0;
  std::size_t done = 0;
  while (done < queue.ends.size()) {
    const std::size_t n = std::min(kMaxBatch, queue.ends.size() - done);
    iovec iov[kMaxBatch];
    mmsghdr msgs[kMaxBatch] = {};
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t begin = done + i == 0 ? 0 : queue.ends[done + i - 1];
      iov[i] = iovec{queue.bytes.data() + begin, queue.ends[done + i] - begin};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(fd, msgs, static_cast<unsigned>(n), 0);
    ++system_calls_;
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      // The rest of the batch is lost. A full send buffer (EAGAIN) is like a datagram lost on
      // the way: c-ares times the queries out and retries them. Any other error (the server's
      // port refused) is handed to c-ares' next receive on this socket.
      err = sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK ? errno : 0;
      break;
    }
    done += static_cast<std::size_t>(sent);
  }
  queue.bytes.clear();
  queue.ends.clear();
  return err;
}

void UdpBatch::forget(ares_socket_t fd) {
  udp_.erase(fd);
  queued_.erase(fd);
  send_errors_.erase(fd);
}

// c-ares does not configure sockets it did not open itself: non-blocking, close-on-exec, the
// receive buffer and TCP_NODELAY are set here, as c-ares sets them on its own sockets.
ares_socket_t UdpBatch::open_socket(int family, int type, int protocol, void* self) {
  auto* batch = static_cast<UdpBatch*>(self);
  const ares_socket_t fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return fd;
  if ((type & 0xff) == SOCK_DGRAM) {
    batch->udp_.insert(fd);
    if (batch->receive_buffer_ > 0)
      (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &batch->receive_buffer_, sizeof batch->receive_buffer_);
  } else {
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

int UdpBatch::close_socket(ares_socket_t fd, void* self) {
  static_cast<UdpBatch*>(self)->forget(fd);
  return ::close(fd);
}

int UdpBatch::connect_socket(ares_socket_t fd, const struct sockaddr* addr, ares_socklen_t len, void* /*self*/) {
  return ::connect(fd, addr, len);
}

ares_ssize_t UdpBatch::receive(ares_socket_t fd, void* buf, size_t len, int flags, struct sockaddr* from,
                               ares_socklen_t* from_len, void* self) {
  auto& errors = static_cast<UdpBatch*>(self)->send_errors_;
  if (const auto it = errors.find(fd); it != errors.end()) {
    errno = it->second;
    errors.erase(it);
    return -1;
  }
  return ::recvfrom(fd, buf, len, flags, from, from_len);
}

ares_ssize_t UdpBatch::send_vector(ares_socket_t fd, const struct iovec* iov, int count, void* self) {
  return static_cast<UdpBatch*>(self)->send(fd, iov, count);
}

}  // namespace maildiag::dns
