#include "maildiag/log/story.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace maildiag::log {

namespace {

constexpr std::size_t kMaxSessionLines = 6;
constexpr std::size_t kMaxWatch = 10'000;
constexpr std::size_t kEntryOverhead = 96;

std::size_t entry_bytes(const TimelineEntry& e) {
  return e.time.size() + e.program.size() + e.text.size() + kEntryOverhead;
}

std::size_t delivery_bytes(const Delivery& d) {
  return d.to.size() + d.orig_to.size() + d.relay.size() + d.text.size() + d.agent.size() + d.delays.size() +
         d.time.size() + 4 * kEntryOverhead;
}

/// "postfix/submission/smtpd" -> "submission/smtpd"; "postfix/qmgr" -> "qmgr"; "exim" -> "exim".
std::string_view short_program(std::string_view program) {
  const std::size_t slash = program.find('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

/// The message without its leading queue id ("ID: text" / "ID text").
std::string_view without_id(std::string_view msg, std::string_view id) {
  if (id.empty() || msg.substr(0, id.size()) != id) return msg;
  msg.remove_prefix(id.size());
  if (msg.substr(0, 2) == ": ") msg.remove_prefix(2);
  else if (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
  return msg;
}

std::size_t recipients_in(std::string_view to) {
  return static_cast<std::size_t>(std::count(to.begin(), to.end(), ',')) + 1;
}

void fill(std::string& field, std::string_view v) {
  if (!v.empty()) field.assign(v);
}

}  // namespace

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::delivered: return "delivered";
    case Outcome::bounced: return "bounced";
    case Outcome::deferred: return "deferred";
    case Outcome::expired: return "expired";
    case Outcome::removed: return "removed";
    case Outcome::rejected: return "rejected";
    case Outcome::aborted: return "aborted";
    case Outcome::held: return "held";
    case Outcome::in_progress: return "in-progress";
  }
  return "in-progress";
}

std::vector<const Delivery*> Story::final_attempts() const {
  std::vector<const Delivery*> out;
  for (const auto& d : deliveries) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Delivery* p) { return p->to == d.to; });
    if (it == out.end()) out.push_back(&d);
    else *it = &d;
  }
  return out;
}

std::optional<DelayBreakdown> parse_delays(std::string_view delays) {
  double parts[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  std::size_t pos = 0;
  while (i < 4) {
    const std::size_t slash = delays.find('/', pos);
    const std::string_view p = delays.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (p.empty() || p.size() > 16) return std::nullopt;
    char buf[24];
    std::copy(p.begin(), p.end(), buf);
    buf[p.size()] = '\0';
    char* end = nullptr;
    parts[i] = std::strtod(buf, &end);
    if (end != buf + p.size() || parts[i] < 0) return std::nullopt;
    ++i;
    if (slash == std::string_view::npos) break;
    if (i == 4) return std::nullopt;  // a fifth part
    pos = slash + 1;
  }
  if (i != 4) return std::nullopt;
  return DelayBreakdown{parts[0], parts[1], parts[2], parts[3]};
}

std::string explain_delays(const DelayBreakdown& d) {
  const double total = d.before_qmgr + d.in_qmgr + d.connection_setup + d.transmission;
  const double biggest = std::max({d.before_qmgr, d.in_qmgr, d.connection_setup, d.transmission});
  const char* why = "log.delays.why.none";  // under a second in total
  if (total >= 1.0) {
    if (biggest == d.before_qmgr) why = "log.delays.why.before-qmgr";
    else if (biggest == d.in_qmgr) why = "log.delays.why.in-qmgr";
    else if (biggest == d.connection_setup) why = "log.delays.why.connection";
    else why = "log.delays.why.transmission";
  }
  auto secs = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, v >= 10 ? "%.0fs" : "%.2gs", v);
    return std::string(b);
  };
  // The sentences come from the catalog (log_en.cpp / log_zh.cpp): this runs once per finding.
  return i18n::format("log.delays.breakdown", {secs(d.before_qmgr), secs(d.in_qmgr), secs(d.connection_setup),
                                               secs(d.transmission), std::string(i18n::msg(why))});
}

