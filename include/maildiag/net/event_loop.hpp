#pragma once
/// The one single-threaded event loop that drives DNS (c-ares), TCP connects, TLS and the
/// protocol engines together: poll() over watched descriptors plus one-shot timers.
/// No thread per query or connection; everything with a deadline is a timer.
///
/// Ctrl-C (util/interrupt.hpp): once SIGINT/SIGTERM arrived, run_until() and run() return at
/// once and run_once() does not wait, so every sync wait built on the loop (connect_sync,
/// Stream::read_some, DNS lookups) ends as if its deadline had passed. The owner then checks
/// interrupted(), and for the polite goodbye (QUIT/LOGOUT under util::kQuitGrace) calls
/// set_closing(true): from then on this loop runs normally again, bounded by the caller's deadlines.
/// The interrupt's self-pipe is polled with the watched fds, so a signal that lands just before
/// poll() still wakes it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

namespace maildiag::net {

using Clock = std::chrono::steady_clock;

class EventLoop {
 public:
  /// Called when fd is ready. Errors and hang-ups are reported as readable (the read shows them).
  using IoHandler = std::function<void(int fd, bool readable, bool writable)>;
  using TimerId = std::uint64_t;

  EventLoop() = default;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Starts or updates watching fd. With neither read nor write it stops watching.
  void watch(int fd, bool read, bool write, IoHandler handler);
  /// Changes the interest of an already watched fd, keeping its handler.
  void set_interest(int fd, bool read, bool write);
  void unwatch(int fd);
  [[nodiscard]] bool watching(int fd) const { return fds_.count(fd) != 0; }

  /// One-shot timer; returns an id for cancel_timer. Callbacks may add or cancel timers and watches.
  TimerId add_timer(Clock::time_point when, std::function<void()> callback);
  TimerId add_timer(std::chrono::milliseconds after, std::function<void()> callback) {
    return add_timer(now() + after, std::move(callback));
  }
  void cancel_timer(TimerId id);

  /// Waits once (until the first of: an fd ready, the next timer, deadline) and dispatches.
  /// Returns false when there was nothing to wait for (no fds, no timers).
  bool run_once(Clock::time_point deadline);
  /// Runs until done() is true, the deadline passes, or nothing is left to wait for.
  /// Returns done() at exit.
  bool run_until(const std::function<bool()>& done, Clock::time_point deadline);
  /// Runs until no fd or timer is left, or the deadline.
  void run(Clock::time_point deadline);

  /// True when an interrupt was received and this loop is not closing: stop waiting, wind down.
  [[nodiscard]] bool interrupted() const;
  /// Closing after an interrupt: the loop runs again (for QUIT/LOGOUT), the caller bounds it.
  void set_closing(bool closing) { closing_ = closing; }
  [[nodiscard]] bool closing() const { return closing_; }

  [[nodiscard]] Clock::time_point now() const { return Clock::now(); }
  [[nodiscard]] bool idle() const { return fds_.empty() && timers_.empty(); }

 private:
  struct Watch {
    bool read = false;
    bool write = false;
    IoHandler handler;
  };
  std::unordered_map<int, Watch> fds_;
  std::multimap<Clock::time_point, TimerId> timers_;
  std::unordered_map<TimerId, std::pair<Clock::time_point, std::function<void()>>> timer_cbs_;
  TimerId next_timer_ = 1;
  bool closing_ = false;

  void fire_due_timers();
};

}  // namespace maildiag::net
