#include "support/sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

namespace maildiag::test {

BoundSocket bind_loopback(int type) {
  BoundSocket s;
  s.fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  REQUIRE(s.fd >= 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  socklen_t len = sizeof sin;
  REQUIRE(::getsockname(s.fd, reinterpret_cast<sockaddr*>(&sin), &len) == 0);
  s.port = ntohs(sin.sin_port);
  return s;
}

}  // namespace maildiag::test
