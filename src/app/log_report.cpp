// A message's story as a report: the Message table, every delivery attempt, SMTP-time rejects,
// the timeline, and one finding per recipient explained through the shared classifier.

#include "maildiag/app/log.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/codes/enhanced.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <cstdlib>

namespace maildiag::app {

namespace {

using log::DeliveryStatus;
using log::Outcome;
using report::Severity;
using i18n::format;

using i18n::text;

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

/// The outcome as a word for people ("delivered", "in-progress" in English: the JSON's words).
std::string outcome_text(log::Outcome o) { return i18n::text("log.outcome." + std::string(log::to_string(o))); }

void message_rows(report::Section& m, const log::Story& s) {
  auto row = [&](const char* id, std::string v) {
    if (!v.empty()) m.rows.push_back({text(id), std::move(v)});
  };
  const std::string id = s.queue_id.empty() ? i18n::text("log.message.noqueue") : s.queue_id;
  const std::string source(log::to_string(s.source));
  row("log.row.queue-id", s.host.empty() ? id + " (" + source + ")" : format("log.message.queue-id.host", {id, source, s.host}));
  row("log.row.received", s.client.empty() ? s.first_time : format("log.message.received.from", {s.first_time, s.client}));
  if (!s.client.empty() && s.client != "local") {
    m.rows.push_back({"TLS", s.tls_level.empty() ? i18n::text("log.message.tls.none") : s.tls_level + ": " + s.tls_detail});
    row("log.row.authenticated",
        s.sasl_username.empty() ? i18n::text("log.message.auth.no") : format("log.message.auth.sasl", {s.sasl_username, s.sasl_method}));
  }
  if (!s.message_id.empty()) m.rows.push_back({"Message-ID", s.message_id});
  if (s.queued || !s.from.empty()) m.rows.push_back({"From", bracketed(s.from)});
  std::string size;
  if (!s.size.empty() && !s.nrcpt.empty()) size = format("log.message.size.both", {s.size, s.nrcpt});
  else if (!s.size.empty()) size = format("log.message.size.bytes", {s.size});
  else if (!s.nrcpt.empty()) size = format("log.message.size.recipients", {s.nrcpt});
  row("log.row.size", size);
  std::string outcome = outcome_text(s.outcome);
  if (s.mixed) outcome += i18n::text("log.message.outcome.mixed");
  if (!s.completed) outcome += text(s.evicted ? "log.message.outcome.evicted" : "log.message.outcome.unfinished");
  row("log.row.outcome", s.last_time.empty() ? outcome : format("log.message.outcome.last-seen", {outcome, s.last_time}));
  row("log.row.bounce-of", s.parent_id);
  const std::string sep = i18n::text("log.list.separator");
  std::string related;
  for (const auto& c : s.children) related += (related.empty() ? "" : sep) + format("log.message.related.notification", {c});
  for (const auto& n : s.next_hops) related += (related.empty() ? "" : sep) + format("log.message.related.next-hop", {n});
  row("log.row.related", related);
}

/// ": mx.example.org[192.0.2.20] answered RCPT TO with 550 (...)." or ", relay none."
std::string who_said(const log::Delivery& d, const codes::Classification& c) {
  const auto rr = log::remote_reply(d.text);
  if (rr.host.empty()) {
    return c.code_meaning.empty() ? format("log.who.relay", {d.relay}) : format("log.who.relay.meaning", {d.relay, c.code_meaning});
  }
  const std::string host(rr.host);
  const std::string command(rr.command);
  if (!c.code) return command.empty() ? format("log.who.answered", {host}) : format("log.who.answered.command", {host, command});
  const std::string code = std::to_string(*c.code) + (c.code_meaning.empty() ? "" : format("log.who.meaning", {c.code_meaning}));
  return command.empty() ? format("log.who.answered.code", {host, code}) : format("log.who.answered.command.code", {host, command, code});
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
      std::string detail = format("log.delivered.via", {d->relay}) + (d->dsn.empty() ? "" : format("log.delivered.dsn", {d->dsn})) +
                           (d->delay.empty() ? "" : format("log.delivered.delay", {d->delay}));
      if (deferrals > 0 && last_deferral != nullptr)
        detail += format("log.delivered.after-deferrals", {std::to_string(deferrals), last_deferral->text});
      r.add(Severity::ok, "log.delivered", format("log.delivered.title", {d->to}), detail, evidence);
    } else if (d->status == DeliveryStatus::deferred) {
      r.add(Severity::warning, "log.deferred." + reason_name(c),
            format("log.deferred.title", {d->to, std::string(codes::info(c.reason).description)}),
            format("log.deferred.detail", {d->time, who_said(*d, c)}), evidence, c.remediation);
    } else if (d->status == DeliveryStatus::bounced || d->status == DeliveryStatus::expired) {
      r.add(Severity::critical, "log.bounced." + reason_name(c),
            format("log.bounced.title", {d->to, std::string(codes::info(c.reason).description)}),
            format("log.bounced.detail", {d->time, who_said(*d, c)}), evidence, c.remediation);
    }
    if (const auto br = log::parse_delays(d->delays)) {
      const double total = br->before_qmgr + br->in_qmgr + br->connection_setup + br->transmission;
      if (total >= 30.0) {
        r.add(Severity::info, "log.delay", format("log.delay.title", {d->to, d->delay, d->delays}),
              log::explain_delays(*br));
      }
    }
  }
}

