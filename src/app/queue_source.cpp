// Running postqueue for `maildiag queue`: posix_spawn, no shell, stdin /dev/null, stdout and
// stderr through pipes read with poll(2) until a deadline; the child is killed when it overruns.

#include "queue_source.hpp"

#include "maildiag/i18n/catalog.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace maildiag::app::queueio {

namespace {

constexpr std::size_t kMaxErr = 1024;

std::string resolve(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return prog;
  std::string dirs;
  if (const char* p = std::getenv("PATH"); p != nullptr) dirs = p;
  dirs += ":/usr/sbin:/usr/local/sbin:/sbin";
  std::size_t pos = 0;
  while (pos <= dirs.size()) {
    std::size_t colon = dirs.find(':', pos);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string dir = dirs.substr(pos, colon - pos);
    if (!dir.empty()) {
      const std::string full = dir + "/" + prog;
      if (::access(full.c_str(), X_OK) == 0) return full;
    }
    pos = colon + 1;
  }
  return {};
}

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
};

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                          std::size_t max_output) {
  CommandResult res;
  if (argv.empty()) return res;
  const std::string path = resolve(argv[0]);
  if (path.empty()) {
    res.error = i18n::format("log.queue.error.not-found", {argv[0]});
    return res;
  }
  Pipe out;
  Pipe err;
  if (!out.open() || !err.open()) {
    res.error = std::string("pipe: ") + std::strerror(errno);
    return res;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err.fd[1], STDERR_FILENO);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out.fd[1]);
  out.fd[1] = -1;
  ::close(err.fd[1]);
  err.fd[1] = -1;
  if (rc != 0) {
    res.error = i18n::format("log.queue.error.cannot-run", {path, std::strerror(rc)});
    return res;
  }
  res.started = true;
  const auto end = std::chrono::steady_clock::now() + deadline;
  pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      res.timed_out = true;
      break;
    }
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (auto& p : fds) {
      if (p.fd < 0 || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t got = ::read(p.fd, buf, sizeof buf);
      if (got <= 0) {
        p.fd = -1;
        --open_fds;
        continue;
      }
      const auto len = static_cast<std::size_t>(got);
      if (p.fd == out.fd[0]) {
        res.out.append(buf, std::min(len, max_output - std::min(max_output, res.out.size())));
        if (res.out.size() >= max_output) res.truncated = true;
      } else if (res.err.size() < kMaxErr) {
        res.err.append(buf, std::min(len, kMaxErr - res.err.size()));
      }
    }
    if (res.truncated) break;
  }
  if (res.timed_out || res.truncated) ::kill(pid, SIGKILL);
  int status = 0;
  // The pipes closed; the child should be exiting. Wait for it, but never past the deadline.
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR)) break;
    if (w == 0 && std::chrono::steady_clock::now() >= end) {
      res.timed_out = true;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    ::usleep(5000);
  }
  if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  return res;
}

}  // namespace maildiag::app::queueio
