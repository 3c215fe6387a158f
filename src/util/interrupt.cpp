// SIGINT/SIGTERM -> a flag (see interrupt.hpp). Only async-signal-safe operations happen in the
// handler: atomic loads and stores, signal() and raise().

#include "maildiag/util/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace maildiag::util {

namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal flag must be lock-free");

void on_interrupt(int sig) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) {
    // A second signal: the polite path is taking too long, so die the default way.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() and read() return EINTR so the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

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
  g_signal.compare_exchange_strong(expected, signal_number == 0 ? SIGINT : signal_number);
}

void reset_interrupt() { g_signal.store(0); }

}  // namespace maildiag::util
