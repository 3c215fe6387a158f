#include "maildiag/report/classification.hpp"

#include "maildiag/i18n/catalog.hpp"

namespace maildiag::report {

Severity severity_of(const codes::Classification& c) {
  switch (c.outcome) {
    case codes::Outcome::success: return Severity::ok;
    case codes::Outcome::intermediate: return Severity::info;
    case codes::Outcome::transient: return Severity::warning;
    case codes::Outcome::permanent: return Severity::critical;
    case codes::Outcome::unknown: return Severity::unknown;
  }
  return Severity::unknown;
}

nlohmann::json to_json(const codes::Classification& c) {
  nlohmann::json j;
  j["code"] = c.code ? nlohmann::json(*c.code) : nlohmann::json(nullptr);
  j["enhanced"] = c.enhanced ? nlohmann::json(c.enhanced->str()) : nlohmann::json(nullptr);
  j["outcome"] = codes::to_string(c.outcome);
  j["code_meaning"] = c.code_meaning;
  j["enhanced_meaning"] = c.enhanced_meaning;
  j["enhanced_subject"] = c.enhanced_subject;
  j["reason"] = codes::to_string(c.reason);
  j["reason_description"] = codes::info(c.reason).description;
  j["reason_evidence"] = c.reason_evidence;
  j["hard"] = c.hard();
  j["blocklist"] = c.blocklist ? nlohmann::json(*c.blocklist) : nlohmann::json(nullptr);
  j["provider"] = c.provider ? nlohmann::json(*c.provider) : nlohmann::json(nullptr);
  j["provider_meaning"] = c.provider_meaning;
  j["notes"] = c.notes;
  j["remediation"] = c.remediation;
  return j;
}

void add_rows(Section& s, const codes::Classification& c) {
  using i18n::msg;
  auto row = [&](std::string_view label_id, std::string value) {
    s.rows.push_back({std::string(msg(label_id)), std::move(value)});
  };
  if (c.code) row("ui.row.reply_code", std::to_string(*c.code) + "  " + c.code_meaning);
  if (c.enhanced) {
    row("ui.row.enhanced", c.enhanced->str() + "  " + c.enhanced_meaning);
    if (!c.enhanced_subject.empty()) row("ui.row.subject", c.enhanced_subject);
  }
  std::string outcome(msg("outcome." + std::string(codes::to_string(c.outcome))));
  if (c.hard()) outcome += " (" + std::string(msg("ui.hard")) + ")";
  row("ui.row.outcome", outcome);
  std::string reason(codes::to_string(c.reason));
  reason += " - ";
  reason += codes::info(c.reason).description;
  if (!c.reason_evidence.empty()) reason += " [" + std::string(msg("ui.matched")) + ": " + c.reason_evidence + "]";
  row("ui.row.reason", reason);
  if (c.provider) row("ui.row.provider", *c.provider + ": " + c.provider_meaning);
  if (c.blocklist) row("ui.row.blocklist", *c.blocklist);
}

}  // namespace maildiag::report
