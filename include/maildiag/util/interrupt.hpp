#pragma once
/// Ctrl-C and SIGTERM as a flag the program polls, so a session in progress can end politely
/// (QUIT / LOGOUT with a short deadline) and the run can report what it saw, instead of dying
/// mid-dialog. The handler only stores to a lock-free atomic (async-signal-safe). It is installed
/// without SA_RESTART, so a blocking poll() returns EINTR at once and the event loop can look at
/// the flag. A second signal while the first is being handled restores the default action and
/// re-raises it: a stuck run can always be killed with a second Ctrl-C.
///
/// Contract for long-running code: check interrupted() after every wait (EventLoop::run_once
/// returns on EINTR); when it is true, stop starting new steps, close the dialog with QUIT or
/// LOGOUT under a deadline of at most kQuitGrace, add a finding, and return. main() then exits
/// with kInterruptedExitCode and the one-line message interrupt_message().

#include <chrono>
#include <string>

namespace maildiag::util {

/// Exit code of an interrupted run: UNKNOWN (the diagnosis is incomplete), as documented in
/// README ("Exit codes"), `maildiag --help` and docs/reliability.md.
inline constexpr int kInterruptedExitCode = 3;

/// The longest a polite goodbye (QUIT, LOGOUT) may take after an interrupt.
inline constexpr std::chrono::milliseconds kQuitGrace{2000};

/// Installs the SIGINT and SIGTERM handlers (idempotent). Call once, early in main().
void install_interrupt_handlers();

/// The read end of a non-blocking self-pipe that becomes readable when the flag is set (the
/// handler writes one byte), or -1 before install_interrupt_handlers(). An event loop polls it
/// beside its sockets, so a signal that arrives between a check of interrupted() and poll()
/// still wakes the poll. Never read it: it stays readable until reset_interrupt().
[[nodiscard]] int interrupt_fd();

/// True once SIGINT or SIGTERM was received.
[[nodiscard]] bool interrupted();

/// The signal received (SIGINT, SIGTERM), or 0.
[[nodiscard]] int interrupt_signal();

/// "interrupted by SIGINT (Ctrl-C)": what main() prints, one line, without a newline.
[[nodiscard]] std::string interrupt_message();

/// Sets the flag as the handler would (tests, and code that wants to cancel a run).
void request_interrupt(int signal_number);

/// Clears the flag (tests).
void reset_interrupt();

}  // namespace maildiag::util
