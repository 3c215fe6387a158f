// Reports that are no delivery failure: feedback (ARF, provider complaints, unsubscribe
// requests) and automatic replies. Each names whom it is about; the reason is fixed by the kind.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::bounce::detail {

namespace {

Recipient feedback_recipient(std::string address, std::string diagnostic) {
  Recipient r;
  r.address = std::move(address);
  r.diagnostic = std::move(diagnostic);
  r.reason = codes::Reason::feedback;
  r.classification.reason = codes::Reason::feedback;
  r.classification.remediation = std::string(codes::info(codes::Reason::feedback).remediation);
  return r;
}

bool is_unsubscribe_request(const message::HeaderBlock& h, std::string_view subject) {
  if (util::iequals(util::trim(h.get("X-Apple-Unsubscribe")), "true")) return true;
  const auto as = util::trim(h.get("Auto-Submitted"));
  return util::iequals(util::trim(subject), "unsubscribe") && !as.empty() && !util::iequals(as, "no");
}

/// What a mailing-list manager's refusal notice says (fml, Mailman, majordomo style), lower-case.
struct ListPhrase {
  std::string_view phrase;
  codes::Reason reason;
};
constexpr ListPhrase kListPhrases[] = {
    {"not a member", codes::Reason::sender_rejected},
    {"not member", codes::Reason::sender_rejected},
    {"non-member", codes::Reason::sender_rejected},
    {"reject mail from", codes::Reason::sender_rejected},
    {"reject spammers", codes::Reason::sender_rejected},
    {"spam mail from a spammer is rejected", codes::Reason::sender_rejected},
    {"header may cause mail loop", codes::Reason::sender_rejected},
    {"security alert", codes::Reason::security_error},
    {"duplicated message-id", codes::Reason::system_error},
    {"loop alert", codes::Reason::system_error},
    {"loop back warning", codes::Reason::system_error},
    {"detected a loop condition", codes::Reason::system_error},
    {"unix from loop", codes::Reason::system_error},
    {"system error message", codes::Reason::system_error},
};

/// A list manager's notice: list headers (X-MLServer, List-*) on mail from the list's
/// -admin/-owner/-request address (list posts carry the headers too, but come from the poster).
bool is_list_notice(const message::HeaderBlock& h) {
  if (h.find("X-MLServer") == nullptr && h.find("X-ML-Server") == nullptr && h.find("List-Id") == nullptr &&
      h.find("List-Subscribe") == nullptr && h.find("List-Post") == nullptr) {
    return false;
  }
  const auto from = h.get("From");
  for (std::string_view role : {"-admin@", "-owner@", "-request@", "owner-"}) {
    if (util::icontains(from, role)) return true;
  }
  return false;
}

}  // namespace

bool read_list_notice(Analysis& a, const message::HeaderBlock& h, const Notice& n) {
  if (!is_list_notice(h)) return false;
  const auto head = std::string_view(n.text).substr(0, std::min<std::size_t>(n.text.size(), 4096));
  const ListPhrase* hit = nullptr;
  for (const auto& p : kListPhrases) {
    if (util::icontains(a.subject, p.phrase) || util::icontains(head, p.phrase)) {
      hit = &p;
      break;
    }
  }
  if (hit == nullptr) return false;
  // The list the mail was refused by: the first address the notice names in angle brackets.
  std::string list;
  if (const auto lt = head.find('<'); lt != std::string_view::npos) list = first_address(head.substr(lt, 256));
  if (list.empty()) list = first_address(h.get("From"));
  a.kind = Kind::failure;
  a.format = "mailing-list";
  Recipient r;
  r.address = list;
  r.action = "failed";
  r.diagnostic = one_line(head.substr(0, std::min<std::size_t>(head.size(), 300)), 300);
  r.classification = codes::classify_text(r.diagnostic);
  r.classification.reason = hit->reason;
  r.classification.reason_evidence = std::string(hit->phrase);
  r.classification.remediation = std::string(codes::info(hit->reason).remediation);
  if (r.classification.outcome == codes::Outcome::unknown) r.classification.outcome = codes::Outcome::permanent;
  r.reason = hit->reason;
  r.hard = codes::info(hit->reason).hard;
  a.recipients.push_back(std::move(r));
  return true;
}

void read_feedback(Analysis& a, const Notice& n, std::size_t max_recipients) {
  a.kind = Kind::feedback;
  a.format = "arf";
  const auto fh = message::parse_headers(n.feedback);
  a.feedback_type = util::to_lower(util::trim(fh.get("Feedback-Type")));
  a.reporting_mta = one_line(fh.get("Reporting-MTA"), 300);
  std::vector<std::string> addrs;
  for (const auto* f : fh.find_all("Original-Rcpt-To")) addrs.push_back(first_address(f->value));
  for (const auto* f : fh.find_all("Removal-Recipient")) addrs.push_back(first_address(f->value));
  if (addrs.empty()) {
    for (auto piece : util::split(a.original.to, ',')) addrs.push_back(first_address(piece));
  }
  std::erase_if(addrs, [](const std::string& s) { return s.empty(); });
  if (addrs.size() > max_recipients) addrs.resize(max_recipients);
  if (addrs.empty()) addrs.emplace_back();
  const auto ua = fh.get("User-Agent");
  for (auto& ad : addrs) {
    a.recipients.push_back(feedback_recipient(ad, one_line(ua.empty() ? std::string_view(n.text).substr(0, 300) : ua, 300)));
  }
}

bool read_complaint(Analysis& a, const message::HeaderBlock& h, const Notice& n) {
  if (util::istarts_with(util::trim(a.subject), "complaint about message from")) {
    // The complainer: the original's X-HmXmrOriginalRecipient, else its To.
    const auto oh = message::parse_headers(n.original);
    auto addr = first_address(oh.get("X-HmXmrOriginalRecipient"));
    if (addr.empty()) addr = first_address(a.original.to);
    a.kind = Kind::feedback;
    a.format = "complaint";
    a.feedback_type = "abuse";
    a.recipients.push_back(feedback_recipient(addr, one_line(a.subject, 300)));
    return true;
  }
  if (is_unsubscribe_request(h, a.subject)) {
    a.kind = Kind::feedback;
    a.format = "unsubscribe";
    a.feedback_type = "opt-out";
    a.recipients.push_back(feedback_recipient(first_address(h.get("From")), one_line(n.text, 300)));
    return true;
  }
  return false;
}

void read_auto_reply(Analysis& a, const message::HeaderBlock& h, const Notice& n) {
  a.kind = Kind::auto_reply;
  a.format = "rfc3834";
  Recipient r;
  r.address = first_address(h.get("From"));
  r.diagnostic = one_line(n.text, 300);
  r.reason = codes::Reason::vacation;
  r.classification.reason = codes::Reason::vacation;
  r.classification.outcome = codes::Outcome::success;
  r.classification.remediation = std::string(codes::info(codes::Reason::vacation).remediation);
  a.recipients.push_back(std::move(r));
}

}  // namespace maildiag::bounce::detail