Outcome derive_outcome(const Story& s) {
  if (s.expired) return Outcome::expired;
  if (s.removed_by_admin) return Outcome::removed;
  bool sent = false;
  bool bounced = false;
  bool deferred = false;
  for (const Delivery* d : s.final_attempts()) {
    sent = sent || d->status == DeliveryStatus::sent;
    bounced = bounced || d->status == DeliveryStatus::bounced || d->status == DeliveryStatus::expired;
    deferred = deferred || d->status == DeliveryStatus::deferred;
  }
  if (bounced) return Outcome::bounced;
  if (deferred) return Outcome::deferred;
  if (s.held) return Outcome::held;
  if (sent) return Outcome::delivered;
  if (!s.queued && !s.rejects.empty()) return Outcome::rejected;
  if (s.completed) return Outcome::removed;
  return Outcome::in_progress;
}

Tracker::Tracker(TrackerLimits limits) : limits_(limits) {}

void Tracker::watch_only(const std::vector<std::string>& ids) {
  watch_all_ = ids.empty();
  watch_.insert(ids.begin(), ids.end());
}

bool Tracker::watched(std::string_view id) const { return watch_all_ || watch_.find(id) != watch_.end(); }

std::string Tracker::session_key(const SyslogLine& line) const {
  std::string k;
  k.reserve(line.host.size() + line.program.size() + line.pid.size() + 2);
  k.append(line.host).append(1, '|').append(line.program).append(1, '|').append(line.pid);
  return k;
}

TimelineEntry Tracker::entry(const SyslogLine& line, std::string_view text) const {
  return TimelineEntry{std::string(line.time_text), std::string(short_program(line.program)),
                       util::sanitize(text, limits_.max_line)};
}

void Tracker::add_timeline(Story& s, const SyslogLine& line, const Event& ev) {
  if (s.timeline.size() >= limits_.max_timeline) {
    ++s.timeline_dropped;
    return;
  }
  s.timeline.push_back(entry(line, without_id(line.message, ev.queue_id)));
  s.bytes += entry_bytes(s.timeline.back());
  bytes_ += entry_bytes(s.timeline.back());
}

void Tracker::link(Story& s, std::string_view other, bool child) {
  if (other.empty()) return;
  auto& list = child ? s.children : s.next_hops;
  if (std::find(list.begin(), list.end(), other) == list.end() && list.size() < 64) list.emplace_back(other);
  const std::string id(other);
  if (child && parent_of_.size() < kMaxWatch) parent_of_[id] = s.queue_id;
  if (child) {
    if (auto it = stories_.find(id); it != stories_.end()) it->second.story.parent_id = s.queue_id;
  }
  if (!watch_all_ && watch_.size() < kMaxWatch && watched(s.queue_id) && watch_.insert(id).second)
    pending_replay_.push_back(id);
}

void Tracker::remember(const SyslogLine& line, const Event& ev, std::int64_t epoch) {
  constexpr std::size_t kRecent = 256;
  if (recent_.size() >= kRecent) recent_.pop_front();
  // Copies: the views of line and ev point into the caller's buffer.
  recent_.push_back(Recent{std::string(ev.queue_id), std::string(line.time_text), std::string(line.host),
                           std::string(line.program), std::string(line.pid),
                           std::string(line.message.substr(0, limits_.max_line * 4)), epoch});
}

