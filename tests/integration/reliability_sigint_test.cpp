// SIGINT in the middle of a session (docs/reliability.md, "Signals and output"): the run ends
// within the grace period (util::kQuitGrace, 2 s), closes the dialog with QUIT/LOGOUT where the
// protocol allows, prints the report of what it saw, says so in one line on stderr and exits 3
// (UNKNOWN). A second SIGINT ends it at once, killed by the signal.
//
// Peers: the bed's SMTP_DRIP (banner one byte per second: the signal lands mid-greeting) and
// small scripted servers on 127.0.0.1 run by this test (a server that stalls after EHLO, an
// IMAP server that answers CAPABILITY late), which record what the client sent.

#include "support/testbed.hpp"
#include "support/sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
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

/// Starts maildiag, sends SIGINT after `delay` (and a second one `second` later when set), and
/// waits up to `grace` after the first for it to end.
Interrupted interrupt_after(std::vector<std::string> args, std::chrono::milliseconds delay,
                            std::chrono::milliseconds grace,
                            std::optional<std::chrono::milliseconds> second = std::nullopt) {
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
  bool second_sent = false;
  for (;;) {
    if (second && !second_sent && std::chrono::steady_clock::now() - sent >= *second) {
      ::kill(pid, SIGINT);
      second_sent = true;
    }
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

/// A one-connection server on 127.0.0.1: sends `greeting`, then for each line it reads looks up
/// a scripted answer (by substring, sent after its delay; no entry: silence) and keeps everything
/// the client sent. It stops when the client closes or after 20 s.
class ScriptedServer {
 public:
  struct Answer {
    std::string prefix;
    std::string text;
    std::chrono::milliseconds delay{0};
  };
  ScriptedServer(std::string greeting, std::vector<Answer> answers)
      : greeting_(std::move(greeting)), answers_(std::move(answers)) {
    const auto s = maildiag::test::bind_loopback(SOCK_STREAM);
    fd_ = s.fd;
    port_ = s.port;
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  [[nodiscard]] int port() const { return port_; }
  /// Everything the client sent, once it closed (waits up to 5 s for that).
  std::string received() {
    for (int i = 0; i < 250 && !done_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return got_;
  }

 private:
  std::string greeting_;
  std::vector<Answer> answers_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::string got_;  // written by the thread until done_

  void serve() {
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) {
      done_ = true;
      return;
    }
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)!::write(c, greeting_.data(), greeting_.size());
    std::string pending;
    char buf[4096];
    while (!stop_) {
      const auto n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      got_.append(buf, static_cast<std::size_t>(n));
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        const std::string line = pending.substr(0, nl + 1);
        pending.erase(0, nl + 1);
        for (const auto& a : answers_) {
          if (line.find(a.prefix) == std::string::npos) continue;
          std::this_thread::sleep_for(a.delay);
          std::string text = a.text;  // "{tag}": the line's first word (IMAP tags)
          const auto at = text.find("{tag}");
          if (at != std::string::npos) text.replace(at, 5, line.substr(0, line.find(' ')));
          (void)!::write(c, text.data(), text.size());
          break;
        }
      }
    }
    ::close(c);
    done_ = true;
  }
};

}  // namespace

