#include "maildiag/log/queue.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/util/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace maildiag::log {

namespace {

std::string string_field(const nlohmann::json& j, const char* key, std::size_t max) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return util::sanitize(it->get_ref<const std::string&>(), max);
}

void add_error(QueueListing& out, const QueueLimits& limits, std::string msg) {
  if (out.errors.size() < limits.max_errors) out.errors.push_back(std::move(msg));
}

std::optional<QueuedMessage> from_json(const nlohmann::json& j, const QueueLimits& limits) {
  if (!j.is_object()) return std::nullopt;
  QueuedMessage m;
  m.mta = Source::postfix;
  m.queue_name = string_field(j, "queue_name", 32);
  m.id = string_field(j, "queue_id", 40);
  if (m.id.empty()) return std::nullopt;
  m.sender = string_field(j, "sender", 512);
  if (auto a = j.find("arrival_time"); a != j.end() && a->is_number_integer()) m.arrival = a->get<std::int64_t>();
  if (auto s = j.find("message_size"); s != j.end() && s->is_number_unsigned()) m.size = s->get<std::uint64_t>();
  if (auto f = j.find("forced_expire"); f != j.end() && f->is_boolean()) m.forced_expire = f->get<bool>();
  if (auto r = j.find("recipients"); r != j.end() && r->is_array()) {
    for (const auto& rc : *r) {
      if (m.recipients.size() >= limits.max_recipients) break;
      if (!rc.is_object()) continue;
      QueuedRecipient q;
      q.address = string_field(rc, "address", 512);
      q.reason = string_field(rc, "delay_reason", limits.max_reason);
      m.recipients.push_back(std::move(q));
    }
  }
  return m;
}

}  // namespace

std::int64_t QueuedMessage::age_at(std::int64_t now) const {
  if (age) return *age;
  if (arrival) return std::max<std::int64_t>(0, now - *arrival);
  return 0;
}

QueueListing parse_postqueue_json(std::string_view text, const QueueLimits& limits) {
  QueueListing out;
  out.format = "postqueue-json";
  for (auto line : util::split_lines(text)) {
    line = util::trim(line);
    if (line.empty()) continue;
    if (out.messages.size() >= limits.max_messages) {
      out.truncated = true;
      break;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      // Postfix passes non-ASCII bytes through; make invalid UTF-8 valid and try once more.
      j = nlohmann::json::parse(util::sanitize(line, line.size() + 16), nullptr, false);
    }
    auto m = j.is_discarded() ? std::nullopt : from_json(j, limits);
    if (!m) {
      add_error(out, limits, "not a postqueue -j record: " + util::sanitize(line, 80));
      continue;
    }
    out.messages.push_back(std::move(*m));
  }
  return out;
}

QueueListing parse_queue_listing(std::string_view text, const TimeContext& ctx, const QueueLimits& limits) {
  const auto t = util::trim(text);
  if (!t.empty() && t.front() == '{') return parse_postqueue_json(text, limits);
  return parse_mailq(text, ctx, limits);
}

std::optional<std::uint64_t> parse_size(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t mult = 1;
  const char last = s.back();
  if (last == 'K' || last == 'k') mult = 1024;
  else if (last == 'M' || last == 'm') mult = 1024 * 1024;
  else if (last == 'G' || last == 'g') mult = 1024ULL * 1024 * 1024;
  if (mult != 1) s.remove_suffix(1);
  const std::size_t dot = s.find('.');
  const auto whole = util::parse_uint(s.substr(0, dot));
  if (!whole) return std::nullopt;
  std::uint64_t frac_bytes = 0;
  if (dot != std::string_view::npos) {
    const std::string_view f = s.substr(dot + 1);
    const auto fv = util::parse_uint(f);
    if (!fv || f.size() > 3) return std::nullopt;
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < f.size(); ++i) scale *= 10;
    frac_bytes = *fv * mult / scale;
  }
  return *whole * mult + frac_bytes;
}

std::vector<QueueDomain> group_by_domain(const std::vector<QueuedMessage>& messages, std::int64_t now) {
  struct Acc {
    QueueDomain d;
    std::int64_t newest_arrival = -1;
    std::vector<std::string> reasons;
    const QueuedMessage* last_message = nullptr;
  };
  std::map<std::string, Acc> acc;
  for (const auto& m : messages) {
    const std::int64_t age = m.age_at(now);
    for (const auto& r : m.recipients) {
      if (r.delivered) continue;
      std::string dom = util::to_lower(domain_of(r.address));
      if (dom.empty()) dom = "(local)";
      Acc& a = acc[dom];
      a.d.domain = dom;
      if (a.last_message != &m) {
        ++a.d.messages;
        a.last_message = &m;
      }
      ++a.d.recipients;
      a.d.oldest_age = std::max(a.d.oldest_age, age);
      if (r.reason.empty()) continue;
      // The youngest message's reason is the freshest view of the destination.
      const std::int64_t arrival = now - age;
      if (arrival >= a.newest_arrival) {
        a.newest_arrival = arrival;
        a.d.reason = r.reason;
      }
      if (a.reasons.size() < 64 && std::find(a.reasons.begin(), a.reasons.end(), r.reason) == a.reasons.end())
        a.reasons.push_back(r.reason);
    }
  }
  std::vector<QueueDomain> out;
  out.reserve(acc.size());
  for (auto& [k, a] : acc) {
    a.d.distinct_reasons = a.reasons.size();
    if (!a.d.reason.empty()) a.d.reason_class = classify_reason(a.d.reason).reason;
    out.push_back(std::move(a.d));
  }
  std::sort(out.begin(), out.end(), [](const QueueDomain& x, const QueueDomain& y) {
    return x.recipients != y.recipients ? x.recipients > y.recipients : x.domain < y.domain;
  });
  return out;
}

}  // namespace maildiag::log
