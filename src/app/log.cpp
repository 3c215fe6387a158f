// `maildiag log`: reads the inputs once, streaming, and either tells the stories of the messages
// asked for (--id, --message-id, --to, --all) as they complete, or summarises the log.

#include "maildiag/app/log.hpp"

#include "log_input.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <chrono>
#include <ctime>
#include <thread>
#include <unordered_set>

namespace maildiag::app {

namespace {

using logio::clock_context;

/// "2h" (that long ago), "2026-11-23", "2026-11-23 10:00[:00]" (local time unless it has an offset).
std::optional<std::int64_t> parse_when(const std::string& s, const log::TimeContext& ctx) {
  if (auto d = log::parse_duration(s)) return ctx.now - *d;
  std::size_t used = 0;
  auto t = log::parse_iso_time(s, &used, true);
  if (!t || used != s.size()) return std::nullopt;
  return log::to_epoch(*t, ctx);
}

std::string strip_angle(std::string_view s) {
  s = util::trim(s);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

/// Which stories the user asked for: any listed id, message-id or recipient (kinds are ANDed),
/// plus the bounces and next hops of a story that matched.
class Matcher {
 public:
  explicit Matcher(const LogOptions& o) {
    for (const auto& i : o.ids) ids_.insert(std::string(util::trim(i)));
    for (const auto& m : o.message_ids) message_ids_.insert(strip_angle(m));
    for (const auto& t : o.to) to_.push_back(util::to_lower(strip_angle(t)));
  }
  [[nodiscard]] bool filtering() const { return !ids_.empty() || !message_ids_.empty() || !to_.empty(); }
  [[nodiscard]] bool ids_only() const { return !ids_.empty() && message_ids_.empty() && to_.empty(); }

  bool matches(const log::Story& s) {
    bool ok = related_.count(s.queue_id) != 0 || (!s.parent_id.empty() && related_.count(s.parent_id) != 0);
    if (!ok) {
      ok = (ids_.empty() || ids_.count(s.queue_id) != 0) &&
           (message_ids_.empty() || message_ids_.count(strip_angle(s.message_id)) != 0) && (to_.empty() || to_match(s));
    }
    if (ok && related_.size() < 10'000) {
      for (const auto& c : s.children) related_.insert(c);
      for (const auto& n : s.next_hops) related_.insert(n);
    }
    return ok;
  }

 private:
  [[nodiscard]] bool address_match(std::string_view addr) const {
    const std::string a = util::to_lower(addr);
    for (const auto& t : to_) {
      if (t.front() == '@' ? a.size() > t.size() && a.compare(a.size() - t.size(), t.size(), t) == 0 : a == t) return true;
    }
    return false;
  }
  [[nodiscard]] bool to_match(const log::Story& s) const {
    for (const auto& d : s.deliveries) {
      if (address_match(d.to) || address_match(d.orig_to)) return true;
    }
    for (const auto& r : s.rejects) {
      if (address_match(r.to)) return true;
    }
    return false;
  }

  std::unordered_set<std::string> ids_;
  std::unordered_set<std::string> message_ids_;
  std::vector<std::string> to_;
  std::unordered_set<std::string> related_;
};

class Runner {
 public:
  Runner(const LogOptions& o, const ReportSink& emit, const log::TimeContext& ctx)
      : o_(o), emit_(emit), ctx_(ctx), matcher_(o), tracker_(limits(o)) {
    if (matcher_.ids_only()) tracker_.watch_only(o.ids);
    if (o.follow) tracker_.report_deferrals(true);
    pending_ids_.insert(o.ids.begin(), o.ids.end());
  }

  bool set_window(std::string* error) {
    if (!o_.since.empty() && !(since_ = parse_when(o_.since, ctx_))) {
      *error = i18n::format("log.error.bad-when", {"--since", util::sanitize(o_.since, 40)});
      return false;
    }
    if (!o_.until.empty() && !(until_ = parse_when(o_.until, ctx_))) {
      *error = i18n::format("log.error.bad-when", {"--until", util::sanitize(o_.until, 40)});
      return false;
    }
    return true;
  }

  void line(std::string_view text) {
    const auto l = log::parse_syslog(text);
    if (!l) {
      if (o_.summary) summary_.add_unparsed();
      return;
    }
    const std::int64_t epoch = log::to_epoch(l->time, ctx_);
    if ((since_ && epoch < *since_) || (until_ && epoch > *until_)) return;
    log::Event ev;
    log::parse_event(*l, ev);
    if (o_.summary) {
      summary_.add(*l, ev, epoch);
      return;
    }
    if (ev.kind == log::EventKind::none) return;
    tracker_.feed(*l, ev, epoch, done_);
    if (!done_.empty()) flush();
  }

  /// End of the inputs: open stories are told as they stand; nothing found is said so.
  void finish(const std::string& target) {
    if (o_.summary) {
      emit_(summary_report(summary_.result(o_.top), target));
      return;
    }
    finishing_ = true;
    if (matcher_.filtering() || !o_.follow) {
      tracker_.finish(done_);
      flush();
    }
    if (matcher_.filtering() && matched_ == 0) emit_(not_found(target));
    if (tracker_.evicted() > 0) {
      report::Report r;
      r.command = "log";
      r.target = target;
      r.add(report::Severity::warning, "log.evicted",
            i18n::format("log.evicted.title", {std::to_string(tracker_.evicted())}),
            i18n::format("log.evicted.detail", {std::to_string(o_.max_open)}), "",
            std::string(i18n::msg("log.evicted.fix")));
      emit_(r);
    }
  }

  /// Follow mode with --id: every requested id has finished.
  [[nodiscard]] bool all_ids_done() const { return matcher_.ids_only() && pending_ids_.empty(); }

 private:
  static log::TrackerLimits limits(const LogOptions& o) {
    log::TrackerLimits l;
    l.max_open = std::max<std::size_t>(1, o.max_open);
    return l;
  }

  void flush() {
    for (auto& s : done_) {
      if (matcher_.filtering() ? !matcher_.matches(s) : !o_.all && !o_.follow) continue;
      ++matched_;
      if (s.completed) pending_ids_.erase(s.queue_id);
      const bool progress = o_.follow && !finishing_ && !s.completed && !s.evicted;
      emit_(story_report(s, o_.timeline, progress));
    }
    done_.clear();
  }

  [[nodiscard]] report::Report not_found(const std::string& target) const {
    report::Report r;
    r.command = "log";
    r.target = target;
    const std::string_view sep = i18n::msg("log.list.separator");
    std::string what;
    const auto item = [&](const char* id, const std::string& v) {
      what += (what.empty() ? "" : std::string(sep)) + i18n::format(id, {v});
    };
    for (const auto& i : o_.ids) item("log.not-found.queue-id", i);
    for (const auto& m : o_.message_ids) item("log.not-found.message-id", m);
    for (const auto& t : o_.to) item("log.not-found.recipient", t);
    r.add(report::Severity::unknown, "log.not-found", i18n::format("log.not-found.title", {util::sanitize(what, 300)}),
          i18n::format(since_ || until_ ? "log.not-found.detail.window" : "log.not-found.detail", {target}), "",
          std::string(i18n::msg("log.not-found.fix")));
    return r;
  }

  const LogOptions& o_;
  const ReportSink& emit_;
  log::TimeContext ctx_;
  Matcher matcher_;
  log::Tracker tracker_;
  log::SummaryBuilder summary_;
  std::vector<log::Story> done_;
  std::optional<std::int64_t> since_;
  std::optional<std::int64_t> until_;
  std::size_t matched_ = 0;
  bool finishing_ = false;
  std::unordered_set<std::string> pending_ids_;
};

bool follow(const LogOptions& o, Runner& run, const std::string& path, std::string* error) {
  // With a filter (or --since) the file is read from its start so earlier lines of the message count.
  const bool from_start = !o.ids.empty() || !o.message_ids.empty() || !o.to.empty() || !o.since.empty();
  auto f = logio::Follower::open(path, from_start, error);
  if (!f) return false;
  const auto start = std::chrono::steady_clock::now();
  const logio::LineFn fn = [&run](std::string_view l) { run.line(l); };
  for (;;) {
    f->poll(fn);
    if (run.all_ids_done()) break;
    if (o.follow_for && std::chrono::steady_clock::now() - start >= *o.follow_for) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

}  // namespace

bool run_log(const LogOptions& opts, const CommonOptions& /*common*/, const ReportSink& emit, std::string* error) {
  LogOptions o = opts;
  if (o.files.empty()) {
    const std::string def = logio::default_log();
    if (def.empty()) {
      *error = i18n::msg("log.error.no-default-log");
      return false;
    }
    o.files.push_back(def);
  }
  o.files = logio::order_rotations(o.files);
  if (o.summary && o.follow) {
    *error = i18n::msg("log.error.summary-follow");
    return false;
  }
  if (o.follow && o.files.size() != 1) {
    *error = i18n::msg("log.error.follow-one");
    return false;
  }
  std::string target;
  for (const auto& f : o.files) target += (target.empty() ? "" : " ") + (f == "-" ? std::string("stdin") : f);
  Runner run(o, emit, clock_context());
  if (!run.set_window(error)) return false;
  if (o.follow && o.files.front() != "-") {
    if (!follow(o, run, o.files.front(), error)) return false;
  } else {
    const logio::LineFn fn = [&run](std::string_view l) { run.line(l); };
    for (const auto& f : o.files) {
      logio::InputStats stats;
      if (!logio::read_lines(f, fn, stats, error)) return false;
    }
  }
  run.finish(target);
  return true;
}

}  // namespace maildiag::app
