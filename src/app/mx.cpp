// `maildiag mx`: sets up the resolvers on one event loop and runs DomainChecks — a fixed list
// (reports in input order) or a stream from stdin (bulk: bounded concurrency, results as they
// complete, memory bounded by the concurrency rather than the input size).

#include "interrupted.hpp"
#include "mx_internal.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/render.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace maildiag::app {

using mx_detail::Settings;

std::optional<MxChecks> parse_mx_checks(std::string_view text, std::string* error) {
  MxChecks c{false, false, false, false, false, false};
  for (auto item : util::split(text, ',')) {
    item = util::trim(item);
    const auto name = util::to_lower(item);
    if (name == "all") c = MxChecks{};
    else if (name == "none" || name.empty()) continue;
    else if (name == "ptr") c.ptr = true;
    else if (name == "spf") c.spf = true;
    else if (name == "dmarc") c.dmarc = true;
    else if (name == "mta-sts") c.mta_sts = true;
    else if (name == "tls-rpt") c.tls_rpt = true;
    else if (name == "tlsa") c.tlsa = true;
    else {
      if (error != nullptr)
        *error = "unknown check \"" + util::sanitize(item, 40) + "\" (all, none, ptr, spf, dmarc, mta-sts, tls-rpt, tlsa)";
      return std::nullopt;
    }
  }
  return c;
}

namespace {

constexpr int kBulkReceiveBuffer = 4 << 20;  // docs/performance.md: drops and retries without it
constexpr std::size_t kBulkInFlight = 512;
constexpr std::size_t kMaxLine = 4096;

struct Resolvers {
  std::vector<std::unique_ptr<dns::Resolver>> owned;
  std::vector<dns::Resolver*> ptrs;
};

Resolvers make_resolvers(net::EventLoop& loop, const MxOptions& o, bool bulk) {
  std::vector<std::vector<dns::ServerAddress>> groups;
  for (const auto& value : o.common.dns_servers) {
    std::string error;
    auto list = dns::parse_server_list(value, &error);
    if (!list) throw std::invalid_argument(error);
    groups.push_back(std::move(*list));
  }
  if (o.compare && groups.size() < 2) throw std::invalid_argument("--compare needs at least two --dns-server values");
  if (!o.compare && groups.size() > 1) {
    for (std::size_t i = 1; i < groups.size(); ++i) groups[0].insert(groups[0].end(), groups[i].begin(), groups[i].end());
    groups.resize(1);
  }
  if (groups.empty()) groups.emplace_back();  // the system's resolver
  Resolvers r;
  for (auto& g : groups) {
    dns::ResolverConfig cfg;
    cfg.servers = std::move(g);
    cfg.budget = o.common.timeout;
    cfg.tries = o.tries;
    if (bulk) {
      cfg.udp_receive_buffer = kBulkReceiveBuffer;
      cfg.max_in_flight = kBulkInFlight;
    }
    r.owned.push_back(std::make_unique<dns::Resolver>(loop, std::move(cfg)));
    r.ptrs.push_back(r.owned.back().get());
  }
  return r;
}

Settings make_settings(const MxOptions& o) {
  Settings s;
  s.checks = o.checks;
  s.families = dns::Families{o.common.family != Family::v6, o.common.family != Family::v4};
  s.dnsbl_zones = o.dnsbl_zones;
  s.allow_private = o.allow_private;
  s.compare = o.compare;
  s.deadline = 3 * o.common.timeout;
  return s;
}

/// The domain in an input line: trimmed; "user@domain" gives the domain. An IP address is not a domain.
std::optional<dns::DomainName> domain_of(std::string_view input, mx_detail::InvalidInput* why) {
  auto s = util::trim(input);
  if (const auto at = s.rfind('@'); at != std::string_view::npos) s = s.substr(at + 1);
  const auto bare = s.size() > 2 && s.front() == '[' && s.back() == ']' ? s.substr(1, s.size() - 2) : s;
  if (dns::Address::parse(bare)) {
    *why = mx_detail::invalid_input("mx.invalid-domain.ip", {util::sanitize(s, 60)});
    return std::nullopt;
  }
  std::string error;
  auto name = dns::normalize_domain(s, &error);
  if (!name) *why = mx_detail::InvalidInput{error, error};  // dns's own words
  return name;
}

}  // namespace

