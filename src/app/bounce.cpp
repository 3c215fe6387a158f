// `maildiag bounce`: turning an Analysis into the report (text view, exit status), the NDJSON
// lines (one per recipient) and the --summary counts.

#include "maildiag/app/bounce.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"
#include "maildiag/version.hpp"

namespace maildiag::app {

namespace {

using codes::Reason;


std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : util::to_lower(address.substr(at + 1));
}

std::string code_text(const bounce::Recipient& r) {
  return r.reply_code ? std::to_string(*r.reply_code) : std::string("-");
}

std::string status_text(const bounce::Recipient& r) { return r.status ? r.status->str() : std::string("-"); }

std::string hardness(const bounce::Recipient& r) {
  if (r.reason == Reason::delivered || r.reason == Reason::vacation || r.reason == Reason::feedback) return "-";
  if (r.temporary) return i18n::text("bounce.hardness.delayed");
  return i18n::text(r.hard ? "bounce.hardness.hard" : "bounce.hardness.soft");
}

report::Severity recipient_severity(const bounce::Analysis& a, const bounce::Recipient& r) {
  if (a.kind == bounce::Kind::auto_reply || a.kind == bounce::Kind::feedback || a.kind == bounce::Kind::delivered ||
      r.reason == Reason::delivered) {
    return report::Severity::info;
  }
  return r.hard ? report::Severity::critical : report::Severity::warning;
}

std::string finding_title(const bounce::Analysis& a, const bounce::Recipient& r) {
  const std::string who = r.address.empty() ? i18n::text("bounce.recipient-unknown") : util::sanitize(r.address, 200);
  switch (a.kind) {
    case bounce::Kind::auto_reply: return i18n::format("bounce.title.auto-reply", {who});
    case bounce::Kind::feedback:  // the ARF Feedback-Type is a protocol token: not translated
      return i18n::format("bounce.title.feedback",
                          {who, a.feedback_type.empty() ? std::string("abuse") : util::sanitize(a.feedback_type, 40)});
    case bounce::Kind::delivered: return i18n::format("bounce.title.delivered", {who});
    default: break;
  }
  const char* id = r.temporary ? "bounce.title.delayed" : (r.hard ? "bounce.title.hard" : "bounce.title.soft");
  return i18n::format(id, {who, std::string(codes::info(r.reason).description)});
}

std::string finding_detail(const bounce::Recipient& r) {
  const auto& c = r.classification;
  const std::string_view sep = i18n::msg("bounce.detail.separator");
  std::string d;
  auto part = [&](const std::string& p) { d += (d.empty() ? std::string() : std::string(sep)) + p; };
  if (r.status) d += r.status->str() + (c.enhanced_meaning.empty() ? "" : " " + c.enhanced_meaning);
  if (r.reply_code) part(std::to_string(*r.reply_code) + " " + c.code_meaning);
  if (!r.command.empty()) part(i18n::format("bounce.detail.refused-at", {r.command}));
  if (!r.remote_mta.empty()) part(i18n::format("bounce.detail.by", {util::sanitize(r.remote_mta, 200)}));
  if (c.provider) part(*c.provider + " " + c.provider_meaning);
  return d;
}

}  // namespace

std::string next_step(const bounce::Recipient& r) {
  const auto domain = util::sanitize(domain_of(r.address), 200);
  const auto dom = domain.empty() ? std::string("DOMAIN") : domain;  // a command-line placeholder
  switch (r.reason) {
    case Reason::user_unknown:
    case Reason::has_moved:
    case Reason::mailbox_disabled:
      return i18n::format("bounce.next.check-address", {util::sanitize(r.address, 200)});
    case Reason::host_unknown:
    case Reason::not_accepting:
      return i18n::format("bounce.next.check-domain", {dom});
    case Reason::network_error:
    case Reason::expired:
    case Reason::too_many_connections:
      return i18n::format("bounce.next.probe", {dom});
    case Reason::blocked:
    case Reason::bad_reputation:
    case Reason::require_ptr:
      return r.classification.blocklist ? i18n::format("bounce.next.blocked.listed", {*r.classification.blocklist})
                                        : i18n::text("bounce.next.blocked");
    case Reason::sender_auth_failed:
      return i18n::text("bounce.next.sender-auth-failed");
    case Reason::greylisted:
      return i18n::text("bounce.next.greylisted");
    default:
      return r.classification.remediation.empty() ? std::string(codes::info(r.reason).remediation) : r.classification.remediation;
  }
}

