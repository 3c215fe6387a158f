// The text listings of the queue: Postfix `mailq`/`postqueue -p` (showq), Sendmail `mailq` and
// Exim `exim -bp`. Each entry is a first line (id, size, time or age, sender) followed by delay
// reason lines in parentheses and indented recipient lines.

#include "maildiag/log/queue.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>
#include <cctype>

namespace maildiag::log {

namespace {

enum class TextFormat { unknown, postfix, sendmail, exim };

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < 16) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] != ' ' && s[pos] != '\t') ++pos;
    if (pos > start) out.push_back(s.substr(start, pos - start));
  }
  return out;
}

bool is_exim_age(std::string_view w) {
  if (w.size() < 2) return false;
  const char unit = w.back();
  if (unit != 's' && unit != 'm' && unit != 'h' && unit != 'd' && unit != 'w') return false;
  return util::parse_uint(w.substr(0, w.size() - 1)).has_value();
}

TextFormat detect(const std::vector<std::string_view>& lines) {
  for (auto l : lines) {
    if (l.find("-Queue ID-") != std::string_view::npos) return TextFormat::postfix;
    if (l.find("-Q-ID-") != std::string_view::npos || l.find("Total requests:") != std::string_view::npos)
      return TextFormat::sendmail;
    const auto w = words(l);
    if (w.size() >= 4 && is_exim_age(w[0]) && parse_size(w[1]) && w[2].size() >= 16 && w[2][6] == '-')
      return TextFormat::exim;
  }
  return TextFormat::unknown;
}

bool is_empty_listing(const std::vector<std::string_view>& lines) {
  for (auto l : lines) {
    const auto t = util::trim(l);
    if (t.empty()) continue;
    return t == "Mail queue is empty" || (t.size() > 9 && t.substr(t.size() - 9) == " is empty");
  }
  return true;
}

/// "Mon Nov 23 10:00:01" (Postfix) or "Mon Nov 23 10:00" (Sendmail) from words[2..5].
std::optional<std::int64_t> arrival_of(const std::vector<std::string_view>& w, const TimeContext& ctx) {
  if (w.size() < 6) return std::nullopt;
  std::string t(w[3]);
  t += w[4].size() == 1 ? "  " : " ";
  t += w[4];
  t += ' ';
  t += w[5];
  if (w[5].size() == 5) t += ":00";
  const auto ts = parse_bsd_time(t);
  if (!ts) return std::nullopt;
  return to_epoch(*ts, ctx);
}

class Reader {
 public:
  Reader(TextFormat f, const TimeContext& ctx, const QueueLimits& limits, QueueListing& out)
      : f_(f), ctx_(ctx), limits_(limits), out_(out) {}

  void line(std::string_view raw) {
    const std::string_view t = util::trim(raw);
    if (t.empty()) {
      flush();
      return;
    }
    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    // Exim right-aligns the age column, so its entries may start with a space.
    if ((!indented || f_ == TextFormat::exim) && start(t)) return;
    if (!cur_) return;  // headers, totals, noise
    if (t.front() == '(' || reason_open_) {
      if (!reason_open_) reason_.clear();  // a new reason for the recipients that follow
      reason_open_ = t.back() != ')';
      std::string_view r = t;
      if (r.front() == '(') r.remove_prefix(1);
      if (!reason_open_ && !r.empty()) r.remove_suffix(1);
      if (!reason_.empty()) reason_ += ' ';
      reason_ += r.substr(0, limits_.max_reason - std::min(limits_.max_reason, reason_.size()));
      return;
    }
    if (!indented) return;
    recipient(t);
  }

  void flush() {
    if (cur_) {
      if (out_.messages.size() < limits_.max_messages) out_.messages.push_back(std::move(*cur_));
      else out_.truncated = true;
    }
    cur_.reset();
    reason_.clear();
    reason_open_ = false;
  }

