#pragma once
// c-ares socket functions that batch UDP queries: c-ares 1.18 sends each query with its own
// send(); these collect the datagrams c-ares writes during one turn of the event loop and hand
// them to the kernel with one sendmmsg() per socket when the turn's timers run. Everything
// else (TCP, receiving, connecting, closing) goes straight to the system calls. Internal to
// src/dns (resolver.cpp).

#include "maildiag/net/event_loop.hpp"

#include <ares.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace maildiag::dns {

class UdpBatch {
 public:
  /// receive_buffer: SO_RCVBUF for the UDP sockets (0 = the system's default). on_send_error(fd)
  /// runs after a flush for each socket whose send failed (a refused port, say): it should have
  /// c-ares read the socket, and that read returns the error, as the send would have unbatched.
  UdpBatch(net::EventLoop& loop, int receive_buffer, std::function<void(ares_socket_t)> on_send_error)
      : loop_(loop), receive_buffer_(receive_buffer), on_send_error_(std::move(on_send_error)) {}
  ~UdpBatch();
  UdpBatch(const UdpBatch&) = delete;
  UdpBatch& operator=(const UdpBatch&) = delete;

  /// Installs the functions on a channel; this object must outlive it.
  void install(ares_channel channel);
  /// Sends what is queued now (also done by the timer the first queued datagram arms).
  void flush();
  [[nodiscard]] std::uint64_t system_calls() const { return system_calls_; }

 private:
  net::EventLoop& loop_;
  int receive_buffer_ = 0;
  std::function<void(ares_socket_t)> on_send_error_;
  std::unordered_map<ares_socket_t, int> send_errors_;  ///< errno of a failed flush, for the next receive
  std::unordered_set<ares_socket_t> udp_;
  /// One socket's datagrams, back to back in one buffer; the buffers keep their capacity between
  /// flushes, so queueing a query allocates nothing once the first turns have run.
  struct Queue {
    std::string bytes;
    std::vector<std::size_t> ends;  ///< where each datagram ends in `bytes`
  };
  std::unordered_map<ares_socket_t, Queue> queued_;
  net::EventLoop::TimerId timer_ = 0;
  std::uint64_t system_calls_ = 0;  ///< sendmmsg() calls

  ares_ssize_t send(ares_socket_t fd, const struct iovec* iov, int count);
  void forget(ares_socket_t fd);
  /// 0, or the errno that lost the rest of the datagrams.
  int flush_socket(ares_socket_t fd, Queue& queue);

  static ares_socket_t open_socket(int family, int type, int protocol, void* self);
  static int close_socket(ares_socket_t fd, void* self);
  static int connect_socket(ares_socket_t fd, const struct sockaddr* addr, ares_socklen_t len, void* self);
  static ares_ssize_t receive(ares_socket_t fd, void* buf, size_t len, int flags, struct sockaddr* from,
                              ares_socklen_t* from_len, void* self);
  static ares_ssize_t send_vector(ares_socket_t fd, const struct iovec* iov, int count, void* self);
};

}  // namespace maildiag::dns