std::vector<report::Report> run_mx(const std::vector<std::string>& domains, const MxOptions& options) {
  net::EventLoop loop;
  auto resolvers = make_resolvers(loop, options, false);
  const auto settings = make_settings(options);
  std::vector<std::optional<report::Report>> out(domains.size());
  std::size_t next = 0;
  std::size_t active = 0;
  std::size_t finished = 0;
  std::function<void()> launch = [&] {
    while (active < std::max<std::size_t>(options.concurrency, 1) && next < domains.size()) {
      const std::size_t i = next++;
      mx_detail::InvalidInput why;
      auto name = domain_of(domains[i], &why);
      if (!name) {
        out[i] = mx_detail::invalid_domain_report(domains[i], why);
        ++finished;
        continue;
      }
      ++active;
      mx_detail::DomainCheck::start(loop, resolvers.ptrs, settings, domains[i], std::move(*name),
                                    [&, i](mx_detail::DomainResult d) {
                                      out[i] = mx_detail::build_report(d, settings);
                                      --active;
                                      ++finished;
                                      launch();
                                    });
    }
  };
  launch();
  const auto rounds = static_cast<long>(domains.size() / std::max<std::size_t>(options.concurrency, 1) + 2);
  loop.run_until([&] { return finished == domains.size(); }, loop.now() + rounds * (settings.deadline + std::chrono::seconds(1)));
  std::vector<report::Report> reports;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i]) reports.push_back(std::move(*out[i]));
    else reports.push_back(mx_detail::invalid_domain_report(domains[i], mx_detail::invalid_input("mx.invalid-domain.unfinished")));
    report::parse_data_text(reports.back());  // a tree for the readers of `data` (diagnose)
    if (loop.interrupted()) add_interrupted(reports.back(), "mx", i18n::msg("mx.interrupted.during"));  // Ctrl-C
  }
  return reports;
}

namespace {

/// Lines from a descriptor, read only when wanted: at most one read buffer plus one line held.
class LineSource {
 public:
  explicit LineSource(int fd) : fd_(fd) {}
  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] bool exhausted() const { return eof_ && head_ == buffer_.size(); }

  /// Reads once (the descriptor is readable, so this does not block).
  void fill() {
    char chunk[65536];
    const auto n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      compact();
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      eof_ = true;
    }
  }

  /// The next complete line; nullopt when more input is needed. Over-long lines come back
  /// as a marker the caller reports ("line too long") and are skipped up to their newline.
  std::optional<std::string> next(bool& too_long) {
    too_long = false;
    while (true) {
      const auto nl = buffer_.find('\n', scan_from_);
      if (nl == std::string::npos) {
        if (buffer_.size() - head_ > kMaxLine) {  // keep discarding until the newline arrives
          if (!skipping_) too_long = true;
          skipping_ = true;
          reset();
          if (too_long) return std::string();
        }
        scan_from_ = buffer_.size();
        if (eof_ && head_ < buffer_.size()) {
          std::string last = skipping_ ? std::string() : buffer_.substr(head_);
          reset();
          return last;
        }
        return std::nullopt;
      }
      // Lines are taken from the front by moving head_: erasing each one moved the whole
      // rest of the buffer (up to 64 KiB) per line.
      std::string line = buffer_.substr(head_, nl - head_);
      head_ = scan_from_ = nl + 1;
      if (head_ == buffer_.size()) reset();
      if (skipping_) {
        skipping_ = false;
        continue;
      }
      if (line.size() > kMaxLine) {
        too_long = true;
        return std::string();
      }
      return line;
    }
  }

 private:
  void reset() {
    buffer_.clear();
    head_ = scan_from_ = 0;
  }
  /// Drops the lines already taken (before a read appends).
  void compact() {
    buffer_.erase(0, head_);
    scan_from_ -= head_;
    head_ = 0;
  }

  int fd_;
  std::string buffer_;
  std::size_t head_ = 0;       ///< where the next line starts
  std::size_t scan_from_ = 0;  ///< where the search for its newline resumes (head_ or later)
  bool eof_ = false;
  bool skipping_ = false;
};

}  // namespace

