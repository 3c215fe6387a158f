// SIGINT in the middle of a session (docs/reliability.md, "Signals and output"): the run ends
// within a couple of seconds, says so in one line on stderr and exits 3 (UNKNOWN). The server
// here drips its banner one byte per second, so the signal always lands mid-session. (Checking
// the QUIT after a greeting needs a server that stalls after EHLO: not a test-bed mode yet.)
//
// Pending: the handler (util/interrupt.hpp) is in place; main() and the sessions still have to
// poll it. Until then the default action kills the process, so the test is [!mayfail]. Drop the
// tag once the wiring lands.

#include "support/testbed.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

struct Interrupted {
  int status = 0;
  bool exited_in_time = false;
  double seconds_after_signal = 0;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Starts maildiag, sends SIGINT after `delay`, and waits up to `grace` for it to end.
Interrupted interrupt_after(std::vector<std::string> args, std::chrono::milliseconds delay,
                            std::chrono::milliseconds grace) {
  char out_path[] = "/tmp/maildiag-sigint-out-XXXXXX";
  char err_path[] = "/tmp/maildiag-sigint-err-XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  args.insert(args.begin(), MAILDIAG_BIN);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(::posix_spawn(&pid, MAILDIAG_BIN, &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGINT);
  const auto sent = std::chrono::steady_clock::now();
  Interrupted r;
  for (;;) {
    const pid_t w = ::waitpid(pid, &r.status, WNOHANG);
    const auto waited = std::chrono::steady_clock::now() - sent;
    if (w == pid) {
      r.exited_in_time = true;
      r.seconds_after_signal = std::chrono::duration<double>(waited).count();
      break;
    }
    if (waited > grace) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &r.status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::close(out_fd);
  ::close(err_fd);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  ::unlink(out_path);
  ::unlink(err_path);
  return r;
}

}  // namespace

TEST_CASE("reliability: SIGINT during an SMTP session ends the run at once with exit 3",
          "[integration][reliability][signal][!mayfail]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const auto r = interrupt_after({"--timeout", "60", "smtp-test", tb->get("HOST"), "--port",
                                  tb->get("HOSTILE_SMTP_DRIP_PORT"), "-t"},
                                 std::chrono::milliseconds(1500), std::chrono::seconds(5));
  INFO("status " << r.status << "\nstdout: " << r.out.substr(0, 3000) << "\nstderr: " << r.err);
  REQUIRE(r.exited_in_time);
  REQUIRE(WIFEXITED(r.status));  // not killed by the signal
  CHECK(WEXITSTATUS(r.status) == 3);
  CHECK(r.err.find("interrupted") != std::string::npos);
  CHECK(r.seconds_after_signal < 3.0);
}
