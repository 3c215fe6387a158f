// `maildiag queue`: obtains the listing (postqueue -j, or a mailq text given as input), keeps the
// messages asked for, and reports them by destination domain and age.

#include "log_input.hpp"
#include "maildiag/app/queue.hpp"

#include "queue_source.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>

namespace maildiag::app {

namespace {

using report::Severity;
using i18n::format;


constexpr std::size_t kMaxListing = 256u << 20;

using logio::clock_context;

bool read_input(const std::string& path, std::string& out, std::string* error) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      *error = format("common.input.cannot-read", {path});
      return false;
    }
    in = &file;
  }
  char buf[65536];
  while (in->read(buf, sizeof buf) || in->gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in->gcount()));
    if (out.size() > kMaxListing) {
      *error = format("log.queue.error.too-large", {path});
      return false;
    }
  }
  return true;
}

/// Keeps the messages old enough and the recipients in the asked domains.
std::vector<log::QueuedMessage> select(const log::QueueListing& l, const QueueOptions& o, std::int64_t now) {
  std::vector<log::QueuedMessage> out;
  std::vector<std::string> domains;
  for (const auto& d : o.domains) domains.push_back(util::to_lower(util::trim(d)));
  for (const auto& m : l.messages) {
    if (o.older_than && m.age_at(now) < *o.older_than) continue;
    log::QueuedMessage k = m;
    if (!domains.empty()) {
      std::erase_if(k.recipients, [&](const log::QueuedRecipient& r) {
        const std::string d = util::to_lower(log::domain_of(r.address));
        return std::find(domains.begin(), domains.end(), d) == domains.end();
      });
      if (k.recipients.empty()) continue;
    }
    out.push_back(std::move(k));
  }
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return a.age_at(now) > b.age_at(now); });
  return out;
}

std::string first_reason(const log::QueuedMessage& m) {
  for (const auto& r : m.recipients) {
    if (!r.reason.empty()) return r.reason;
  }
  return {};
}

std::string recipients_text(const log::QueuedMessage& m) {
  if (m.recipients.empty()) return "";
  std::string s = m.recipients.front().address;
  if (m.recipients.size() > 1) s += " (+" + std::to_string(m.recipients.size() - 1) + ")";
  return s;
}

nlohmann::json message_json(const log::QueuedMessage& m, std::int64_t now) {
  nlohmann::json rc = nlohmann::json::array();
  for (const auto& r : m.recipients) {
    nlohmann::json e{{"address", r.address}, {"reason", r.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.reason)},
                     {"delivered", r.delivered}};
    e["reason_class"] = r.reason.empty() ? nlohmann::json(nullptr)
                                         : nlohmann::json(codes::to_string(log::classify_reason(r.reason).reason));
    rc.push_back(std::move(e));
  }
  return {{"id", m.id},
          {"mta", log::to_string(m.mta)},
          {"queue", m.queue_name},
          {"arrival", m.arrival ? nlohmann::json(*m.arrival) : nlohmann::json(nullptr)},
          {"age", m.age_at(now)},
          {"size", m.size},
          {"sender", m.sender},
          {"forced_expire", m.forced_expire},
          {"recipients", rc}};
}

void domain_findings(report::Report& r, const std::vector<log::QueueDomain>& domains) {
  for (const auto& d : domains) {
    if (d.reason.empty()) continue;
    const auto c = log::classify_reason(d.reason);
    const std::string oldest = log::format_duration(d.oldest_age);
    std::string detail = d.distinct_reasons > 1
                             ? format("log.queue.deferred.detail.reasons", {oldest, std::to_string(d.distinct_reasons)})
                             : format("log.queue.deferred.detail", {oldest});
    if (!c.code_meaning.empty()) detail += " " + c.code_meaning;
    r.add(Severity::warning, "queue.deferred." + std::string(codes::to_string(c.reason)),
          format("log.queue.deferred.title", {std::to_string(d.messages), d.domain, std::string(codes::info(c.reason).description)}),
          detail, util::sanitize(d.reason, 500), c.remediation);
  }
}

}  // namespace

