// A message's story as a report: the Message table, every delivery attempt, SMTP-time rejects,
// the timeline, and one finding per recipient explained through the shared classifier.

#include "maildiag/app/log.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/codes/enhanced.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <cstdlib>

namespace maildiag::app {

namespace {

using log::DeliveryStatus;
using log::Outcome;
using report::Severity;

codes::Classification classify_delivery(const log::Delivery& d) {
  return log::classify_reason(d.text, d.dsn);
}

std::string reason_name(const codes::Classification& c) { return std::string(codes::to_string(c.reason)); }

std::string bracketed(const std::string& a) { return "<" + a + ">"; }

nlohmann::json str_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

nlohmann::json delays_json(const std::string& delays) {
  const auto d = log::parse_delays(delays);
  if (!d) return nullptr;
  return {{"before_qmgr", d->before_qmgr},
          {"in_qmgr", d->in_qmgr},
          {"connection_setup", d->connection_setup},
          {"transmission", d->transmission}};
}

nlohmann::json delivery_json(const log::Delivery& d) {
  nlohmann::json j{{"time", d.time},         {"to", d.to},       {"orig_to", str_or_null(d.orig_to)},
                   {"relay", d.relay},       {"agent", d.agent}, {"delay", str_or_null(d.delay)},
                   {"delays", delays_json(d.delays)},            {"dsn", str_or_null(d.dsn)},
                   {"status", log::to_string(d.status)},         {"reply", d.text},
                   {"next_hop_id", str_or_null(d.next_hop_id)}};
  j["classification"] = d.status == DeliveryStatus::sent ? nlohmann::json(nullptr)
                                                          : report::to_json(classify_delivery(d));
  return j;
}

void message_rows(report::Section& m, const log::Story& s) {
  auto row = [&](const char* k, std::string v) {
    if (!v.empty()) m.rows.push_back({k, std::move(v)});
  };
  row("Queue ID", (s.queue_id.empty() ? std::string("NOQUEUE (never queued)") : s.queue_id) + " (" +
                      std::string(log::to_string(s.source)) + (s.host.empty() ? "" : " on " + s.host) + ")");
  row("Received", s.first_time + (s.client.empty() ? "" : " from " + s.client));
  if (!s.client.empty() && s.client != "local") {
    row("TLS", s.tls_level.empty() ? "none seen in the log" : s.tls_level + ": " + s.tls_detail);
    row("Authenticated", s.sasl_username.empty() ? "no" : s.sasl_username + " (SASL " + s.sasl_method + ")");
  }
  row("Message-ID", s.message_id);
  if (s.queued || !s.from.empty()) row("From", bracketed(s.from));
  std::string size;
  if (!s.size.empty()) size = s.size + " bytes";
  if (!s.nrcpt.empty()) size += (size.empty() ? "" : ", ") + s.nrcpt + " recipient(s)";
  row("Size", size);
  std::string outcome(log::to_string(s.outcome));
  if (s.mixed) outcome += " (some recipients delivered)";
  if (!s.completed) outcome += s.evicted ? " (evicted: too many open messages)" : " (not finished in this log)";
  row("Outcome", outcome + (s.last_time.empty() ? "" : ", last seen " + s.last_time));
  row("Bounce of", s.parent_id);
  std::string related;
  for (const auto& c : s.children) related += (related.empty() ? "" : ", ") + std::string("notification ") + c;
  for (const auto& n : s.next_hops) related += (related.empty() ? "" : ", ") + std::string("next hop queued as ") + n;
  row("Related", related);
}

/// ": mx.example.org[192.0.2.20] answered RCPT TO with 550 (...)." or ", relay none."
std::string who_said(const log::Delivery& d, const codes::Classification& c) {
  const auto rr = log::remote_reply(d.text);
  std::string s;
  if (!rr.host.empty()) {
    s = ": " + std::string(rr.host) + " answered" + (rr.command.empty() ? "" : " " + std::string(rr.command));
    if (c.code) s += " with " + std::to_string(*c.code) + (c.code_meaning.empty() ? "" : " (" + c.code_meaning + ")");
  } else {
    s = ", relay " + d.relay;
    if (!c.code_meaning.empty()) s += ": " + c.code_meaning;
  }
  return s + ".";
}

void delivery_findings(report::Report& r, const log::Story& s) {
  for (const log::Delivery* d : s.final_attempts()) {
    std::size_t deferrals = 0;
    const log::Delivery* last_deferral = nullptr;
    for (const auto& a : s.deliveries) {
      if (a.to == d->to && a.status == DeliveryStatus::deferred && &a != d) {
        ++deferrals;
        last_deferral = &a;
      }
    }
    const auto c = classify_delivery(*d);
    const std::string evidence = util::sanitize(d->text, 500);
    if (d->status == DeliveryStatus::sent) {
      std::string detail = "via " + d->relay + (d->dsn.empty() ? "" : ", dsn=" + d->dsn) +
                           (d->delay.empty() ? "" : ", delay " + d->delay + "s");
      if (deferrals > 0 && last_deferral != nullptr)
        detail += "; after " + std::to_string(deferrals) + " deferred attempt(s), the last: " + last_deferral->text;
      r.add(Severity::ok, "log.delivered", "Delivered to " + d->to, detail, evidence);
    } else if (d->status == DeliveryStatus::deferred) {
      r.add(Severity::warning, "log.deferred." + reason_name(c),
            "Deferred for " + d->to + ": " + std::string(codes::info(c.reason).description),
            "Still queued after the last attempt (" + d->time + ")" + who_said(*d, c) +
                " The MTA retries until its queue lifetime ends (Postfix maximal_queue_lifetime, default 5 days).",
            evidence, c.remediation);
    } else if (d->status == DeliveryStatus::bounced || d->status == DeliveryStatus::expired) {
      r.add(Severity::critical, "log.bounced." + reason_name(c),
            "Bounced for " + d->to + ": " + std::string(codes::info(c.reason).description),
            "Returned to the sender (" + d->time + ")" + who_said(*d, c), evidence, c.remediation);
    }
    if (const auto br = log::parse_delays(d->delays)) {
      const double total = br->before_qmgr + br->in_qmgr + br->connection_setup + br->transmission;
      if (total >= 30.0) {
        r.add(Severity::info, "log.delay", "Delay to " + d->to + ": " + d->delay + "s (delays=" + d->delays + ")",
              log::explain_delays(*br));
      }
    }
  }
}

void reject_findings(report::Report& r, const log::Story& s) {
  for (const auto& rj : s.rejects) {
    const auto c = log::classify_reason(rj.text);
    const Severity sev = report::severity_of(c) == Severity::ok ? Severity::info : report::severity_of(c);
    r.add(sev, "log.rejected." + reason_name(c),
          "Rejected at " + rj.stage + (rj.to.empty() ? "" : " for " + rj.to) + ": " +
              std::string(codes::info(c.reason).description),
          "The server refused it during the SMTP dialog (" + rj.time + ", client " + rj.client + "); the sending "
          "client, not this server, reports the failure to the sender. " + c.code_meaning,
          util::sanitize(rj.text, 500), c.remediation);
  }
}

void outcome_findings(report::Report& r, const log::Story& s) {
  switch (s.outcome) {
    case Outcome::expired:
      r.add(Severity::critical, "log.expired", "Expired: the queue gave up and returned the message to the sender",
            "Every retry failed until the queue lifetime ended (Postfix maximal_queue_lifetime / bounce_queue_lifetime).",
            "", "Look at the deferral reasons above; fix the destination or routing, then ask the sender to resend.");
      break;
    case Outcome::removed:
      if (s.removed_by_admin)
        r.add(Severity::warning, "log.removed", "Deleted from the queue by an administrator",
              "postsuper -d / exim -Mrm removed it before it was delivered; the sender was not told.");
      break;
    case Outcome::aborted:
      r.add(Severity::warning, "log.aborted", "Not queued: the client went away before the message was accepted",
            "The session ended (lost connection, RSET, QUIT or a size/limit error) before the end of DATA.");
      break;
    case Outcome::held:
      r.add(Severity::warning, "log.held", "On hold (or frozen): it will not be delivered until released",
            "", "", "postsuper -H ID (Postfix) or exim -Mt ID (Exim) releases it.");
      break;
    case Outcome::in_progress:
      r.add(s.evicted ? Severity::warning : Severity::info, s.evicted ? "log.evicted" : "log.in-progress",
            s.evicted ? "Story incomplete: more messages were open than --max-open allows"
                      : "Not finished in this log: still in the queue, or its end is in a later log",
            "", "", s.evicted ? "Raise --max-open or narrow the input with --since/--until." : "");
      break;
    default: break;
  }
  for (const auto& c : s.children)
    r.add(Severity::info, "log.notification", "A delivery status notification was sent to the sender: " + c);
}

nlohmann::json story_json(const log::Story& s, bool timeline) {
  nlohmann::json j{{"queue_id", str_or_null(s.queue_id)},
                   {"source", log::to_string(s.source)},
                   {"host", s.host},
                   {"first_time", s.first_time},
                   {"last_time", s.last_time},
                   {"client", str_or_null(s.client)},
                   {"message_id", str_or_null(s.message_id)},
                   {"from", s.from},
                   {"size", s.size.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::strtoull(s.size.c_str(), nullptr, 10))},
                   {"nrcpt", s.nrcpt.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::strtoull(s.nrcpt.c_str(), nullptr, 10))},
                   {"outcome", log::to_string(s.outcome)},
                   {"completed", s.completed},
                   {"evicted", s.evicted},
                   {"mixed", s.mixed},
                   {"parent_id", str_or_null(s.parent_id)},
                   {"children", s.children},
                   {"next_hops", s.next_hops}};
  j["tls"] = s.tls_level.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"level", s.tls_level}, {"detail", s.tls_detail}};
  j["sasl"] = s.sasl_username.empty() ? nlohmann::json(nullptr)
                                      : nlohmann::json{{"method", s.sasl_method}, {"username", s.sasl_username}};
  j["deliveries"] = nlohmann::json::array();
  for (const auto& d : s.deliveries) j["deliveries"].push_back(delivery_json(d));
  j["rejects"] = nlohmann::json::array();
  for (const auto& rj : s.rejects) {
    j["rejects"].push_back({{"time", rj.time},
                            {"stage", rj.stage},
                            {"client", rj.client},
                            {"from", rj.from},
                            {"to", rj.to},
                            {"reply", rj.text},
                            {"classification", report::to_json(log::classify_reason(rj.text))}});
  }
  if (timeline) {
    j["timeline"] = nlohmann::json::array();
    for (const auto& e : s.timeline) j["timeline"].push_back({{"time", e.time}, {"program", e.program}, {"text", e.text}});
    j["timeline_dropped"] = s.timeline_dropped;
  }
  return j;
}

}  // namespace

