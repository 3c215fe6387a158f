// The summary of a log as a report: totals, deliveries by recipient domain, failures by reason
// class, the top reject/deferral/bounce texts, authentication and TLS failures (pflogsumm's and
// qshape's questions), with findings for what needs attention.

#include "maildiag/app/log.hpp"

#include "maildiag/codes/reason.hpp"
#include "maildiag/i18n/catalog.hpp"

#include <cstdio>

namespace maildiag::app {

namespace {

using report::Severity;
using i18n::format;

using i18n::text;

std::string num(std::uint64_t n) { return std::to_string(n); }

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs" : "%.0fs", s);
  return buf;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

nlohmann::json key_counts(const std::vector<log::KeyCount>& v, const char* key_name, bool with_reason) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& k : v) {
    nlohmann::json e{{key_name, k.key}, {"count", k.count}};
    if (with_reason) e["reason"] = codes::to_string(k.reason);
    a.push_back(std::move(e));
  }
  return a;
}

void text_table(report::Report& r, const char* title_id, const std::vector<log::KeyCount>& v) {
  if (v.empty()) return;
  auto& t = r.add_section(text(title_id), {i18n::text("log.col.count"), i18n::text("log.col.reason-class"), i18n::text("log.col.text")});
  for (const auto& k : v) t.rows.push_back({num(k.count), std::string(codes::to_string(k.reason)), k.key});
}

void count_table(report::Report& r, const char* title_id, const char* what_id, const std::vector<log::KeyCount>& v) {
  if (v.empty()) return;
  auto& t = r.add_section(text(title_id), {i18n::text("log.col.count"), text(what_id)});
  for (const auto& k : v) t.rows.push_back({num(k.count), k.key});
}

void totals(report::Report& r, const log::Summary& s) {
  auto& t = r.add_section(i18n::text("log.section.totals"));
  t.rows.push_back({i18n::text("log.totals.window"),
                    s.first_time.empty() ? i18n::text("log.totals.window.none") : s.first_time + " .. " + s.last_time});
  t.rows.push_back({i18n::text("log.totals.lines"), format("log.totals.lines.value", {num(s.lines), num(s.mail_lines), num(s.unparsed)})});
  t.rows.push_back({i18n::text("log.totals.received"), format("log.totals.received.value", {num(s.received)})});
  const std::uint64_t attempts = s.sent + s.deferred + s.bounced;
  t.rows.push_back({i18n::text("log.totals.delivered"), format("log.totals.delivered.value", {num(s.sent), percent(s.sent, attempts)})});
  t.rows.push_back({i18n::text("log.totals.deferred"), format("log.totals.deferred.value", {num(s.deferred)})});
  t.rows.push_back({i18n::text("log.totals.bounced"), num(s.bounced)});
  t.rows.push_back({i18n::text("log.totals.expired"), format("log.totals.expired.value", {num(s.expired)})});
  t.rows.push_back({i18n::text("log.totals.rejected"), format("log.totals.rejected.value", {num(s.rejected)})});
  if (s.held > 0) t.rows.push_back({i18n::text("log.totals.held"), num(s.held)});
  t.rows.push_back({i18n::text("log.totals.auth-failures"), num(s.auth_failures)});
  t.rows.push_back({i18n::text("log.totals.tls-failures"), num(s.tls_failures)});
  if (s.logins > 0) t.rows.push_back({i18n::text("log.totals.logins"), num(s.logins)});
}

void domain_table(report::Report& r, const log::Summary& s) {
  if (s.domains.empty()) return;
  auto& t = r.add_section(i18n::text("log.section.domains"),
                          {i18n::text("log.col.domain"), i18n::text("log.col.sent"), i18n::text("log.col.deferred"), i18n::text("log.col.bounced"),
                           i18n::text("log.col.expired"), i18n::text("log.col.rejected"), i18n::text("log.col.avg-delay"),
                           i18n::text("log.col.max-delay"), i18n::text("log.col.main-failure")});
  for (const auto& [d, c] : s.domains) {
    t.rows.push_back({d, num(c.sent), num(c.deferred), num(c.bounced), num(c.expired), num(c.rejected),
                      c.delay_n == 0 ? "" : seconds(c.delay_sum / static_cast<double>(c.delay_n)),
                      c.delay_n == 0 ? "" : seconds(c.delay_max),
                      c.top_reason_count == 0 ? "" : std::string(codes::to_string(c.top_reason))});
  }
}