TEST_CASE("reliability: SIGINT during an SMTP session ends the run at once with exit 3",
          "[integration][reliability][signal]") {
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

TEST_CASE("reliability: SIGINT while a reply is awaited: the reply, then QUIT, and the transcript so far",
          "[integration][reliability][signal]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // 220, then EHLO is answered 1.5 s late, so the signal (0.8 s in) lands while it is awaited;
  // QUIT must wait for that reply (no PIPELINING before EHLO), then gets its 221.
  ScriptedServer server("220 stall.test ESMTP\r\n", {{"EHLO", "250-stall.test\r\n250 8BITMIME\r\n",
                                                        std::chrono::milliseconds(1500)},
                                                       {"QUIT", "221 2.0.0 Bye\r\n", {}}});
  const auto r = interrupt_after({"--timeout", "60", "smtp-test", "127.0.0.1", "--port",
                                  std::to_string(server.port()), "-t"},
                                 std::chrono::milliseconds(800), std::chrono::seconds(5));
  const auto sent = server.received();
  INFO("status " << r.status << "\nstdout: " << r.out.substr(0, 3000) << "\nstderr: " << r.err
                 << "\nserver got: " << sent);
  REQUIRE(r.exited_in_time);
  REQUIRE(WIFEXITED(r.status));
  CHECK(WEXITSTATUS(r.status) == 3);
  CHECK(r.seconds_after_signal < 3.0);
  CHECK(sent.find("EHLO") != std::string::npos);
  CHECK(sent.find("QUIT\r\n") != std::string::npos);
  CHECK(sent.find("STARTTLS") == std::string::npos);  // nothing new after the signal
  CHECK(r.err.find("maildiag: interrupted by SIGINT (Ctrl-C)") != std::string::npos);
  // What was done so far is printed: the banner, the EHLO and its late reply, the QUIT and its
  // reply, the finding.
  CHECK(r.out.find("220 stall.test ESMTP") != std::string::npos);
  CHECK(r.out.find("250 8BITMIME") != std::string::npos);
  CHECK(r.out.find("221 2.0.0 Bye") != std::string::npos);
  CHECK(r.out.find("Interrupted") != std::string::npos);
}

TEST_CASE("reliability: SIGINT during an IMAP command waits for its reply (within 2 s), then LOGOUT",
          "[integration][reliability][signal]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // CAPABILITY is answered 1.5 s late, so the signal (0.8 s in) lands while it is awaited.
  ScriptedServer server("* OK slow.test ready\r\n",
                        {{"CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n",
                          std::chrono::milliseconds(1500)},
                         {"LOGOUT", "* BYE bye\r\n{tag} OK logged out\r\n", {}}});
  const auto r = interrupt_after({"--json", "--timeout", "60", "imap-test",
                                  "127.0.0.1:" + std::to_string(server.port()), "--starttls", "never"},
                                 std::chrono::milliseconds(800), std::chrono::seconds(5));
  const auto sent = server.received();
  INFO("status " << r.status << "\nstdout: " << r.out.substr(0, 3000) << "\nstderr: " << r.err
                 << "\nserver got: " << sent);
  REQUIRE(r.exited_in_time);
  REQUIRE(WIFEXITED(r.status));
  CHECK(WEXITSTATUS(r.status) == 3);
  CHECK(sent.find("LOGOUT\r\n") != std::string::npos);
  CHECK(r.out.find("\"imap.interrupted\"") != std::string::npos);
  CHECK(r.err.find("interrupted by SIGINT") != std::string::npos);
}

TEST_CASE("reliability: a second SIGINT ends a run at once, killed by the signal", "[integration][reliability][signal]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // The drip server keeps the first SIGINT's goodbye waiting for the rest of the greeting.
  const auto r = interrupt_after({"--timeout", "60", "smtp-test", tb->get("HOST"), "--port",
                                  tb->get("HOSTILE_SMTP_DRIP_PORT")},
                                 std::chrono::milliseconds(1500), std::chrono::seconds(5),
                                 std::chrono::milliseconds(300));
  INFO("status " << r.status << "\nstderr: " << r.err);
  REQUIRE(r.exited_in_time);
  CHECK(r.seconds_after_signal < 1.5);
  REQUIRE(WIFSIGNALED(r.status));
  CHECK(WTERMSIG(r.status) == SIGINT);
}

TEST_CASE("reliability: SIGINT stops a file reader (log --follow) at once, the default way",
          "[integration][reliability][signal]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  // No handler is installed for file readers: nothing to close politely, and --follow must stop.
  char path[] = "/tmp/maildiag-sigint-log-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  const auto r = interrupt_after({"log", "--follow", "--all", path}, std::chrono::milliseconds(800),
                                 std::chrono::seconds(5));
  ::unlink(path);
  INFO("status " << r.status << "\nstderr: " << r.err);
  REQUIRE(r.exited_in_time);
  CHECK(r.seconds_after_signal < 1.0);
  REQUIRE(WIFSIGNALED(r.status));
  CHECK(WTERMSIG(r.status) == SIGINT);
}