 private:
  bool start(std::string_view t) {
    const auto w = words(t);
    if (f_ == TextFormat::exim) return start_exim(w);
    if (w.size() < 6 || !util::parse_uint(w[1])) return false;
    std::string_view id = w[0];
    char flag = '\0';
    if (!id.empty() && (id.back() == '*' || id.back() == '!' || id.back() == 'X' || id.back() == '-')) {
      flag = id.back();
      id.remove_suffix(1);
    }
    const auto arrival = arrival_of(w, ctx_);
    if (id.size() < 5 || !std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }))
      return false;  // headers and the "-- 5 Kbytes in 4 Requests." total
    if (!arrival) {
      if (out_.errors.size() < limits_.max_errors) out_.errors.push_back("unreadable entry: " + util::sanitize(t, 80));
      return false;
    }
    flush();
    QueuedMessage m;
    m.mta = f_ == TextFormat::sendmail ? Source::sendmail : Source::postfix;
    m.id = util::sanitize(id, 40);
    m.size = *util::parse_uint(w[1]);
    m.arrival = arrival;
    m.queue_name = flag == '*' ? "active" : flag == '!' ? "hold" : "deferred";
    std::string_view sender = w.size() > 6 ? w[6] : std::string_view{};
    if (sender.size() >= 2 && sender.front() == '<' && sender.back() == '>') sender = sender.substr(1, sender.size() - 2);
    if (sender == "MAILER-DAEMON") sender = {};
    m.sender = util::sanitize(sender, 512);
    cur_ = std::move(m);
    return true;
  }

  bool start_exim(const std::vector<std::string_view>& w) {
    if (w.size() < 4 || !is_exim_age(w[0])) return false;
    const auto size = parse_size(w[1]);
    const auto age = parse_duration(w[0]);
    if (!size || !age) return false;
    flush();
    QueuedMessage m;
    m.mta = Source::exim;
    m.id = util::sanitize(w[2], 40);
    m.size = *size;
    m.age = *age;
    std::string_view sender = w[3];
    if (sender.size() >= 2 && sender.front() == '<' && sender.back() == '>') sender = sender.substr(1, sender.size() - 2);
    m.sender = util::sanitize(sender, 512);
    const bool frozen = w.size() >= 6 && w[4] == "***" && w[5] == "frozen";
    m.queue_name = frozen ? "frozen" : "deferred";
    cur_ = std::move(m);
    return true;
  }

  void recipient(std::string_view t) {
    if (cur_->recipients.size() >= limits_.max_recipients) return;
    QueuedRecipient r;
    if (f_ == TextFormat::exim && (util::istarts_with(t, "D ") || util::istarts_with(t, "+D "))) {
      r.delivered = true;
      t = util::trim(t.substr(t.find(' ')));
    }
    if (t.size() >= 2 && t.front() == '<' && t.back() == '>') t = t.substr(1, t.size() - 2);
    r.address = util::sanitize(t, 512);
    r.reason = reason_;
    cur_->recipients.push_back(std::move(r));
  }

  TextFormat f_;
  const TimeContext& ctx_;
  const QueueLimits& limits_;
  QueueListing& out_;
  std::optional<QueuedMessage> cur_;
  std::string reason_;
  bool reason_open_ = false;
};

}  // namespace

QueueListing parse_mailq(std::string_view text, const TimeContext& ctx, const QueueLimits& limits) {
  QueueListing out;
  const auto lines = util::split_lines(text);
  if (is_empty_listing(lines)) {
    out.format = "empty";
    return out;
  }
  const TextFormat f = detect(lines);
  switch (f) {
    case TextFormat::postfix: out.format = "postfix-mailq"; break;
    case TextFormat::sendmail: out.format = "sendmail-mailq"; break;
    case TextFormat::exim: out.format = "exim-bp"; break;
    case TextFormat::unknown:
      out.format = "unknown";
      out.errors.push_back("not a queue listing of Postfix (mailq, postqueue -p/-j), Sendmail (mailq) or Exim (exim -bp)");
      return out;
  }
  Reader r(f, ctx, limits, out);
  for (auto l : lines) {
    if (out.truncated) break;
    r.line(l);
  }
  r.flush();
  return out;
}

}  // namespace maildiag::log