void findings(report::Report& r, const log::Summary& s) {
  if (s.mail_lines == 0) {
    r.add(Severity::unknown, "log.no-mail-lines", i18n::text("log.no-mail-lines.title"),
          format("log.no-mail-lines.detail", {num(s.lines)}), "", i18n::text("log.no-mail-lines.fix"));
    return;
  }
  const std::uint64_t attempts = s.sent + s.deferred + s.bounced;
  if (s.bounced > 0) {
    r.add(Severity::warning, "log.summary.bounced", format("log.summary.bounced.title", {num(s.bounced), percent(s.bounced, attempts)}),
          i18n::text("log.summary.bounced.detail"));
  }
  if (s.deferred > 0) {
    const std::string sep = i18n::text("log.list.separator");
    std::string where;
    for (const auto& [d, c] : s.domains) {
      if (c.deferred == 0) continue;
      where += (where.empty() ? "" : sep) + d + " (" + num(c.deferred) + ", " +
               std::string(codes::to_string(c.top_reason)) + ")";
      if (where.size() > 200) break;
    }
    r.add(Severity::warning, "log.summary.deferred", format("log.summary.deferred.title", {num(s.deferred)}),
          format("log.summary.deferred.detail", {where}), "", i18n::text("log.summary.deferred.fix"));
  }
  if (s.expired > 0)
    r.add(Severity::warning, "log.summary.expired", format("log.summary.expired.title", {num(s.expired)}));
  for (const auto& k : s.auth_clients) {
    if (k.count < 10) break;
    r.add(Severity::warning, "log.summary.auth-guessing",
          format("log.summary.auth-guessing.title", {num(k.count), k.key}), "", "",
          i18n::text("log.summary.auth-guessing.fix"));
  }
  if (s.rejected > 0)
    r.add(Severity::info, "log.summary.rejected", format("log.summary.rejected.title", {num(s.rejected)}),
          i18n::text("log.summary.rejected.detail"));
  if (s.tls_failures > 0)
    r.add(Severity::info, "log.summary.tls-failures", format("log.summary.tls-failures.title", {num(s.tls_failures)}),
          i18n::text("log.summary.tls-failures.detail"));
  if (s.unparsed > 0)
    r.add(Severity::info, "log.summary.unparsed", format("log.summary.unparsed.title", {num(s.unparsed)}));
  if (s.overflow_keys > 0)
    r.add(Severity::info, "log.summary.overflow", format("log.summary.overflow.title", {num(s.overflow_keys)}));
}

nlohmann::json summary_json(const log::Summary& s) {
  nlohmann::json domains = nlohmann::json::array();
  for (const auto& [d, c] : s.domains) {
    domains.push_back({{"domain", d},
                       {"sent", c.sent},
                       {"deferred", c.deferred},
                       {"bounced", c.bounced},
                       {"expired", c.expired},
                       {"rejected", c.rejected},
                       {"avg_delay", c.delay_n == 0 ? nlohmann::json(nullptr) : nlohmann::json(c.delay_sum / static_cast<double>(c.delay_n))},
                       {"max_delay", c.delay_n == 0 ? nlohmann::json(nullptr) : nlohmann::json(c.delay_max)},
                       {"main_failure", c.top_reason_count == 0 ? nlohmann::json(nullptr) : nlohmann::json(codes::to_string(c.top_reason))}});
  }
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& rc : s.reasons) {
    reasons.push_back({{"reason", codes::to_string(rc.reason)},
                       {"deferred", rc.deferred},
                       {"bounced", rc.bounced},
                       {"rejected", rc.rejected}});
  }
  return {{"window", {{"first", s.first_time}, {"last", s.last_time}, {"first_epoch", s.first_epoch}, {"last_epoch", s.last_epoch}}},
          {"totals",
           {{"lines", s.lines}, {"mail_lines", s.mail_lines}, {"unparsed", s.unparsed}, {"received", s.received},
            {"sent", s.sent}, {"deferred", s.deferred}, {"bounced", s.bounced}, {"expired", s.expired},
            {"rejected", s.rejected}, {"held", s.held}, {"auth_failures", s.auth_failures},
            {"tls_failures", s.tls_failures}, {"logins", s.logins}}},
          {"domains", domains},
          {"reasons", reasons},
          {"top_rejects", key_counts(s.rejects, "text", true)},
          {"top_deferrals", key_counts(s.deferrals, "text", true)},
          {"top_bounces", key_counts(s.bounces, "text", true)},
          {"auth_failures_by_client", key_counts(s.auth_clients, "client", false)},
          {"auth_failures_by_user", key_counts(s.auth_users, "user", false)},
          {"tls_failures", key_counts(s.tls_reasons, "reason", false)},
          {"overflow_keys", s.overflow_keys}};
}

}  // namespace

report::Report summary_report(const log::Summary& s, const std::string& target) {
  report::Report r;
  r.command = "log";
  r.target = target;
  totals(r, s);
  domain_table(r, s);
  if (!s.reasons.empty()) {
    auto& t = r.add_section(i18n::text("log.section.reasons"),
                            {i18n::text("log.col.reason"), i18n::text("log.col.deferred"), i18n::text("log.col.bounced"), i18n::text("log.col.rejected")});
    for (const auto& rc : s.reasons) {
      t.rows.push_back({std::string(codes::to_string(rc.reason)), num(rc.deferred), num(rc.bounced), num(rc.rejected)});
    }
  }
  text_table(r, "log.section.top-rejects", s.rejects);
  text_table(r, "log.section.top-deferrals", s.deferrals);
  text_table(r, "log.section.top-bounces", s.bounces);
  count_table(r, "log.section.auth-clients", "log.col.client", s.auth_clients);
  count_table(r, "log.section.auth-users", "log.col.user", s.auth_users);
  count_table(r, "log.section.tls-failures", "log.col.reason", s.tls_reasons);
  findings(r, s);
  r.data = summary_json(s);
  return r;
}

}  // namespace maildiag::app
