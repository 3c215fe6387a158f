// SIGINT/SIGTERM -> a flag (see interrupt.hpp). Only async-signal-safe operations happen in the
// handler: atomic loads and stores, write() to the self-pipe, signal() and raise().

#include "maildiag/util/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace maildiag::util {

namespace {

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};  // written once by install_interrupt_handlers(), before any signal

/// One byte into the self-pipe (async-signal-safe: write(2), errno saved).
void wake() {
  if (g_pipe[1] < 0) return;
  const int saved = errno;
  const char byte = 'i';
  (void)!::write(g_pipe[1], &byte, 1);
  errno = saved;
}
static_assert(std::atomic<int>::is_always_lock_free, "the signal flag must be lock-free");

void on_interrupt(int sig) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) {
    // A second signal: the polite path is taking too long, so die the default way.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  wake();
}

}  // namespace

void install_interrupt_handlers() {
  if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() and read() return EINTR so the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_fd() { return g_pipe[0]; }

bool interrupted() { return g_signal.load() != 0; }

int interrupt_signal() { return g_signal.load(); }

std::string interrupt_message() {
  switch (g_signal.load()) {
    case 0: return "not interrupted";
    case SIGINT: return "interrupted by SIGINT (Ctrl-C)";
    case SIGTERM: return "interrupted by SIGTERM";
    default: return "interrupted by signal " + std::to_string(g_signal.load());
  }
}

void request_interrupt(int signal_number) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, signal_number == 0 ? SIGINT : signal_number)) wake();
}

void reset_interrupt() {
  g_signal.store(0);
  char buf[64];
  while (g_pipe[0] >= 0 && ::read(g_pipe[0], buf, sizeof buf) > 0) {
  }
}

}  // namespace maildiag::util