void reject_findings(report::Report& r, const log::Story& s) {
  for (const auto& rj : s.rejects) {
    const auto c = log::classify_reason(rj.text);
    const Severity sev = report::severity_of(c) == Severity::ok ? Severity::info : report::severity_of(c);
    const std::string what(codes::info(c.reason).description);
    r.add(sev, "log.rejected." + reason_name(c),
          rj.to.empty() ? format("log.rejected.title", {rj.stage, what}) : format("log.rejected.title.to", {rj.stage, rj.to, what}),
          format("log.rejected.detail", {rj.time, rj.client, c.code_meaning}), util::sanitize(rj.text, 500), c.remediation);
  }
}

void outcome_findings(report::Report& r, const log::Story& s) {
  switch (s.outcome) {
    case Outcome::expired:
      r.add(Severity::critical, "log.expired", i18n::text("log.expired.title"), i18n::text("log.expired.detail"), "",
            i18n::text("log.expired.fix"));
      break;
    case Outcome::removed:
      if (s.removed_by_admin)
        r.add(Severity::warning, "log.removed", i18n::text("log.removed.title"), i18n::text("log.removed.detail"));
      break;
    case Outcome::aborted:
      r.add(Severity::warning, "log.aborted", i18n::text("log.aborted.title"), i18n::text("log.aborted.detail"));
      break;
    case Outcome::held:
      r.add(Severity::warning, "log.held", i18n::text("log.held.title"), "", "", i18n::text("log.held.fix"));
      break;
    case Outcome::in_progress:
      r.add(s.evicted ? Severity::warning : Severity::info, s.evicted ? "log.evicted" : "log.in-progress",
            text(s.evicted ? "log.evicted.story.title" : "log.in-progress.title"), "", "",
            s.evicted ? i18n::text("log.evicted.fix") : "");
      break;
    default: break;
  }
  for (const auto& c : s.children)
    r.add(Severity::info, "log.notification", format("log.notification.title", {c}));
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
  message_rows(r.add_section(i18n::text("log.section.message")), s);
  if (!s.deliveries.empty()) {
    auto& d = r.add_section(i18n::text("log.section.attempts"), {i18n::text("log.col.time"), i18n::text("log.col.recipient"), i18n::text("log.col.status"),
                                                          i18n::text("log.col.relay"), i18n::text("log.col.delay"), "DSN", i18n::text("log.col.reply")});
    for (const auto& a : s.deliveries) {
      d.rows.push_back({a.time, a.to + (a.orig_to.empty() || a.orig_to == a.to ? "" : " (" + a.orig_to + ")"),
                        std::string(log::to_string(a.status)), a.relay,
                        a.delay.empty() ? "" : a.delay + "s" + (a.delays.empty() ? "" : " (" + a.delays + ")"), a.dsn,
                        util::sanitize(a.text, 160)});
    }
    if (s.deliveries_dropped > 0) d.rows.push_back({"...", format("log.attempts.dropped", {std::to_string(s.deliveries_dropped)})});
  }
  if (!s.rejects.empty()) {
    auto& rs = r.add_section(i18n::text("log.section.rejects"),
                             {i18n::text("log.col.time"), i18n::text("log.col.stage"), i18n::text("log.col.recipient"), i18n::text("log.col.reply")});
    for (const auto& rj : s.rejects) rs.rows.push_back({rj.time, rj.stage, rj.to, util::sanitize(rj.text, 200)});
  }
  if (timeline && !s.timeline.empty()) {
    auto& t = r.add_section(i18n::text("log.section.lines"), {i18n::text("log.col.time"), i18n::text("log.col.program"), i18n::text("log.col.line")});
    for (const auto& e : s.timeline) t.rows.push_back({e.time, e.program, e.text});
    if (s.timeline_dropped > 0) t.rows.push_back({"...", "", format("log.lines.dropped", {std::to_string(s.timeline_dropped)})});
  }
  delivery_findings(r, s);
  reject_findings(r, s);
  outcome_findings(r, s);
  if (progress) {
    for (auto& f : r.findings) f.severity = f.severity == Severity::ok ? Severity::ok : Severity::info;
  }
  {
    // The JSON `data` is a stable schema: the classifications in it are worded in English.
    const i18n::ScopedLanguage english(i18n::Lang::en);
    r.data = story_json(s, timeline);
  }
  r.data["progress"] = progress;
  return r;
}

}  // namespace maildiag::app
