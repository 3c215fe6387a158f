// smtp-test --interactive against the test bed: commands from stdin (a pipe) and from a real
// terminal (a pty, where the AUTH helper asks for the password with echo off).

#include "smtp_support.hpp"

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>

using maildiag::test::at;

TEST_CASE("smtp-test --interactive: STARTTLS upgrades, AUTH helper, DATA dot-stuffed", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string input =
      "EHLO me.test\nSTARTTLS\nEHLO me.test\nAUTH PLAIN\nMAIL FROM:<" + tb->get("USER") + ">\nRCPT TO:<" +
      tb->get("USER2") + ">\nDATA\nSubject: interactive\n\n.a leading dot\nbody\n.\nNOOP\n";  // EOF then: QUIT
  auto r = maildiag::test::run_maildiag({"--timeout", "5", "smtp-test", at(*tb, "SUBMISSION_PORT"), "--ca-file",
                                         tb->get("CA_FILE"), "--auth-user", tb->get("USER"), "--interactive"},
                                        input, {{"MAILDIAG_PASSWORD", tb->get("PASSWORD")}}, std::chrono::seconds(60));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("=== TLS started with cipher") != std::string::npos);
  CHECK(r.out.find(" ~> EHLO me.test") != std::string::npos);
  CHECK(r.out.find(" ~> AUTH PLAIN <redacted>") != std::string::npos);
  CHECK(r.out.find("<~  235 ") != std::string::npos);
  CHECK(r.out.find("<~  354 ") != std::string::npos);
  CHECK(r.out.find("queued as ") != std::string::npos);
  CHECK(r.out.find(" ~> QUIT") != std::string::npos);
  CHECK(r.out.find(tb->get("PASSWORD")) == std::string::npos);
}

TEST_CASE("smtp-test --interactive: out-of-turn commands are refused locally, replies explained",
          "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string input = "EHLO me.test\nRCPT TO:<" + tb->get("UNKNOWN_RCPT") + ">\nMAIL FROM:<>\nRCPT TO:<" +
                            tb->get("UNKNOWN_RCPT") + ">\nQUIT\n";
  auto r = maildiag::test::run_maildiag({"--timeout", "5", "smtp-test", at(*tb, "SMTP_PORT"), "-i"}, input, {},
                                        std::chrono::seconds(60));
  INFO(r.out << r.err);
  CHECK(r.out.find("<** 503 5.5.1") != std::string::npos);  // RCPT before MAIL: the server says so
  CHECK(r.out.find("<** 550 5.1.1") != std::string::npos);
  CHECK(r.out.find("does not exist") != std::string::npos);
  CHECK(r.out.find("<-  221") != std::string::npos);
}

namespace {

/// Reads from fd until `needle` shows up (or the deadline); returns everything read.
std::string read_until(int fd, const std::string& needle, std::string& all, int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (all.find(needle) == std::string::npos && std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  return all;
}

}  // namespace

TEST_CASE("smtp-test --interactive on a terminal: the AUTH helper prompts without echo", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string bin = MAILDIAG_BIN;
  const std::string target = at(*tb, "SUBMISSION_PORT");
  const std::string ca = tb->get("CA_FILE");
  const std::string user = tb->get("USER");
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::unsetenv("MAILDIAG_PASSWORD");
    ::setenv("NO_COLOR", "1", 1);
    ::execl(bin.c_str(), bin.c_str(), "--timeout", "5", "smtp-test", target.c_str(), "--ca-file", ca.c_str(),
            "--auth-user", user.c_str(), "-i", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string all;
  auto say = [&](const std::string& line) {
    const std::string l = line + "\r";
    CHECK(::write(master, l.data(), l.size()) == static_cast<ssize_t>(l.size()));
  };
  read_until(master, "220 mx1", all, 10000);
  say("EHLO me.test");
  read_until(master, "250 CHUNKING", all, 10000);
  say("STARTTLS");
  read_until(master, "send EHLO again", all, 10000);
  say("EHLO me.test");
  read_until(master, "AUTH PLAIN LOGIN", all, 10000);
  say("AUTH LOGIN");
  read_until(master, "Password", all, 10000);
  say(tb->get("PASSWORD"));
  read_until(master, "235 ", all, 10000);
  say("QUIT");
  read_until(master, "221 ", all, 10000);
  int status = 0;
  for (int i = 0; i < 50 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) ::usleep(100000);
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  INFO(all);
  CHECK(all.find("<~  235 2.7.0") != std::string::npos);
  CHECK(all.find(" ~> AUTH LOGIN") != std::string::npos);
  CHECK(all.find("<~  221") != std::string::npos);
  CHECK(all.find(tb->get("PASSWORD")) == std::string::npos);  // no echo, no transcript
}