report::Severity bounce_severity(const bounce::Analysis& a) {
  auto s = report::Severity::ok;
  for (const auto& r : a.recipients) s = report::worst(s, recipient_severity(a, r));
  return s;
}

report::Report bounce_report(const std::string& source, const bounce::Analysis& a) {
  report::Report rep;
  rep.command = "bounce";
  rep.target = util::sanitize(source, 300);
  auto& m = rep.add_section(i18n::text("bounce.section.message"));
  // The kind and the format are stable names (as in the JSON): only the words around them change.
  m.rows.push_back({i18n::text("bounce.row.kind"), a.format.empty() ? std::string(to_string(a.kind))
                                                              : i18n::format("bounce.row.kind.read-as",
                                                                             {std::string(to_string(a.kind)), a.format})});
  if (!a.subject.empty()) m.rows.push_back({"Subject", util::sanitize(a.subject, 200)});
  if (!a.from.empty()) m.rows.push_back({"From", util::sanitize(a.from, 200)});
  if (!a.reporting_mta.empty()) m.rows.push_back({i18n::text("bounce.row.reporting-mta"), util::sanitize(a.reporting_mta, 200)});
  if (!a.original.message_id.empty()) {
    m.rows.push_back({i18n::text("bounce.row.original-message-id"), util::sanitize(a.original.message_id, 200)});
  }
  if (!a.original.subject.empty()) m.rows.push_back({i18n::text("bounce.row.original-subject"), util::sanitize(a.original.subject, 200)});
  if (!a.original.to.empty()) m.rows.push_back({i18n::text("bounce.row.original-to"), util::sanitize(a.original.to, 200)});
  if (a.kind == bounce::Kind::not_bounce) {
    rep.add(report::Severity::ok, "bounce.not-a-bounce", i18n::text("bounce.not-a-bounce.title"), i18n::text("bounce.not-a-bounce.detail"));
  } else {
    // Action and Status are the DSN's own field names: not translated.
    auto& t = rep.add_section(i18n::text("bounce.section.recipients"),
                              {i18n::text("bounce.col.recipient"), "Action", "Status", i18n::text("bounce.col.code"),
                               i18n::text("bounce.col.reason"), i18n::text("bounce.col.hardness"), i18n::text("bounce.col.remote-mta")});
    for (const auto& r : a.recipients) {
      t.rows.push_back({util::sanitize(r.address, 120), r.action.empty() ? "-" : r.action, status_text(r), code_text(r),
                        std::string(codes::to_string(r.reason)), hardness(r),
                        r.remote_mta.empty() ? "-" : util::sanitize(r.remote_mta, 80)});
      rep.add(recipient_severity(a, r), "bounce." + std::string(codes::to_string(r.reason)), finding_title(a, r),
              finding_detail(r), util::sanitize(r.diagnostic, 1000), next_step(r));
    }
  }
  for (const auto& p : a.problems) rep.add(report::Severity::info, "bounce.parse-note", util::sanitize(p, 300));
  nlohmann::json d;
  d["kind"] = to_string(a.kind);
  d["format"] = a.format;
  d["recipients"] = nlohmann::json::array();
  for (auto& line : bounce_json_lines(source, a)) {
    if (!line["recipient"].is_null()) d["recipients"].push_back(line);
  }
  rep.data = std::move(d);
  return rep;
}

void add_cut_finding(report::Report& r, std::size_t max_message) {
  const auto size = util::byte_size(max_message);
  r.add(report::Severity::warning, "bounce.input.cut", i18n::format("bounce.input.cut.title", {size}),
        i18n::format("bounce.input.cut.detail", {size}), {}, i18n::text("bounce.input.cut.fix"));
}

