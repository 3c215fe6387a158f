// The summary of a log as a report: totals, deliveries by recipient domain, failures by reason
// class, the top reject/deferral/bounce texts, authentication and TLS failures (pflogsumm's and
// qshape's questions), with findings for what needs attention.

#include "maildiag/app/log.hpp"

#include "maildiag/codes/reason.hpp"

#include <cstdio>

namespace maildiag::app {

namespace {

using report::Severity;

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

void text_table(report::Report& r, const char* title, const std::vector<log::KeyCount>& v) {
  if (v.empty()) return;
  auto& t = r.add_section(title, {"Count", "Reason class", "Text"});
  for (const auto& k : v) t.rows.push_back({num(k.count), std::string(codes::to_string(k.reason)), k.key});
}

void count_table(report::Report& r, const char* title, const char* what, const std::vector<log::KeyCount>& v) {
  if (v.empty()) return;
  auto& t = r.add_section(title, {"Count", what});
  for (const auto& k : v) t.rows.push_back({num(k.count), k.key});
}

void totals(report::Report& r, const log::Summary& s) {
  auto& t = r.add_section("Totals");
  t.rows.push_back({"Window", s.first_time.empty() ? "(no lines)" : s.first_time + " .. " + s.last_time});
  t.rows.push_back({"Lines", num(s.lines) + " read, " + num(s.mail_lines) + " mail events, " + num(s.unparsed) +
                                 " not log lines"});
  t.rows.push_back({"Received", num(s.received) + " messages"});
  const std::uint64_t attempts = s.sent + s.deferred + s.bounced;
  t.rows.push_back({"Delivered", num(s.sent) + " (" + percent(s.sent, attempts) + " of attempts)"});
  t.rows.push_back({"Deferred", num(s.deferred) + " attempts"});
  t.rows.push_back({"Bounced", num(s.bounced)});
  t.rows.push_back({"Expired", num(s.expired) + " messages"});
  t.rows.push_back({"Rejected", num(s.rejected) + " during SMTP"});
  if (s.held > 0) t.rows.push_back({"Held", num(s.held)});
  t.rows.push_back({"Auth failures", num(s.auth_failures)});
  t.rows.push_back({"TLS failures", num(s.tls_failures)});
  if (s.logins > 0) t.rows.push_back({"IMAP/POP3 logins", num(s.logins)});
}

void domain_table(report::Report& r, const log::Summary& s) {
  if (s.domains.empty()) return;
  auto& t = r.add_section("By recipient domain",
                          {"Domain", "Sent", "Deferred", "Bounced", "Expired", "Rejected", "Avg delay", "Max delay",
                           "Main failure"});
  for (const auto& [d, c] : s.domains) {
    t.rows.push_back({d, num(c.sent), num(c.deferred), num(c.bounced), num(c.expired), num(c.rejected),
                      c.delay_n == 0 ? "" : seconds(c.delay_sum / static_cast<double>(c.delay_n)),
                      c.delay_n == 0 ? "" : seconds(c.delay_max),
                      c.top_reason_count == 0 ? "" : std::string(codes::to_string(c.top_reason))});
  }
}

void findings(report::Report& r, const log::Summary& s) {
  if (s.mail_lines == 0) {
    r.add(Severity::unknown, "log.no-mail-lines", "No mail server lines found",
          num(s.lines) + " lines read; none came from Postfix, Sendmail, Exim or Dovecot (in the --since/--until "
                         "window, if given).",
          "", "Check the file (journald systems: journalctl -u postfix | maildiag log --summary -).");
    return;
  }
  const std::uint64_t attempts = s.sent + s.deferred + s.bounced;
  if (s.bounced > 0) {
    r.add(Severity::warning, "log.summary.bounced", num(s.bounced) + " deliveries bounced (" + percent(s.bounced, attempts) + ")",
          "See 'Top bounces' and the reason classes; run 'maildiag log --to ADDRESS' for one recipient's story.");
  }
  if (s.deferred > 0) {
    std::string where;
    for (const auto& [d, c] : s.domains) {
      if (c.deferred == 0) continue;
      where += (where.empty() ? "" : ", ") + d + " (" + num(c.deferred) + ", " +
               std::string(codes::to_string(c.top_reason)) + ")";
      if (where.size() > 200) break;
    }
    r.add(Severity::warning, "log.summary.deferred", num(s.deferred) + " delivery attempts deferred",
          "Most by domain: " + where, "", "Run 'maildiag queue' to see what is still waiting and why.");
  }
  if (s.expired > 0)
    r.add(Severity::warning, "log.summary.expired", num(s.expired) + " messages expired in the queue and were returned");
  for (const auto& k : s.auth_clients) {
    if (k.count < 10) break;
    r.add(Severity::warning, "log.summary.auth-guessing",
          num(k.count) + " authentication failures from " + k.key + ": likely password guessing",
          "", "", "Rate-limit or block the address (fail2ban on the SASL / login lines); check the users it tried.");
  }
  if (s.rejected > 0)
    r.add(Severity::info, "log.summary.rejected", num(s.rejected) + " SMTP-time rejects",
          "Normal on an Internet-facing server (spam, unknown users); see 'Top rejects'.");
  if (s.tls_failures > 0)
    r.add(Severity::info, "log.summary.tls-failures", num(s.tls_failures) + " TLS handshakes failed",
          "Old clients (protocol or cipher mismatch), scanners, or a certificate the client refused; see 'TLS failures'.");
  if (s.unparsed > 0)
    r.add(Severity::info, "log.summary.unparsed", num(s.unparsed) + " lines were not log lines (malformed or truncated)");
  if (s.overflow_keys > 0)
    r.add(Severity::info, "log.summary.overflow", "Some tables were capped; " + num(s.overflow_keys) +
                                                      " entries were counted under \"(other)\"");
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
    auto& t = r.add_section("Failures by reason", {"Reason", "Deferred", "Bounced", "Rejected"});
    for (const auto& rc : s.reasons) {
      t.rows.push_back({std::string(codes::to_string(rc.reason)), num(rc.deferred), num(rc.bounced), num(rc.rejected)});
    }
  }
  text_table(r, "Top rejects", s.rejects);
  text_table(r, "Top deferrals", s.deferrals);
  text_table(r, "Top bounces", s.bounces);
  count_table(r, "Authentication failures by client", "Client", s.auth_clients);
  count_table(r, "Authentication failures by user", "User", s.auth_users);
  count_table(r, "TLS failures", "Reason", s.tls_reasons);
  findings(r, s);
  r.data = summary_json(s);
  return r;
}

}  // namespace maildiag::app