void Tracker::replay(const std::string& id, std::vector<Story>& out) {
  std::vector<Recent> mine;
  for (auto it = recent_.begin(); it != recent_.end();) {
    if (it->id == id) {
      mine.push_back(std::move(*it));
      it = recent_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& r : mine) {
    SyslogLine l;
    l.time_text = r.time;
    l.host = r.host;
    l.program = r.program;
    l.pid = r.pid;
    l.message = r.message;
    Event ev;
    if (parse_event(l, ev)) feed_one(l, ev, r.epoch, out);
  }
}

Story* Tracker::story_for(const SyslogLine& line, const Event& ev, std::int64_t epoch, std::vector<Story>& out) {
  if (auto it = stories_.find(ev.queue_id); it != stories_.end()) return &it->second.story;
  const bool child_of_watched = ev.kind == EventKind::received && !ev.related.empty() && watched(ev.related);
  if (!watched(ev.queue_id) && !child_of_watched) return nullptr;
  const std::string key(ev.queue_id);
  if (child_of_watched && !watch_all_ && watch_.size() < kMaxWatch) watch_.insert(key);
  Open o;
  o.seq = ++seq_;
  Story& s = o.story;
  s.source = ev.source;
  s.queue_id = key;
  s.host.assign(line.host);
  s.first_time.assign(line.time_text);
  s.first_epoch = epoch;
  s.bytes = sizeof(Story) + key.size() + s.host.size() + s.first_time.size();
  if (auto p = parent_of_.find(key); p != parent_of_.end()) {
    s.parent_id = p->second;
    parent_of_.erase(p);
  }
  if (ev.source == Source::postfix && ev.kind == EventKind::received) {
    if (auto si = sessions_.find(session_key(line)); si != sessions_.end()) {
      Session& ses = si->second;
      s.tls_level = ses.tls_level;
      s.tls_detail = ses.tls_detail;
      for (const auto& e : ses.lines) {
        if (s.timeline.size() >= limits_.max_timeline) {  // F6: the cap holds for session lines too
          ++s.timeline_dropped;
          continue;
        }
        s.timeline.push_back(e);
        s.bytes += entry_bytes(e);
      }
      if (ses.ids.size() < 64) ses.ids.push_back(key);
    }
  }
  bytes_ += s.bytes;
  order_.emplace_back(key, o.seq);
  auto [it, inserted] = stories_.emplace(key, std::move(o));
  (void)inserted;
  evict_if_needed(out);
  // Eviction never removes the story just created (it is the newest).
  return &stories_.find(key)->second.story;
}

void Tracker::apply(Story& s, const SyslogLine& line, const Event& ev, std::int64_t epoch) {
  s.last_time.assign(line.time_text);
  s.last_epoch = epoch;
  add_timeline(s, line, ev);
  const std::size_t before = s.client.size() + s.from.size() + s.message_id.size() + s.sasl_username.size();
  if (ev.kind == EventKind::received) {
    fill(s.client, ev.client);
    fill(s.sasl_method, ev.stage);
    fill(s.sasl_username, ev.user);
    if (!ev.related.empty()) s.parent_id.assign(ev.related);
    if (!ev.detail.empty() && ev.source == Source::exim) {
      s.tls_level = "TLS";
      s.tls_detail.assign(ev.detail);
    }
    if (ev.source != Source::postfix) s.queued = true;
  }
  fill(s.from, ev.from);
  fill(s.size, ev.size);
  fill(s.nrcpt, ev.nrcpt);
  if (!ev.message_id.empty() && s.message_id.empty()) {
    s.message_id.assign(ev.message_id);
    if (by_message_id_.size() < limits_.max_open) by_message_id_.emplace(s.message_id, s.queue_id);
  }
  switch (ev.kind) {
    case EventKind::message_id:
    case EventKind::queued: s.queued = true; break;
    case EventKind::delivery: {
      s.queued = true;
      if (s.deliveries.size() >= limits_.max_deliveries) {
        ++s.deliveries_dropped;
        break;
      }
      Delivery d;
      d.time.assign(line.time_text);
      d.epoch = epoch;
      d.agent.assign(ev.source == Source::postfix ? short_program(line.program) : ev.detail);
      d.to.assign(ev.to);
      d.orig_to.assign(ev.orig_to);
      d.relay.assign(ev.relay);
      d.delay.assign(ev.delay);
      d.delays.assign(ev.delays);
      d.dsn.assign(ev.dsn);
      d.status = ev.status;
      d.text = util::sanitize(ev.text, limits_.max_line);
      d.next_hop_id.assign(ev.related);
      s.bytes += delivery_bytes(d);
      bytes_ += delivery_bytes(d);
      s.deliveries.push_back(std::move(d));
      link(s, ev.related, false);
      break;
    }
    case EventKind::reject: {
      Reject r{std::string(line.time_text), std::string(ev.stage), std::string(ev.client), std::string(ev.from),
               std::string(ev.to), util::sanitize(ev.text, limits_.max_line)};
      if (s.rejects.size() < limits_.max_deliveries) s.rejects.push_back(std::move(r));
      break;
    }
    case EventKind::ndr: link(s, ev.related, true); break;
    case EventKind::expired: s.expired = true; break;
    case EventKind::held: s.held = true; break;
    case EventKind::released: s.held = false; break;
    case EventKind::removed:
      if (!ev.stage.empty()) s.removed_by_admin = true;
      break;
    default: break;
  }
  const std::size_t after = s.client.size() + s.from.size() + s.message_id.size() + s.sasl_username.size();
  if (after > before) {
    s.bytes += after - before;
    bytes_ += after - before;
  }
}

void Tracker::session_event(const SyslogLine& line, const Event& ev, std::vector<Story>& out) {
  if (ev.kind == EventKind::reject) {
    // NOQUEUE reject: a story of its own (for --to and for every-story listings).
    if (!watch_all_) return;
    Story s;
    s.source = ev.source;
    s.host.assign(line.host);
    s.first_time.assign(line.time_text);
    s.last_time = s.first_time;
    s.client.assign(ev.client);
    s.from.assign(ev.from);
    if (auto si = sessions_.find(session_key(line)); si != sessions_.end()) {
      for (const auto& e : si->second.lines) {  // F6: within max_timeline
        if (s.timeline.size() < limits_.max_timeline) s.timeline.push_back(e);
        else ++s.timeline_dropped;
      }
      s.tls_level = si->second.tls_level;
      s.tls_detail = si->second.tls_detail;
    }
    if (s.timeline.size() < limits_.max_timeline) s.timeline.push_back(entry(line, line.message));
    else ++s.timeline_dropped;
    s.rejects.push_back(Reject{std::string(line.time_text), std::string(ev.stage), std::string(ev.client),
                               std::string(ev.from), std::string(ev.to), util::sanitize(ev.text, limits_.max_line)});
    s.completed = true;
    s.outcome = Outcome::rejected;
    out.push_back(std::move(s));
    return;
  }
  if (ev.source != Source::postfix) return;
  const std::string key = session_key(line);
  if (ev.kind == EventKind::connect) {
    Session ses;
    ses.client.assign(ev.client);
    ses.seq = ++seq_;
    ses.lines.push_back(entry(line, line.message));
    session_order_.emplace_back(key, ses.seq);
    sessions_[key] = std::move(ses);
    while (sessions_.size() > limits_.max_sessions && !session_order_.empty()) {
      auto [k, seq] = session_order_.front();
      session_order_.pop_front();
      if (auto it = sessions_.find(k); it != sessions_.end() && it->second.seq == seq) sessions_.erase(it);
    }
    if (session_order_.size() > 2 * limits_.max_sessions + 1024) {
      std::erase_if(session_order_, [&](const auto& p) {
        auto it = sessions_.find(p.first);
        return it == sessions_.end() || it->second.seq != p.second;
      });
    }
    return;
  }
  auto si = sessions_.find(key);
  if (si == sessions_.end()) return;
  Session& ses = si->second;
  if (ev.kind == EventKind::disconnect) {
    for (const auto& id : ses.ids) {
      auto it = stories_.find(id);
      if (it == stories_.end()) continue;
      Story& s = it->second.story;
      add_timeline(s, line, ev);
      if (!s.queued) close(id, s.rejects.empty() ? Outcome::aborted : Outcome::rejected, true, out);
    }
    sessions_.erase(si);
    return;
  }
  if (ev.kind == EventKind::tls && !ev.client.empty()) {
    ses.tls_level.assign(ev.stage);
    ses.tls_detail = util::sanitize(ev.detail, 300);
  }
  if ((ev.kind == EventKind::tls || ev.kind == EventKind::auth_failed || ev.kind == EventKind::tls_failed) &&
      ses.lines.size() < kMaxSessionLines) {
    ses.lines.push_back(entry(line, line.message));
  }
}

void Tracker::feed(const SyslogLine& line, const Event& ev, std::int64_t epoch, std::vector<Story>& out) {
  feed_one(line, ev, epoch, out);
  // Ids that became watched during this line: their earlier lines, then theirs in turn.
  while (!pending_replay_.empty()) {
    const auto ids = std::move(pending_replay_);
    pending_replay_.clear();
    for (const auto& id : ids) replay(id, out);
  }
}

void Tracker::feed_one(const SyslogLine& line, const Event& ev, std::int64_t epoch, std::vector<Story>& out) {
  if (ev.kind == EventKind::none) return;
  if (ev.source == Source::dovecot) {
    // Dovecot's final delivery (LMTP/LDA) joins the story through the Message-ID.
    if (ev.kind != EventKind::delivery || ev.message_id.empty()) return;
    auto m = by_message_id_.find(ev.message_id);
    if (m == by_message_id_.end()) return;
    auto it = stories_.find(m->second);
    if (it != stories_.end()) add_timeline(it->second.story, line, ev);
    return;
  }
  if (ev.queue_id.empty()) {
    session_event(line, ev, out);
    return;
  }
  Story* s = story_for(line, ev, epoch, out);
  if (s == nullptr) {
    // A bounce's first lines (cleanup, qmgr) come before the line that names it.
    if (!watch_all_ && ev.source == Source::postfix &&
        (ev.kind == EventKind::message_id || ev.kind == EventKind::queued || ev.kind == EventKind::received))
      remember(line, ev, epoch);
    return;
  }
  apply(*s, line, ev, epoch);
  const std::string key = s->queue_id;
  if (ev.kind == EventKind::removed) {
    s->completed = true;
    close(key, derive_outcome(*s), true, out);
    return;
  }
  if (ev.source == Source::sendmail && ev.kind == EventKind::delivery && !s->nrcpt.empty()) {
    std::size_t finals = 0;
    for (const Delivery* d : s->final_attempts()) {
      if (d->status == DeliveryStatus::sent || d->status == DeliveryStatus::bounced) finals += recipients_in(d->to);
    }
    const auto n = util::parse_uint(s->nrcpt);
    if (n && finals >= *n) {
      s->completed = true;
      close(key, derive_outcome(*s), true, out);
      return;
    }
  }
  if (report_deferrals_ && ev.kind == EventKind::delivery && ev.status == DeliveryStatus::deferred) {
    Story snap = *s;
    snap.completed = false;
    snap.outcome = Outcome::deferred;
    out.push_back(std::move(snap));
  }
  evict_if_needed(out);
}

void Tracker::close(const std::string& key, Outcome outcome, bool completed, std::vector<Story>& out) {
  auto it = stories_.find(key);
  if (it == stories_.end()) return;
  Story s = std::move(it->second.story);
  stories_.erase(it);
  bytes_ -= std::min(bytes_, s.bytes);
  if (!s.message_id.empty()) {
    if (auto m = by_message_id_.find(s.message_id); m != by_message_id_.end() && m->second == s.queue_id)
      by_message_id_.erase(m);
  }
  s.completed = completed;
  s.outcome = outcome;
  for (const Delivery* d : s.final_attempts()) {
    if (d->status == DeliveryStatus::sent && outcome == Outcome::bounced) s.mixed = true;
  }
  out.push_back(std::move(s));
  if (order_.size() > 2 * stories_.size() + 1024) {
    std::erase_if(order_, [&](const auto& p) {
      auto f = stories_.find(p.first);
      return f == stories_.end() || f->second.seq != p.second;
    });
  }
}

void Tracker::evict_if_needed(std::vector<Story>& out) {
  while ((stories_.size() > limits_.max_open || bytes_ > limits_.max_bytes) && stories_.size() > 1 &&
         !order_.empty()) {
    auto [key, seq] = order_.front();
    order_.pop_front();
    auto it = stories_.find(key);
    if (it == stories_.end() || it->second.seq != seq) continue;
    it->second.story.evicted = true;
    ++evicted_;
    close(key, derive_outcome(it->second.story), false, out);
  }
}

void Tracker::finish(std::vector<Story>& out) {
  while (!order_.empty()) {
    auto [key, seq] = order_.front();
    order_.pop_front();
    auto it = stories_.find(key);
    if (it == stories_.end() || it->second.seq != seq) continue;
    close(key, derive_outcome(it->second.story), false, out);
  }
  sessions_.clear();
  session_order_.clear();
}

}  // namespace maildiag::log