std::vector<nlohmann::json> bounce_json_lines(const std::string& source, const bounce::Analysis& a) {
  std::vector<nlohmann::json> out;
  auto base = [&] {
    nlohmann::json j;
    j["schema_version"] = report::kSchemaVersion;
    j["command"] = "bounce";
    j["source"] = util::sanitize(source, 1000);
    j["kind"] = to_string(a.kind);
    j["format"] = a.format;
    j["subject"] = util::sanitize(a.subject, 500);
    j["reporting_mta"] = util::sanitize(a.reporting_mta, 300);
    j["original"] = {{"message_id", util::sanitize(a.original.message_id, 300)},
                     {"subject", util::sanitize(a.original.subject, 500)},
                     {"from", util::sanitize(a.original.from, 300)},
                     {"to", util::sanitize(a.original.to, 500)}};
    if (a.kind == bounce::Kind::feedback) j["feedback_type"] = util::sanitize(a.feedback_type, 60);
    return j;
  };
  for (const auto& r : a.recipients) {
    auto j = base();
    j["recipient"] = util::sanitize(r.address, 300);
    j["original_recipient"] = util::sanitize(r.original_address, 300);
    j["action"] = r.action;
    j["status"] = r.status ? nlohmann::json(r.status->str()) : nlohmann::json(nullptr);
    j["reply_code"] = r.reply_code ? nlohmann::json(*r.reply_code) : nlohmann::json(nullptr);
    j["reason"] = codes::to_string(r.reason);
    j["hard"] = r.hard;
    j["temporary"] = r.temporary;
    j["severity"] = report::to_string(recipient_severity(a, r));
    j["remote_mta"] = util::sanitize(r.remote_mta, 300);
    j["command_failed"] = r.command;
    j["diagnostic"] = util::sanitize(r.diagnostic, 2000);
    j["diagnostic_type"] = r.diagnostic_type;
    j["last_attempt"] = util::sanitize(r.last_attempt, 100);
    j["next_step"] = next_step(r);
    j["classification"] = report::to_json(r.classification);
    out.push_back(std::move(j));
  }
  if (out.empty()) {
    auto j = base();
    j["recipient"] = nullptr;
    j["severity"] = "ok";
    out.push_back(std::move(j));
  }
  return out;
}

void BounceSummary::add(const bounce::Analysis& a) {
  ++messages;
  ++by_kind[std::string(to_string(a.kind))];
  for (const auto& r : a.recipients) {
    ++recipients;
    ++by_reason[std::string(codes::to_string(r.reason))];
    const auto d = domain_of(r.address);
    ++by_domain[d.empty() ? "(none)" : util::sanitize(d, 200)];
    if (a.kind == bounce::Kind::failure || a.kind == bounce::Kind::delay) {
      if (r.hard) ++hard;
      else ++soft;
    }
  }
}

report::Report BounceSummary::to_report() const {
  report::Report rep;
  rep.command = "bounce";
  rep.target = "summary";
  auto& totals = rep.add_section(i18n::text("bounce.section.summary"));
  totals.rows.push_back({i18n::text("bounce.row.messages"), std::to_string(messages)});
  totals.rows.push_back({i18n::text("bounce.row.recipients"), std::to_string(recipients)});
  totals.rows.push_back({i18n::text("bounce.row.hard"), std::to_string(hard)});
  totals.rows.push_back({i18n::text("bounce.row.soft"), std::to_string(soft)});
  auto& kinds = rep.add_section(i18n::text("bounce.section.by-kind"), {i18n::text("bounce.col.kind"), i18n::text("bounce.col.messages")});
  for (const auto& [k, n] : by_kind) kinds.rows.push_back({k, std::to_string(n)});
  auto& reasons = rep.add_section(i18n::text("bounce.section.by-reason"), {i18n::text("bounce.col.reason"), i18n::text("bounce.col.recipients")});
  for (const auto& [k, n] : by_reason) reasons.rows.push_back({k, std::to_string(n)});
  auto& domains = rep.add_section(i18n::text("bounce.section.by-domain"), {i18n::text("bounce.col.domain"), i18n::text("bounce.col.recipients")});
  for (const auto& [k, n] : by_domain) domains.rows.push_back({k, std::to_string(n)});
  const auto sev = hard > 0 ? report::Severity::critical : soft > 0 ? report::Severity::warning : report::Severity::ok;
  rep.add(sev, "bounce.summary",
          i18n::format("bounce.summary.title", {std::to_string(messages), std::to_string(hard), std::to_string(soft)}));
  rep.data = to_json();
  return rep;
}

nlohmann::json BounceSummary::to_json() const {
  nlohmann::json j;
  j["messages"] = messages;
  j["recipients"] = recipients;
  j["hard"] = hard;
  j["soft"] = soft;
  j["by_kind"] = by_kind;
  j["by_reason"] = by_reason;
  j["by_domain"] = by_domain;
  return j;
}

}  // namespace maildiag::app