report::Report queue_report(const log::QueueListing& listing, const QueueOptions& o, const std::string& source,
                            std::int64_t now) {
  report::Report r;
  r.command = "queue";
  r.target = source;
  const auto msgs = select(listing, o, now);
  const auto domains = log::group_by_domain(msgs, now);
  std::map<std::string, std::size_t> by_queue;
  std::uint64_t size = 0;
  std::size_t recipients = 0;
  for (const auto& m : msgs) {
    ++by_queue[m.queue_name];
    size += m.size;
    recipients += m.recipients.size();
  }
  const std::string sep = i18n::text("log.list.separator");
  auto& q = r.add_section(i18n::text("log.queue.section.queue"));
  q.rows.push_back({i18n::text("log.queue.row.source"), source + " (" + listing.format + ")"});
  std::string counts;
  for (const auto& [name, n] : by_queue) counts += (counts.empty() ? "" : sep) + std::to_string(n) + " " + name;
  q.rows.push_back({i18n::text("log.queue.row.messages"), std::to_string(msgs.size()) + (counts.empty() ? "" : " (" + counts + ")")});
  q.rows.push_back({i18n::text("log.queue.row.recipients"), std::to_string(recipients)});
  q.rows.push_back({i18n::text("log.queue.row.size"), format("log.queue.size.bytes", {std::to_string(size)})});
  if (!msgs.empty())
    q.rows.push_back({i18n::text("log.queue.row.oldest"), log::format_duration(msgs.front().age_at(now)) + " (" + msgs.front().id + ")"});
  if (o.older_than || !o.domains.empty()) {
    std::string f;
    if (o.older_than) f += format("log.queue.filter.older", {log::format_duration(*o.older_than)});
    for (const auto& d : o.domains) f += (f.empty() ? "" : sep) + format("log.queue.filter.domain", {d});
    q.rows.push_back({i18n::text("log.queue.row.filter"), format("log.queue.filter.of", {f, std::to_string(listing.messages.size())})});
  }
  if (!domains.empty()) {
    auto& t = r.add_section(i18n::text("log.queue.section.domains"),
                            {i18n::text("log.col.domain"), i18n::text("log.queue.col.messages"), i18n::text("log.queue.col.recipients"),
                             i18n::text("log.queue.col.oldest"), i18n::text("log.col.reason-class"), i18n::text("log.queue.col.latest-reason")});
    for (const auto& d : domains) {
      t.rows.push_back({d.domain, std::to_string(d.messages), std::to_string(d.recipients), log::format_duration(d.oldest_age),
                        d.reason.empty() ? "" : std::string(codes::to_string(d.reason_class)), util::sanitize(d.reason, 120)});
    }
  }
  if (!msgs.empty()) {
    auto& t = r.add_section(i18n::text("log.queue.section.messages"),
                            {i18n::text("log.queue.col.queue-id"), i18n::text("log.queue.col.queue"), i18n::text("log.queue.col.age"),
                             i18n::text("log.queue.col.size"), i18n::text("log.queue.col.sender"), i18n::text("log.queue.col.recipient-list"),
                             i18n::text("log.col.reason")});
    for (std::size_t i = 0; i < msgs.size() && i < o.limit; ++i) {
      const auto& m = msgs[i];
      t.rows.push_back({m.id, m.queue_name, log::format_duration(m.age_at(now)), std::to_string(m.size),
                        m.sender.empty() ? "<>" : m.sender, recipients_text(m), util::sanitize(first_reason(m), 100)});
    }
    if (msgs.size() > o.limit) t.rows.push_back({"...", format("log.queue.more", {std::to_string(msgs.size() - o.limit)})});
  }
  // Findings: what waits, why, and for how long.
  if (msgs.empty()) {
    r.add(Severity::ok, "queue.empty", i18n::text(listing.messages.empty() ? "log.queue.empty.title" : "log.queue.empty.filtered.title"));
  }
  domain_findings(r, domains);
  const std::size_t held = by_queue["hold"] + by_queue["frozen"];
  if (held > 0) {
    r.add(Severity::warning, "queue.held", format("log.queue.held.title", {std::to_string(held)}),
          i18n::text("log.queue.held.detail"), "", i18n::text("log.queue.held.fix"));
  }
  const std::size_t waiting = by_queue["deferred"];
  if (waiting > 0 && domains.end() == std::find_if(domains.begin(), domains.end(), [](const auto& d) { return !d.reason.empty(); })) {
    r.add(Severity::warning, "queue.deferred", format("log.queue.waiting.title", {std::to_string(waiting)}),
          i18n::text("log.queue.waiting.detail"));
  }
  if (!msgs.empty() && msgs.front().age_at(now) > o.critical_age) {
    r.add(Severity::critical, "queue.too-old",
          format("log.queue.too-old.title", {log::format_duration(msgs.front().age_at(now)), log::format_duration(o.critical_age)}),
          format("log.queue.too-old.detail", {msgs.front().id}), util::sanitize(first_reason(msgs.front()), 500),
          i18n::text("log.queue.too-old.fix"));
  } else if (!msgs.empty() && waiting == 0 && held == 0) {
    r.add(Severity::ok, "queue.moving", format("log.queue.moving.title", {std::to_string(msgs.size())}));
  }
  for (const auto& e : listing.errors) r.add(Severity::info, "queue.unreadable", format("log.queue.unreadable.title", {e}));
  if (listing.truncated) r.add(Severity::info, "queue.truncated", i18n::text("log.queue.truncated.title"));
  nlohmann::json dj = nlohmann::json::array();
  for (const auto& d : domains) {
    dj.push_back({{"domain", d.domain}, {"messages", d.messages}, {"recipients", d.recipients}, {"oldest_age", d.oldest_age},
                  {"reason", d.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.reason)},
                  {"reason_class", d.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(codes::to_string(d.reason_class))},
                  {"distinct_reasons", d.distinct_reasons}});
  }
  nlohmann::json mj = nlohmann::json::array();
  for (const auto& m : msgs) mj.push_back(message_json(m, now));
  nlohmann::json bq = nlohmann::json::object();
  for (const auto& [name, n] : by_queue) {
    if (n > 0) bq[name] = n;
  }
  r.data = {{"source", source},
            {"format", listing.format},
            {"totals", {{"messages", msgs.size()}, {"recipients", recipients}, {"size", size}, {"by_queue", bq}}},
            {"oldest", msgs.empty() ? nlohmann::json(nullptr)
                                    : nlohmann::json{{"id", msgs.front().id}, {"age", msgs.front().age_at(now)}}},
            {"domains", dj},
            {"messages", mj},
            {"errors", listing.errors},
            {"truncated", listing.truncated}};
  return r;
}