report::Report story_report(const log::Story& s, bool timeline, bool progress) {
  report::Report r;
  r.command = "log";
  r.target = s.queue_id.empty() ? "NOQUEUE " + s.first_time : s.queue_id;
  if (progress) r.target += " (in progress)";
  message_rows(r.add_section("Message"), s);
  if (!s.deliveries.empty()) {
    auto& d = r.add_section("Delivery attempts", {"Time", "Recipient", "Status", "Relay", "Delay", "DSN", "Reply"});
    for (const auto& a : s.deliveries) {
      d.rows.push_back({a.time, a.to + (a.orig_to.empty() || a.orig_to == a.to ? "" : " (" + a.orig_to + ")"),
                        std::string(log::to_string(a.status)), a.relay,
                        a.delay.empty() ? "" : a.delay + "s" + (a.delays.empty() ? "" : " (" + a.delays + ")"), a.dsn,
                        util::sanitize(a.text, 160)});
    }
    if (s.deliveries_dropped > 0) d.rows.push_back({"...", std::to_string(s.deliveries_dropped) + " more attempts not kept"});
  }
  if (!s.rejects.empty()) {
    auto& rs = r.add_section("Rejected during SMTP", {"Time", "Stage", "Recipient", "Reply"});
    for (const auto& rj : s.rejects) rs.rows.push_back({rj.time, rj.stage, rj.to, util::sanitize(rj.text, 200)});
  }
  if (timeline && !s.timeline.empty()) {
    auto& t = r.add_section("Log lines", {"Time", "Program", "Line"});
    for (const auto& e : s.timeline) t.rows.push_back({e.time, e.program, e.text});
    if (s.timeline_dropped > 0) t.rows.push_back({"...", "", std::to_string(s.timeline_dropped) + " more lines not kept"});
  }
  delivery_findings(r, s);
  reject_findings(r, s);
  outcome_findings(r, s);
  if (progress) {
    for (auto& f : r.findings) f.severity = f.severity == Severity::ok ? Severity::ok : Severity::info;
  }
  r.data = story_json(s, timeline);
  r.data["progress"] = progress;
  return r;
}

}  // namespace maildiag::app
