#include "maildiag/net/connect.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace maildiag::net {

std::string_view to_string(ConnectOutcome o) {
  switch (o) {
    case ConnectOutcome::open: return "open";
    case ConnectOutcome::refused: return "refused";
    case ConnectOutcome::filtered: return "filtered";
    case ConnectOutcome::unreachable: return "unreachable";
    case ConnectOutcome::blocked: return "blocked";
    case ConnectOutcome::dns_failure: return "dns-failure";
    case ConnectOutcome::error: return "error";
  }
  return "error";
}

ConnectOutcome outcome_from_errno(int err) {
  switch (err) {
    case 0: return ConnectOutcome::open;
    case ECONNREFUSED: return ConnectOutcome::refused;
    case ETIMEDOUT: return ConnectOutcome::filtered;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
    case EHOSTDOWN: return ConnectOutcome::unreachable;
    case EPERM:
    case EACCES: return ConnectOutcome::blocked;
    default: return ConnectOutcome::error;
  }
}

namespace {

std::string errno_text(int err) {
  char buf[256] = {};
  // GNU strerror_r returns the message (maybe not in buf).
  return ::strerror_r(err, buf, sizeof buf);
}

void set_socket_options(int fd, const ConnectOptions& options) {
  const int one = 1;
  if (options.nodelay) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (options.quickack) ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

std::chrono::microseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TcpConnect

TcpConnect::TcpConnect(EventLoop& loop, const Address& address, std::uint16_t port, const ConnectOptions& options,
                       Clock::time_point deadline, Handler handler)
    : loop_(loop), handler_(std::move(handler)) {
  attempt_.address = address;
  attempt_.port = port;
  start(options, deadline);
}

TcpConnect::~TcpConnect() {
  if (timer_ != 0) loop_.cancel_timer(timer_);
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
  }
}

void TcpConnect::start(const ConnectOptions& options, Clock::time_point deadline) {
  started_ = Clock::now();
  const auto attempt_deadline = std::min(deadline, started_ + options.attempt_timeout);
  const int domain = attempt_.address.is_v6() ? AF_INET6 : AF_INET;
  fd_ = ::socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int err = fd_ < 0 ? errno : 0;
  std::string prefix;
  if (err == 0 && options.source) {
    prefix = "cannot use source address " + options.source->to_string() + ": ";
    if (options.source->family() != attempt_.address.family()) {
      err = EAFNOSUPPORT;
    } else {
      const int one = 1;
      // Choose the port at connect time: many probes from one source must not exhaust bind ports.
      ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sockaddr_storage ss{};
      const auto len = options.source->to_sockaddr(0, reinterpret_cast<sockaddr*>(&ss));
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len)) != 0) err = errno;
    }
  }
  if (err == 0) {
    prefix.clear();
    set_socket_options(fd_, options);
    sockaddr_storage ss{};
    const auto len = attempt_.address.to_sockaddr(attempt_.port, reinterpret_cast<sockaddr*>(&ss));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len)) != 0 && errno != EINPROGRESS) {
      err = errno;
    }
  }
  if (err != 0) {
    // Report from the loop, never from the constructor (the caller may not be ready for it).
    const auto outcome = prefix.empty() ? outcome_from_errno(err) : ConnectOutcome::error;
    timer_ = loop_.add_timer(Clock::now(), [this, err, outcome, detail = prefix + errno_text(err)] {
      timer_ = 0;
      finish(outcome, err, detail);
    });
    return;
  }
  loop_.watch(fd_, false, true, [this](int, bool, bool) { on_ready(); });
  timer_ = loop_.add_timer(attempt_deadline, [this] {
    timer_ = 0;
    on_timeout();
  });
}

void TcpConnect::on_ready() {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == 0) {
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &sl) == 0) {
      attempt_.local = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), &attempt_.local_port);
    }
    finish(ConnectOutcome::open, 0, "connected");
    return;
  }
  finish(outcome_from_errno(err), err, errno_text(err));
}

void TcpConnect::on_timeout() {
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
  finish(ConnectOutcome::filtered, 0, "no answer within " + std::to_string(waited.count()) + " ms");
}

void TcpConnect::finish(ConnectOutcome outcome, int err, std::string detail) {
  if (done_) return;
  done_ = true;
  attempt_.outcome = outcome;
  attempt_.error = err;
  attempt_.detail = std::move(detail);
  attempt_.latency = since(started_);
  if (timer_ != 0) {
    loop_.cancel_timer(timer_);
    timer_ = 0;
  }
  int fd = -1;
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    if (outcome == ConnectOutcome::open) {
      fd = fd_;
    } else {
      ::close(fd_);
    }
    fd_ = -1;
  }
  // Last action: the handler may destroy this object.
  auto handler = std::move(handler_);
  const ConnectAttempt attempt = attempt_;
  handler(attempt, fd);
}