std::optional<report::Report> run_queue(const QueueOptions& o, const CommonOptions& common, std::string* error) {
  const auto ctx = clock_context();
  if (!o.input.empty()) {
    std::string text;
    if (!read_input(o.input, text, error)) return std::nullopt;
    const auto listing = log::parse_queue_listing(text, ctx);
    return queue_report(listing, o, o.input == "-" ? "stdin" : o.input, ctx.now);
  }
  std::vector<std::string> argv{o.postqueue};
  if (!o.config_dir.empty()) argv.insert(argv.end(), {"-c", o.config_dir});
  const std::string shown = o.postqueue + (o.config_dir.empty() ? "" : " -c " + o.config_dir);
  std::vector<std::string> json_argv = argv;
  json_argv.push_back("-j");
  auto res = queueio::run_command(json_argv, common.timeout, kMaxListing);
  bool json = true;
  if (res.started && !res.timed_out && res.exit_code != 0 &&
      (res.err.find("invalid option") != std::string::npos || res.err.find("usage") != std::string::npos)) {
    // Postfix before 3.1 has no -j: read the text listing instead.
    argv.push_back("-p");
    res = queueio::run_command(argv, common.timeout, kMaxListing);
    json = false;
  }
  if (!res.started) {
    *error = format("log.queue.error.not-started", {res.error});
    return std::nullopt;
  }
  if (res.timed_out) {
    *error = format("log.queue.error.timeout", {shown, std::to_string(common.timeout.count())});
    return std::nullopt;
  }
  if (res.exit_code != 0) {
    const auto first = util::trim(std::string_view(res.err).substr(0, res.err.find('\n')));
    *error = format("log.queue.error.failed", {shown, std::to_string(res.exit_code), util::sanitize(first, 200)});
    return std::nullopt;
  }
  auto listing = json ? log::parse_postqueue_json(res.out) : log::parse_mailq(res.out, ctx);
  if (json && res.out.empty()) listing.format = "empty";
  listing.truncated = listing.truncated || res.truncated;
  return queue_report(listing, o, shown + (json ? " -j" : " -p"), ctx.now);
}

}  // namespace maildiag::app
