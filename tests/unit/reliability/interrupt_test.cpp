// util/interrupt: the SIGINT/SIGTERM flag, and that a blocked poll() wakes up with EINTR (the
// handler is installed without SA_RESTART), which is what lets a session notice Ctrl-C at once.

#include "maildiag/util/interrupt.hpp"

#include "maildiag/net/event_loop.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>

using maildiag::util::install_interrupt_handlers;
using maildiag::util::interrupt_message;
using maildiag::util::interrupt_signal;
using maildiag::util::interrupted;
using maildiag::util::reset_interrupt;

TEST_CASE("interrupt: SIGINT and SIGTERM set the flag instead of killing the process", "[reliability][interrupt]") {
  install_interrupt_handlers();
  reset_interrupt();
  REQUIRE_FALSE(interrupted());
  CHECK(interrupt_message() == "not interrupted");

  std::raise(SIGINT);
  CHECK(interrupted());
  CHECK(interrupt_signal() == SIGINT);
  CHECK(interrupt_message() == "interrupted by SIGINT (Ctrl-C)");
  reset_interrupt();

  std::raise(SIGTERM);
  CHECK(interrupt_signal() == SIGTERM);
  CHECK(interrupt_message() == "interrupted by SIGTERM");
  reset_interrupt();
  CHECK_FALSE(interrupted());
}

TEST_CASE("interrupt: request_interrupt sets the flag once; the first signal wins", "[reliability][interrupt]") {
  reset_interrupt();
  maildiag::util::request_interrupt(SIGTERM);
  maildiag::util::request_interrupt(SIGINT);
  CHECK(interrupt_signal() == SIGTERM);
  reset_interrupt();
  maildiag::util::request_interrupt(0);
  CHECK(interrupt_signal() == SIGINT);
  reset_interrupt();
}

TEST_CASE("interrupt: a poll() blocked on a silent peer returns EINTR at once", "[reliability][interrupt]") {
  install_interrupt_handlers();
  reset_interrupt();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pthread_t main_thread = ::pthread_self();
  std::thread signaller([main_thread] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::pthread_kill(main_thread, SIGINT);
  });
  pollfd p{fds[0], POLLIN, 0};
  const auto start = std::chrono::steady_clock::now();
  const int n = ::poll(&p, 1, 10'000);
  const int err = errno;
  const auto waited = std::chrono::steady_clock::now() - start;
  signaller.join();
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK(n == -1);
  CHECK(err == EINTR);
  CHECK(waited < std::chrono::seconds(5));
  CHECK(interrupted());
  reset_interrupt();
}

TEST_CASE("interrupt: the event loop stops waiting at once, and runs again while closing",
          "[reliability][interrupt]") {
  install_interrupt_handlers();
  reset_interrupt();
  maildiag::net::EventLoop loop;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  loop.watch(fds[0], true, false, [](int, bool, bool) {});
  bool fired = false;
  loop.add_timer(std::chrono::milliseconds(200), [&] { fired = true; });

  // A signal in the middle of a wait: run_until returns well before its 10 s deadline.
  const pthread_t main_thread = ::pthread_self();
  std::thread signaller([main_thread] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::pthread_kill(main_thread, SIGINT);
  });
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(loop.run_until([] { return false; }, start + std::chrono::seconds(10)));
  signaller.join();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(loop.interrupted());
  CHECK_FALSE(fired);

  // Already interrupted: the next wait does not start at all (the self-pipe stays readable).
  const auto again = std::chrono::steady_clock::now();
  CHECK_FALSE(loop.run_once(again + std::chrono::seconds(10)));
  CHECK(std::chrono::steady_clock::now() - again < std::chrono::milliseconds(100));

  // Closing (the polite goodbye): the loop waits and dispatches again, bounded by the caller.
  loop.set_closing(true);
  CHECK_FALSE(loop.interrupted());
  CHECK(loop.run_until([&] { return fired; }, std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  ::close(fds[0]);
  ::close(fds[1]);
  reset_interrupt();
}

TEST_CASE("interrupt: a flag set before poll() is seen through the self-pipe", "[reliability][interrupt]") {
  install_interrupt_handlers();
  reset_interrupt();
  REQUIRE(maildiag::util::interrupt_fd() >= 0);
  maildiag::util::request_interrupt(SIGTERM);
  pollfd p{maildiag::util::interrupt_fd(), POLLIN, 0};
  CHECK(::poll(&p, 1, 1000) == 1);
  reset_interrupt();
  CHECK(::poll(&p, 1, 0) == 0);  // drained
}
