#include "maildiag/net/event_loop.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

using namespace maildiag::net;
using namespace std::chrono_literals;

TEST_CASE("timers fire in order and can be cancelled", "[net][loop]") {
  EventLoop loop;
  std::string order;
  loop.add_timer(20ms, [&] { order += "b"; });
  loop.add_timer(5ms, [&] { order += "a"; });
  auto c = loop.add_timer(10ms, [&] { order += "x"; });
  loop.cancel_timer(c);
  loop.run(Clock::now() + 1s);
  CHECK(order == "ab");
  CHECK(loop.idle());
}

TEST_CASE("fd readiness dispatches to the handler", "[net][loop]") {
  EventLoop loop;
  int p[2];
  REQUIRE(pipe(p) == 0);
  std::string got;
  loop.watch(p[0], true, false, [&](int fd, bool readable, bool) {
    char buf[16];
    if (readable) {
      const auto n = read(fd, buf, sizeof buf);
      if (n > 0) got.append(buf, static_cast<std::size_t>(n));
      loop.unwatch(fd);
    }
  });
  loop.add_timer(5ms, [&] { CHECK(write(p[1], "hi", 2) == 2); });
  CHECK(loop.run_until([&] { return got == "hi"; }, Clock::now() + 1s));
  close(p[0]);
  close(p[1]);
}

TEST_CASE("run_until stops at the deadline when nothing happens", "[net][loop]") {
  EventLoop loop;
  loop.add_timer(10s, [] {});
  const auto start = Clock::now();
  CHECK_FALSE(loop.run_until([] { return false; }, start + 30ms));
  const auto took = Clock::now() - start;
  CHECK(took >= 30ms);
  CHECK(took < 500ms);
}
