// Amazon SES notifications delivered by e-mail (SNS "AWS Notification Message"): a JSON
// document with notificationType Bounce, Complaint or Delivery instead of an RFC 3464 report.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <nlohmann/json.hpp>

namespace maildiag::bounce::detail {

namespace {

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Recipient base_recipient(const std::string& address) {
  Recipient r;
  r.address = address;
  return r;
}

void read_bounce(const nlohmann::json& b, Analysis& a, std::size_t max) {
  a.reporting_mta = one_line(parse_typed(str(b, "reportingMTA")).value, 300);
  const bool transient = str(b, "bounceType") == "Transient";
  const auto& list = b.contains("bouncedRecipients") ? b["bouncedRecipients"] : nlohmann::json::array();
  for (const auto& br : list) {
    if (a.recipients.size() >= max) break;
    auto r = base_recipient(first_address(str(br, "emailAddress")));
    r.action = str(br, "action");
    if (r.action.empty()) r.action = transient ? "delayed" : "failed";
    r.status = codes::parse_enhanced(str(br, "status"));
    const auto diag = parse_typed(str(br, "diagnosticCode"));
    r.diagnostic = one_line(diag.value);
    r.diagnostic_type = diag.type;
    const auto facts = text_facts(r.diagnostic);
    r.reply_code = facts.reply_code;
    if (!r.status) r.status = facts.status;
    // SES suppresses addresses that bounced before: it never tried them.
    if (str(b, "bounceSubType") == "Suppressed" || str(b, "bounceSubType") == "OnAccountSuppressionList") {
      r.diagnostic = r.diagnostic.empty() ? "Amazon SES suppression list" : r.diagnostic;
    }
    a.recipients.push_back(std::move(r));
  }
}

void read_delivery(const nlohmann::json& d, Analysis& a, std::size_t max) {
  a.reporting_mta = one_line(str(d, "reportingMTA"), 300);
  const auto reply = one_line(str(d, "smtpResponse"));
  const auto& list = d.contains("recipients") ? d["recipients"] : nlohmann::json::array();
  for (const auto& rj : list) {
    if (!rj.is_string() || a.recipients.size() >= max) continue;
    auto r = base_recipient(first_address(rj.get<std::string>()));
    r.action = "delivered";
    r.diagnostic = reply;
    const auto facts = text_facts(reply);
    r.reply_code = facts.reply_code;
    r.status = facts.status;
    a.recipients.push_back(std::move(r));
  }
}

}  // namespace

bool read_ses_json(std::string_view text, Analysis& a, std::size_t max_recipients) {
  const auto open = text.find('{');
  const auto close = text.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
  if (util::trim(text.substr(0, open)).size() > 0) return false;
  if (!util::icontains(text.substr(open, 4096), "notificationType")) return false;
  std::string doc;
  doc.reserve(close - open + 1);
  for (char c : text.substr(open, close - open + 1)) {
    if (c != '\n' && c != '\r') doc.push_back(c);
  }
  auto j = nlohmann::json::parse(doc, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  // An SNS envelope ({"Type": "Notification", "Message": "<the SES document as a string>"}).
  if (!j.contains("notificationType") && j.contains("Message") && j["Message"].is_string()) {
    j = nlohmann::json::parse(j["Message"].get<std::string>(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return false;
  }
  const auto type = str(j, "notificationType");
  a.format = "amazon-ses";
  if (type == "Bounce" && j.contains("bounce")) {
    read_bounce(j["bounce"], a, max_recipients);
  } else if (type == "Delivery" && j.contains("delivery")) {
    read_delivery(j["delivery"], a, max_recipients);
  } else if (type == "Complaint" && j.contains("complaint")) {
    const auto& c = j["complaint"];
    a.kind = Kind::feedback;
    a.format = "amazon-ses";
    a.feedback_type = str(c, "complaintFeedbackType");
    if (a.feedback_type.empty()) a.feedback_type = "abuse";
    for (const auto& cr : c.contains("complainedRecipients") ? c["complainedRecipients"] : nlohmann::json::array()) {
      if (a.recipients.size() >= max_recipients) break;
      auto r = base_recipient(first_address(str(cr, "emailAddress")));
      r.reason = codes::Reason::feedback;
      r.classification.reason = codes::Reason::feedback;
      r.classification.remediation = std::string(codes::info(codes::Reason::feedback).remediation);
      a.recipients.push_back(std::move(r));
    }
    return true;
  } else {
    return false;
  }
  if (j.contains("mail") && j["mail"].is_object()) {
    const auto& m = j["mail"];
    a.original.message_id = str(m, "messageId");
    if (m.contains("commonHeaders") && m["commonHeaders"].is_object()) {
      a.original.subject = one_line(str(m["commonHeaders"], "subject"), 500);
    }
  }
  return !a.recipients.empty();
}

}  // namespace maildiag::bounce::detail
