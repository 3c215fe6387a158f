#include "maildiag/log/summary.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/codes/enhanced.hpp"

#include <algorithm>
#include <cstdlib>

namespace maildiag::log {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

/// Seconds of a Postfix "delay=0.52"; nullopt for anything else (Sendmail "00:00:02" too).
std::optional<double> seconds_of(std::string_view delay) {
  if (delay.empty() || delay.size() > 15) return std::nullopt;
  char buf[16];
  std::copy(delay.begin(), delay.end(), buf);
  buf[delay.size()] = '\0';
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (end != buf + delay.size() || v < 0) return std::nullopt;
  return v;
}

/// OpenSSL's "error:0A000415:SSL routines::sslv3 alert certificate expired:../ssl/x.c:1602:..." -> the reason field.
std::string_view openssl_reason(std::string_view text) {
  if (text.substr(0, 6) != "error:") return text;
  std::size_t pos = 0;
  for (int field = 0; field < 4; ++field) {
    pos = text.find(':', pos);
    if (pos == std::string_view::npos) return text;
    ++pos;
  }
  const std::size_t end = text.find(':', pos);
  const std::string_view r = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  return r.empty() ? text : r;
}

template <class Map>
std::vector<KeyCount> top_of(const Map& m, std::size_t top) {
  std::vector<KeyCount> v;
  v.reserve(m.size());
  for (const auto& [k, kc] : m) v.push_back(kc);
  std::sort(v.begin(), v.end(), [](const KeyCount& a, const KeyCount& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  if (v.size() > top) v.resize(top);
  return v;
}

}  // namespace

std::size_t SummaryBuilder::CiHash::operator()(std::string_view s) const noexcept {
  std::size_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(lower(c))) * 1099511628211ULL;
  return h;
}

bool SummaryBuilder::CiEq::operator()(std::string_view a, std::string_view b) const noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string normalize_reason(std::string_view text, std::size_t max_len) {
  std::string out;
  out.reserve(std::min(text.size(), max_len));
  for (std::size_t i = 0; i < text.size() && out.size() < max_len; ++i) {
    const char c = text[i];
    const char close = c == '<' ? '>' : c == '[' ? ']' : '\0';
    if (close != '\0') {
      const std::size_t e = text.find(close, i + 1);
      if (e != std::string_view::npos && e - i < 300) {
        out += c;
        out += close;
        i = e;
        continue;
      }
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

SummaryBuilder::SummaryBuilder(SummaryLimits limits) : limits_(limits) {}

codes::Reason SummaryBuilder::classify(std::string_view text, std::string_view dsn, const std::string& normalized) {
  std::string key = normalized;
  key.append(1, '|').append(dsn);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  const auto c = classify_reason(text, dsn);
  if (cache_.size() < limits_.max_cached) cache_.emplace(std::move(key), c.reason);
  return c.reason;
}

SummaryBuilder::DomainEntry& SummaryBuilder::domain(std::string_view address) {
  std::string_view d = domain_of(address);
  if (d.empty()) d = "(local)";
  if (auto it = domains_.find(d); it != domains_.end()) return it->second;
  if (domains_.size() >= limits_.max_domains) {
    ++s_.overflow_keys;
    d = "(other domains)";
    if (auto it = domains_.find(d); it != domains_.end()) return it->second;
  }
  std::string key(d);
  for (char& c : key) c = lower(c);
  return domains_[std::move(key)];
}

void SummaryBuilder::count_text(TextMap& map, const std::string& key, codes::Reason reason) {
  auto it = map.find(key);
  if (it == map.end()) {
    if (map.size() >= limits_.max_texts) {
      ++s_.overflow_keys;
      it = map.try_emplace("(other)", KeyCount{"(other)", 0, codes::Reason::other}).first;
    } else {
      it = map.emplace(key, KeyCount{key, 0, reason}).first;
    }
  }
  ++it->second.count;
}

void SummaryBuilder::count_key(TextMap& map, std::string_view key) {
  if (key.empty()) return;
  count_text(map, normalize_reason(key, 120), codes::Reason::other);
}

void SummaryBuilder::failure(const Event& ev, TextMap& table, bool rejected) {
  const std::string norm = normalize_reason(ev.text);
  const codes::Reason reason = classify(ev.text, ev.dsn, norm);
  count_text(table, norm, reason);
  auto& rc = reasons_[static_cast<int>(reason)];
  rc.reason = reason;
  if (rejected) ++rc.rejected;
  else if (ev.status == DeliveryStatus::deferred) ++rc.deferred;
  else ++rc.bounced;
  if (!rejected || !ev.to.empty()) ++domain(ev.to).reasons[static_cast<int>(reason)];
}

void SummaryBuilder::add(const SyslogLine& line, const Event& ev, std::int64_t epoch) {
  ++s_.lines;
  if (s_.first_time.empty()) {
    s_.first_time.assign(line.time_text);
    s_.first_epoch = epoch;
  }
  if (epoch >= s_.last_epoch) {
    s_.last_time.assign(line.time_text);
    s_.last_epoch = epoch;
  }
  if (ev.kind == EventKind::none) return;
  ++s_.mail_lines;
  switch (ev.kind) {
    case EventKind::received:
      if (ev.source != Source::postfix) ++s_.received;
      break;
    case EventKind::message_id:
      if (ev.source == Source::postfix) ++s_.received;
      break;
    case EventKind::delivery: {
      if (ev.source == Source::dovecot) break;  // the MTA's own line counts that delivery
      if (ev.status == DeliveryStatus::sent) {
        ++s_.sent;
        Counts& c = domain(ev.to).counts;
        ++c.sent;
        if (auto d = seconds_of(ev.delay)) {
          c.delay_sum += *d;
          c.delay_max = std::max(c.delay_max, *d);
          ++c.delay_n;
        }
      } else if (ev.status == DeliveryStatus::deferred) {
        ++s_.deferred;
        ++domain(ev.to).counts.deferred;
        failure(ev, deferrals_, false);
      } else if (ev.status == DeliveryStatus::bounced || ev.status == DeliveryStatus::expired) {
        ++s_.bounced;
        ++(ev.status == DeliveryStatus::bounced ? domain(ev.to).counts.bounced : domain(ev.to).counts.expired);
        failure(ev, bounces_, false);
      }
      break;
    }
    case EventKind::reject:
      ++s_.rejected;
      if (!ev.to.empty()) ++domain(ev.to).counts.rejected;
      failure(ev, rejects_, true);
      break;
    case EventKind::expired: ++s_.expired; break;
    case EventKind::held: ++s_.held; break;
    case EventKind::login: ++s_.logins; break;
    case EventKind::auth_failed:
      if (ev.stage == "backend") break;  // the login process's own line counts that failure
      ++s_.auth_failures;
      count_key(auth_clients_, client_address(ev.client));
      count_key(auth_users_, ev.user);
      break;
    case EventKind::tls_failed:
      if (ev.stage == "library") {
        count_key(tls_, openssl_reason(ev.text));  // the reason of the failure counted just before
        break;
      }
      ++s_.tls_failures;
      if (ev.source != Source::postfix) count_key(tls_, openssl_reason(ev.text));
      break;
    default: break;
  }
}

Summary SummaryBuilder::result(std::size_t top) const {
  Summary out = s_;
  for (const auto& [name, e] : domains_) {
    Counts c = e.counts;
    for (const auto& [r, n] : e.reasons) {
      if (n > c.top_reason_count) {
        c.top_reason_count = n;
        c.top_reason = static_cast<codes::Reason>(r);
      }
    }
    out.domains.emplace_back(name, c);
  }
  auto total = [](const Counts& c) { return c.sent + c.deferred + c.bounced + c.expired + c.rejected; };
  std::sort(out.domains.begin(), out.domains.end(), [&](const auto& a, const auto& b) {
    return total(a.second) != total(b.second) ? total(a.second) > total(b.second) : a.first < b.first;
  });
  if (out.domains.size() > top) out.domains.resize(top);
  for (const auto& [r, rc] : reasons_) out.reasons.push_back(rc);
  std::sort(out.reasons.begin(), out.reasons.end(), [](const ReasonCounts& a, const ReasonCounts& b) {
    const auto ta = a.deferred + a.bounced + a.rejected;
    const auto tb = b.deferred + b.bounced + b.rejected;
    return ta != tb ? ta > tb : codes::to_string(a.reason) < codes::to_string(b.reason);
  });
  out.rejects = top_of(rejects_, top);
  out.deferrals = top_of(deferrals_, top);
  out.bounces = top_of(bounces_, top);
  out.auth_clients = top_of(auth_clients_, top);
  out.auth_users = top_of(auth_users_, top);
  out.tls_reasons = top_of(tls_, top);
  return out;
}

}  // namespace maildiag::log
