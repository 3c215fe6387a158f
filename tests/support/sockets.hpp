// Sockets for tests: bound to 127.0.0.1 on a port the kernel picks.
#pragma once

#include <cstdint>

namespace maildiag::test {

struct BoundSocket {
  int fd = -1;
  std::uint16_t port = 0;
};

/// A new socket of `type` (SOCK_STREAM or SOCK_DGRAM, close-on-exec) bound to 127.0.0.1 on an
/// ephemeral port; fails the running test (REQUIRE) when the socket or the bind fails.
BoundSocket bind_loopback(int type);

}  // namespace maildiag::test
