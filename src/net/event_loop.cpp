#include "maildiag/net/event_loop.hpp"

#include "maildiag/util/interrupt.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace maildiag::net {

void EventLoop::watch(int fd, bool read, bool write, IoHandler handler) {
  if (!read && !write) {
    unwatch(fd);
    return;
  }
  fds_[fd] = Watch{read, write, std::move(handler)};
}

void EventLoop::set_interest(int fd, bool read, bool write) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  if (!read && !write) {
    fds_.erase(it);
    return;
  }
  it->second.read = read;
  it->second.write = write;
}

void EventLoop::unwatch(int fd) { fds_.erase(fd); }

EventLoop::TimerId EventLoop::add_timer(Clock::time_point when, std::function<void()> callback) {
  const TimerId id = next_timer_++;
  timers_.emplace(when, id);
  timer_cbs_.emplace(id, std::make_pair(when, std::move(callback)));
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = timer_cbs_.find(id);
  if (it == timer_cbs_.end()) return;
  auto range = timers_.equal_range(it->second.first);
  for (auto t = range.first; t != range.second; ++t) {
    if (t->second == id) {
      timers_.erase(t);
      break;
    }
  }
  timer_cbs_.erase(it);
}

void EventLoop::fire_due_timers() {
  const auto t = now();
  // Collect first: callbacks may add timers that are already due; those run next turn.
  std::vector<TimerId> due;
  for (auto it = timers_.begin(); it != timers_.end() && it->first <= t;) {
    due.push_back(it->second);
    it = timers_.erase(it);
  }
  for (TimerId id : due) {
    auto it = timer_cbs_.find(id);
    if (it == timer_cbs_.end()) continue;  // cancelled by an earlier callback
    auto cb = std::move(it->second.second);
    timer_cbs_.erase(it);
    cb();
  }
}

bool EventLoop::interrupted() const { return !closing_ && util::interrupted(); }

bool EventLoop::run_once(Clock::time_point deadline) {
  if (idle() || interrupted()) return false;
  auto wake = deadline;
  if (!timers_.empty()) wake = std::min(wake, timers_.begin()->first);
  const auto t = now();
  int timeout_ms = 0;
  if (wake > t) {
    // Round up so a timer due in 0.3 ms does not spin with a 0 ms poll.
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(wake - t).count();
    timeout_ms = static_cast<int>(std::min<long long>((us + 999) / 1000, 60'000));
  }
  std::vector<pollfd> pfds;
  pfds.reserve(fds_.size());
  for (const auto& [fd, w] : fds_) {
    short ev = 0;
    if (w.read) ev = static_cast<short>(ev | POLLIN);
    if (w.write) ev = static_cast<short>(ev | POLLOUT);
    pfds.push_back(pollfd{fd, ev, 0});
  }
  // The interrupt's self-pipe: a signal between the check above and poll() still wakes us.
  const int wake_fd = closing_ ? -1 : util::interrupt_fd();
  if (wake_fd >= 0) pfds.push_back(pollfd{wake_fd, POLLIN, 0});
  const int n = ::poll(pfds.data(), static_cast<nfds_t>(pfds.size()), timeout_ms);
  if (n < 0 && errno != EINTR) return false;
  if (n > 0) {
    for (const auto& p : pfds) {
      if (p.revents == 0 || p.fd == wake_fd) continue;
      auto it = fds_.find(p.fd);
      if (it == fds_.end()) continue;  // unwatched by an earlier handler this turn
      const bool readable = (p.revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) != 0;
      const bool writable = (p.revents & (POLLOUT | POLLERR)) != 0;
      auto handler = it->second.handler;  // copy: the handler may unwatch itself
      handler(p.fd, readable, writable);
    }
  }
  fire_due_timers();
  return true;
}

bool EventLoop::run_until(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    if (now() >= deadline || interrupted()) break;
    if (!run_once(deadline)) break;
  }
  return done();
}

void EventLoop::run(Clock::time_point deadline) {
  while (now() < deadline && !interrupted() && run_once(deadline)) {
  }
}

}  // namespace maildiag::net
