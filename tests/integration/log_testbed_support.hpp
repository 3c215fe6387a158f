#pragma once
// Shared by the log and queue integration tests: a tiny SMTP client (plain text, no TLS) that
// submits a message to the test bed's Postfix and returns the queue id, the routes that make the
// bed defer and bounce mail (added at test time with postconf, reverted afterwards), and waiting
// for the bed's maillog_file to show a line.

#include "support/corpus.hpp"
#include "support/process.hpp"
#include "support/testbed.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace maildiag::test::logbed {

/// Reads one SMTP reply (all lines) from fd; "" on error. 5 s socket timeout.
inline std::string read_reply(int fd) {
  std::string buf;
  char c = 0;
  std::string line;
  while (::recv(fd, &c, 1, 0) == 1) {
    line += c;
    if (c != '\n') continue;
    buf += line;
    const bool last = line.size() >= 4 && line[3] == ' ';
    line.clear();
    if (last) return buf;
    if (buf.size() > 65536) break;
  }
  return {};
}

/// Submits a small message and returns the queue id from "250 2.0.0 Ok: queued as ID".
inline std::string submit(int port, const std::string& from, const std::string& to, const std::string& subject) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  auto cmd = [&](const std::string& line, char expect) {
    if (!line.empty()) {
      const std::string l = line + "\r\n";
      REQUIRE(::send(fd, l.data(), l.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(l.size()));
    }
    const std::string reply = read_reply(fd);
    INFO("sent: " << line << "\nreply: " << reply);
    REQUIRE(!reply.empty());
    REQUIRE(reply[0] == expect);
    return reply;
  };
  cmd("", '2');
  cmd("EHLO client.test", '2');
  cmd("MAIL FROM:<" + from + ">", '2');
  cmd("RCPT TO:<" + to + ">", '2');
  cmd("DATA", '3');
  const std::string reply = cmd("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject +
                                    "\r\nMessage-ID: <" + subject + "@client.test>\r\n\r\nmaildiag log test\r\n.",
                                '2');
  cmd("QUIT", '2');
  ::close(fd);
  const auto p = reply.find("queued as ");
  REQUIRE(p != std::string::npos);
  std::string id = reply.substr(p + 10);
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ')')) id.pop_back();
  return id;
}

/// A token unique to this run, for subjects, Message-IDs and recipient names.
inline std::string token(const std::string& prefix) {
  return prefix + std::to_string(static_cast<long>(std::time(nullptr))) + std::to_string(::getpid());
}

/// Waits until the maillog contains `needle` (the bed's postlogd writes asynchronously).
inline bool wait_for_log(const std::string& path, const std::string& needle,
                         std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (read_file(path).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

inline ProcessResult sh(const std::string& cmd) {
  auto r = run_process({"/bin/sh", "-c", cmd}, {}, {}, std::chrono::seconds(30));
  INFO("command: " << cmd << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  return r;
}

/// Adds to the bed: defer.test -> smtp:[127.0.0.1]:<refused port> (nothing listens: deferred,
/// "Connection refused") and bounce.test -> error:5.1.1 (bounced), with an smtp client service
/// in master.cf when the bed has none. The destructor restores main.cf/master.cf and reloads.
class Routes {
 public:
  explicit Routes(const Testbed& tb) : conf_(tb.get("POSTFIX_CONFIG")) {
    map_ = conf_ + "/maildiag-log-transport";
    old_maps_ = trim(sh("postconf -c " + conf_ + " -h transport_maps").out);
    old_unlisted_ = trim(sh("postconf -c " + conf_ + " -h smtpd_reject_unlisted_recipient").out);
    had_smtp_ = !trim(sh("postconf -c " + conf_ + " -M smtp/unix").out).empty();
    std::ofstream(map_) << "defer.test smtp:[127.0.0.1]:" << tb.get("REFUSED_PORT") << "\n"
                        << "bounce.test error:5.1.1 mailbox unavailable (maildiag log test route)\n";
    if (!had_smtp_) sh("postconf -c " + conf_ + " -M 'smtp/unix=smtp unix - - n - - smtp'");
    sh("postconf -c " + conf_ + " -e 'transport_maps=texthash:" + map_ + "'");
    // smtpd rejects recipients routed to error(8) at RCPT time unless told not to; the bounce
    // must come from the queue, after the message was accepted.
    sh("postconf -c " + conf_ + " -e smtpd_reject_unlisted_recipient=no");
    reload();
  }
  ~Routes() {
    run_process({"/bin/sh", "-c", "postconf -c " + conf_ + " -e 'transport_maps=" + old_maps_ + "'"});
    run_process({"/bin/sh", "-c", "postconf -c " + conf_ + " -e 'smtpd_reject_unlisted_recipient=" + old_unlisted_ + "'"});
    if (!had_smtp_) run_process({"/bin/sh", "-c", "postconf -c " + conf_ + " -MX smtp/unix"});
    std::error_code ec;
    std::filesystem::remove(map_, ec);
    reload();
  }
  Routes(const Routes&) = delete;
  Routes& operator=(const Routes&) = delete;

 private:
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  void reload() {
    // P1: a config file younger than ~1 s makes Postfix wait for it to settle.
    run_process({"/bin/sh", "-c", "touch -d \"@$(( $(date +%s) - 60 ))\" " + conf_ + "/*"});
    run_process({"/bin/sh", "-c", "postfix -c " + conf_ + " reload"});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::string conf_;
  std::string map_;
  std::string old_maps_;
  std::string old_unlisted_;
  bool had_smtp_ = false;
};

}  // namespace maildiag::test::logbed