MxBulkSummary run_mx_bulk(int input_fd, std::ostream& out, const MxOptions& options,
                          const std::function<void(const std::string&)>& progress) {
  net::EventLoop loop;
  auto resolvers = make_resolvers(loop, options, true);
  auto settings = make_settings(options);
  settings.tables = false;  // emit() writes the JSON or compact_line(): no tables
  const auto concurrency = std::max<std::size_t>(options.concurrency, 1);
  const auto started = net::Clock::now();
  MxBulkSummary sum;
  LineSource in(input_fd);
  std::size_t active = 0;
  bool watching = false;
  bool stop = false;

  // `source`: the DomainResult or the InvalidInput the report was made from (compact_line reads it).
  const auto emit = [&](const report::Report& r, const auto& source) {
    const auto st = r.status();
    sum.worst = report::worst(sum.worst, st);
    ++sum.by_status[static_cast<std::size_t>(st)];
    ++sum.domains;
    if (options.common.json) report::render_json(out, r, false);
    else out << mx_detail::compact_line(r, source) << '\n';
    if (!out) stop = true;  // stdout closed: finish what is in flight, read no more
  };
  const auto emit_invalid = [&](std::string_view input, const mx_detail::InvalidInput& why) {
    ++sum.invalid;
    emit(mx_detail::invalid_domain_report(input, why), why);
  };

  std::function<void()> launch = [&] {
    while (!stop && active < concurrency) {
      bool too_long = false;
      auto line = in.next(too_long);
      if (!line) {
        if (in.exhausted()) break;
        if (!watching) {
          watching = true;
          loop.watch(in.fd(), true, false, [&](int, bool, bool) {
            in.fill();
            launch();
          });
        }
        return;
      }
      if (too_long) {
        emit_invalid("(line)", mx_detail::invalid_input("mx.invalid-domain.line-too-long"));
        continue;
      }
      const auto t = util::trim(*line);
      if (t.empty() || t.front() == '#') continue;
      mx_detail::InvalidInput why;
      auto name = domain_of(t, &why);
      if (!name) {
        emit_invalid(t, why);
        continue;
      }
      ++active;
      mx_detail::DomainCheck::start(loop, resolvers.ptrs, settings, std::string(t), std::move(*name),
                                    [&](mx_detail::DomainResult d) {
                                      --active;
                                      emit(mx_detail::build_report(d, settings), d);
                                      launch();
                                    });
    }
    if (watching) {  // enough in flight, or the input is done: stop polling stdin
      loop.unwatch(in.fd());
      watching = false;
    }
  };

  std::function<void()> tick = [&] {
    out.flush();
    if (progress) {
      const double secs = std::chrono::duration<double>(net::Clock::now() - started).count();
      progress(i18n::format("mx.bulk.progress",
                            {std::to_string(sum.domains), std::to_string(active),
                             fmt::format("{:.0f}", secs > 0 ? static_cast<double>(sum.domains) / secs : 0.0),
                             std::to_string(sum.by_status[static_cast<std::size_t>(report::Severity::critical)]),
                             std::to_string(sum.by_status[static_cast<std::size_t>(report::Severity::unknown)])}));
    }
    if (!(in.exhausted() || stop) || active > 0) loop.add_timer(std::chrono::milliseconds(200), tick);
  };
  loop.add_timer(std::chrono::milliseconds(200), tick);
  launch();
  loop.run_until([&] { return (in.exhausted() || stop) && active == 0; }, net::Clock::time_point::max());
  out.flush();
  sum.seconds = std::chrono::duration<double>(net::Clock::now() - started).count();
  return sum;
}

}  // namespace maildiag::app