// ---------------------------------------------------------------------------------------------
// ConnectResult

ConnectOutcome ConnectResult::summary() const {
  if (winner) return ConnectOutcome::open;
  static constexpr ConnectOutcome kOrder[] = {ConnectOutcome::refused, ConnectOutcome::unreachable,
                                              ConnectOutcome::blocked, ConnectOutcome::filtered,
                                              ConnectOutcome::dns_failure};
  for (auto o : kOrder) {
    if (std::any_of(attempts.begin(), attempts.end(), [o](const ConnectAttempt& a) { return a.outcome == o; })) {
      return o;
    }
  }
  return ConnectOutcome::error;
}

// ---------------------------------------------------------------------------------------------
// HappyConnect

HappyConnect::HappyConnect(EventLoop& loop, std::vector<Address> addresses, std::uint16_t port,
                           ConnectOptions options, Clock::time_point deadline, Handler handler)
    : loop_(loop),
      addresses_(interleave_families(addresses)),
      port_(port),
      options_(std::move(options)),
      deadline_(deadline),
      handler_(std::move(handler)) {
  // Start from the loop so the handler never runs inside the constructor (no addresses at all).
  start_timer_ = loop_.add_timer(Clock::now(), [this] {
    start_timer_ = 0;
    if (addresses_.empty()) {
      finish();
      return;
    }
    start_next();
  });
}

HappyConnect::~HappyConnect() {
  if (stagger_timer_ != 0) loop_.cancel_timer(stagger_timer_);
  if (start_timer_ != 0) loop_.cancel_timer(start_timer_);
  if (result_.fd >= 0 && !done_) ::close(result_.fd);
}

void HappyConnect::start_next() {
  if (stagger_timer_ != 0) {
    loop_.cancel_timer(stagger_timer_);
    stagger_timer_ = 0;
  }
  if (done_ || next_ >= addresses_.size() || Clock::now() >= deadline_) return;
  const std::size_t index = next_++;
  result_.attempts.emplace_back();
  ++outstanding_;
  pending_.push_back(std::make_unique<TcpConnect>(
      loop_, addresses_[index], port_, options_, deadline_,
      [this, index](const ConnectAttempt& a, int fd) { on_attempt(index, a, fd); }));
  if (next_ < addresses_.size()) {
    stagger_timer_ = loop_.add_timer(options_.stagger, [this] {
      stagger_timer_ = 0;
      start_next();
    });
  }
}

void HappyConnect::on_attempt(std::size_t index, const ConnectAttempt& attempt, int fd) {
  --outstanding_;
  result_.attempts[index] = attempt;
  if (fd >= 0) {
    if (result_.fd < 0) {
      result_.fd = fd;
      result_.winner = index;
    } else {
      ::close(fd);  // a slower duplicate; RFC 8305 keeps the first
    }
    finish();
    return;
  }
  // A failure starts the next address at once instead of waiting for the stagger timer.
  if (next_ < addresses_.size()) {
    start_next();
    return;
  }
  if (outstanding_ == 0) finish();
}

void HappyConnect::finish() {
  if (done_) return;
  done_ = true;
  if (stagger_timer_ != 0) {
    loop_.cancel_timer(stagger_timer_);
    stagger_timer_ = 0;
  }
  // Attempts still running lost the race: record them as abandoned and close them.
  for (std::size_t i = 0; i < result_.attempts.size(); ++i) {
    auto& a = result_.attempts[i];
    if (a.port == 0) {
      a.address = addresses_[i];
      a.port = port_;
      a.outcome = ConnectOutcome::filtered;
      a.detail = result_.winner ? "abandoned: another address connected first" : "no answer before the deadline";
    }
  }
  // Closes the losers. Safe even for the attempt whose handler called us: TcpConnect::finish
  // runs its handler from a local copy and touches nothing after it.
  pending_.clear();
  auto handler = std::move(handler_);
  ConnectResult r = std::move(result_);
  result_ = ConnectResult{};
  handler(std::move(r));
}

ConnectResult connect_sync(EventLoop& loop, const std::vector<Address>& addresses, std::uint16_t port,
                           const ConnectOptions& options, Clock::time_point deadline) {
  std::optional<ConnectResult> out;
  {
    HappyConnect hc(loop, addresses, port, options, deadline, [&](ConnectResult r) { out = std::move(r); });
    loop.run_until([&] { return out.has_value(); }, deadline + std::chrono::milliseconds(50));
  }
  if (!out) {
    out.emplace();
    for (const auto& a : interleave_families(addresses)) {
      ConnectAttempt at;
      at.address = a;
      at.port = port;
      at.outcome = ConnectOutcome::filtered;
      at.detail = "no answer before the deadline";
      out->attempts.push_back(at);
    }
  }
  return std::move(*out);
}

}  // namespace maildiag::net
