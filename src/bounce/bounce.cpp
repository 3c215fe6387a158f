#include "maildiag/bounce/bounce.hpp"

#include "internal.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/message/charset.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::bounce {

namespace {

using detail::Notice;

std::string decoded_header(const message::HeaderBlock& h, std::string_view name, std::size_t max = 500) {
  const auto v = h.get(name);
  if (v.empty()) return {};
  return detail::one_line(message::decode_rfc2047(v).text, max);
}

/// A copy pasted after a marker line, from its first "Name: value" line on.
std::string_view pasted_message(std::string_view src) {
  std::size_t pos = 0;
  while (pos < src.size()) {
    const auto end = std::min(src.find('\n', pos), src.size());
    const auto line = src.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && colon > 0 && line.find(' ') > colon && line[0] != ' ') break;
    pos = end + 1;
  }
  return pos < src.size() ? src.substr(pos) : std::string_view{};
}

/// Headers of the returned message: from a message/rfc822 part or a pasted copy after a marker.
Original read_original(const Notice& n) {
  std::string_view src = n.original;
  if (src.empty()) src = pasted_message(n.inline_original);
  Original o;
  if (src.empty()) return o;
  message::HeaderLimits lim{256u << 10, 2000, 16u << 10};
  const auto h = message::parse_headers(src, lim);
  o.message_id = detail::one_line(h.get("Message-ID"), 300);
  o.subject = decoded_header(h, "Subject");
  o.from = decoded_header(h, "From");
  o.to = decoded_header(h, "To");
  o.date = detail::one_line(h.get("Date"), 100);
  return o;
}

Kind kind_of(const std::vector<Recipient>& rs) {
  bool failed = false;
  bool delayed = false;
  for (const auto& r : rs) {
    if (r.action == "delayed") delayed = true;
    else if (r.action != "delivered" && r.action != "relayed" && r.action != "expanded") failed = true;
  }
  if (failed) return Kind::failure;
  if (delayed) return Kind::delay;
  return Kind::delivered;
}

/// Normalises DSN Action values ("failure", "deliverable") and fills a missing one from Status.
std::string action_of(const DsnRecipient& d) {
  std::string a = d.action;
  if (a == "failure" || a == "fail") a = "failed";
  if (a == "deliverable") a = "delivered";
  if (a == "delay") a = "delayed";
  if (a.empty() && d.enhanced) {
    if (d.enhanced->cls == 2) a = "delivered";
    else if (d.enhanced->cls == 5) a = "failed";
  }
  return a;
}

const detail::TextRecipient* text_for(const std::vector<detail::TextRecipient>& tr, std::string_view addr) {
  for (const auto& t : tr) {
    if (util::iequals(t.address, addr)) return &t;
  }
  return nullptr;
}

void fill_from_text(Recipient& r, std::string_view text_diag) {
  const auto facts = detail::text_facts(text_diag);
  if (!r.reply_code) r.reply_code = facts.reply_code;
  if (!r.status) r.status = facts.status;
  if (r.command.empty()) r.command = facts.command;
  if (r.remote_mta.empty()) r.remote_mta = facts.remote_mta;
}

Recipient from_dsn(const DsnRecipient& d, const std::vector<detail::TextRecipient>& tr) {
  Recipient r;
  r.address = dsn_address(d.final_recipient);
  r.original_address = dsn_address(d.original_recipient);
  if (r.address.empty()) r.address = r.original_address;
  if (r.address.empty() && !d.x_actual_recipient.empty()) r.address = dsn_address(parse_typed(d.x_actual_recipient));
  r.action = action_of(d);
  r.status = d.enhanced;
  r.diagnostic = detail::strip_continuations(detail::one_line(d.diagnostic_code.value));
  r.diagnostic_type = d.diagnostic_code.type;
  r.remote_mta = detail::one_line(d.remote_mta.value, 300);
  r.last_attempt = detail::one_line(d.last_attempt_date, 100);
  r.will_retry_until = detail::one_line(d.will_retry_until, 100);
  // A local delivery program's exit status (X-Unix; 75) is no SMTP reply.
  const bool smtp = !util::istarts_with(r.diagnostic_type, "x-unix");
  if (smtp) fill_from_text(r, r.diagnostic);
  if (!r.reply_code) r.reply_code = d.status_reply_code;
  const auto* t = text_for(tr, r.address);
  if (t != nullptr) {
    if (r.diagnostic.empty()) r.diagnostic = t->diagnostic;
    fill_from_text(r, t->diagnostic);
    // Sendmail's verdict for this recipient in its transcript ("550 5.1.1 <a@b>... User unknown"):
    // with PIPELINING the transcript shows ">>> DATA" before the RCPT replies arrive, so an
    // addressing code (x.1.x) there says the recipient was refused at RCPT, not after DATA.
    if (const auto v = detail::verdict_status(t->diagnostic, r.address); v && v->subject == 1 && r.command == "DATA") {
      r.command = "RCPT";
    }
  }
  // "Status: 5.0.0" beside "550 5.7.26 ..." from the remote server: the server's own code is the
  // sharper statement of what happened (the Status field is the reporting MTA's summary).
  if (smtp && r.status) {
    const auto ds = detail::diagnostic_status(r.diagnostic);
    if (ds && ds->cls == r.status->cls && ds->subject != 0) r.status = ds;
    // "Status: 4.5.0" beside "550 5.5.0 ...": the Status contradicts the reply it reports.
    if (ds && r.reply_code && ds->cls == *r.reply_code / 100 && r.status->cls != ds->cls) r.status = ds;
    // "554 4.4.7 Message expired ... <421 4.4.2 Connection timed out>": the first code contradicts
    // the stated Status; the reply that carries it is the remote server's.
    if (r.reply_code && *r.reply_code / 100 != r.status->cls) {
      if (const auto c = detail::reply_code_carrying(r.diagnostic, *r.status)) r.reply_code = c;
    }
  }
  return r;
}

void read_dsn(Analysis& a, const Notice& n, const std::vector<detail::TextRecipient>& tr, const Limits& limits) {
  std::vector<std::string_view> bodies(n.dsn.begin(), n.dsn.end());
  std::string inline_dsn;
  if (bodies.empty()) {
    // Delivery-status fields pasted into the text part (no separate part).
    for (std::string_view key : {"Final-Recipient:", "Original-Recipient:"}) {
      const auto p = util::ifind(n.text, key);
      if (p == std::string_view::npos) continue;
      auto start = util::ifind(n.text, "Reporting-MTA:");
      if (start == std::string_view::npos || start > p) start = p;
      inline_dsn = n.text.substr(start);
      bodies.push_back(inline_dsn);
      break;
    }
  }
  for (auto body : bodies) {
    const auto ds = parse_delivery_status(body);
    if (a.reporting_mta.empty()) a.reporting_mta = detail::one_line(ds.message.reporting_mta.value, 300);
    if (a.arrival_date.empty()) a.arrival_date = detail::one_line(ds.message.arrival_date, 100);
    for (const auto& p : ds.problems) a.problems.push_back(p);
    for (const auto& d : ds.recipients) {
      if (a.recipients.size() >= limits.max_recipients) return;
      auto r = from_dsn(d, tr);
      if (r.address.empty() && r.status == std::nullopt && r.diagnostic.empty()) continue;
      a.recipients.push_back(std::move(r));
    }
  }
}

std::vector<std::string> failed_recipients_header(const message::HeaderBlock& h, std::size_t max) {
  std::vector<std::string> out;
  for (const auto* f : h.find_all("X-Failed-Recipients")) {
    for (auto piece : util::split(f->value, ',')) {
      if (out.size() >= max) return out;
      auto ad = detail::first_address(piece);
      if (!ad.empty()) out.push_back(std::move(ad));
    }
  }
  return out;
}

Recipient text_recipient(std::string address, const detail::TextRecipient* t) {
  Recipient r;
  r.address = std::move(address);
  r.action = "failed";
  if (t != nullptr) {
    r.original_address = t->original_address;
    r.diagnostic = detail::strip_continuations(t->diagnostic);
    r.command = t->command;
  }
  fill_from_text(r, r.diagnostic);
  return r;
}

/// One recipient whose own lines carry no reply code: the notice's reply line is its reason
/// ("Could not be delivered because of / 550 5.1.1 User unknown / The following recipients ...",
/// sendmail's "554 5.3.0 unknown mailer error 255" under a pipe recipient). It also sharpens a
/// vague Status (x.0.0) of the same class.
void adopt_notice_reply(Analysis& a, std::string_view text) {
  if (a.recipients.size() != 1) return;
  auto& r = a.recipients.front();
  if (r.reply_code) return;
  const auto line = detail::notice_reply(text);
  if (line.empty()) return;
  const auto facts = detail::text_facts(line);
  if (r.status && facts.status && (facts.status->cls != r.status->cls || r.status->subject != 0)) return;
  if (r.status && facts.status && facts.status->subject != 0) r.status = facts.status;
  if (r.diagnostic.empty() || !r.status || r.status->subject == 0) {
    r.diagnostic = r.diagnostic.empty() ? line : line + " " + r.diagnostic;
  }
  fill_from_text(r, line);
}

void read_text(Analysis& a, const message::HeaderBlock& h, const std::vector<detail::TextRecipient>& tr,
               std::size_t max_recipients) {
  // Exim and Google name the failed recipients in a header: those are the recipients, and the
  // words of the notice are their reasons.
  const auto failed = failed_recipients_header(h, max_recipients);
  if (!failed.empty()) {
    for (const auto& ad : failed) {
      const auto* t = text_for(tr, ad);
      if (t == nullptr && failed.size() == 1 && tr.size() == 1) t = &tr.front();
      a.recipients.push_back(text_recipient(ad, t));
    }
    return;
  }
  for (const auto& t : tr) a.recipients.push_back(text_recipient(t.address, &t));
  if (!a.recipients.empty()) return;
  // No address in the words: the recipient of the returned message.
  if (auto addr = detail::first_address(a.original.to); !addr.empty()) a.recipients.push_back(text_recipient(addr, nullptr));
}

}  // namespace

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::not_bounce: return "not-bounce";
    case Kind::failure: return "failure";
    case Kind::delay: return "delay";
    case Kind::delivered: return "delivered";
    case Kind::auto_reply: return "auto-reply";
    case Kind::feedback: return "feedback";
  }
  return "not-bounce";
}

bool Analysis::any_hard() const {
  return std::any_of(recipients.begin(), recipients.end(), [](const Recipient& r) { return r.hard; });
}

bool Analysis::any_failure() const {
  return kind == Kind::failure || kind == Kind::delay;
}

namespace {

Analysis analyse_at(std::string_view message, const Limits& limits, int depth);

/// A delivery report returned whole inside another notice that names no recipient itself (an
/// ISP's "the following is the error message" wrapper pasting its relay's multipart/report, a
/// notice attaching the report as message/rfc822): the inner report is the one to read.
std::optional<Analysis> forwarded_report(const Notice& n, const Limits& limits, int depth) {
  if (depth >= 2) return std::nullopt;
  const auto inner = n.original.empty() ? pasted_message(n.inline_original) : std::string_view(n.original);
  if (inner.empty()) return std::nullopt;
  const auto h = message::parse_headers(inner);
  const auto ct = h.get("Content-Type");
  if (!util::icontains(ct, "multipart/report") && !util::icontains(ct, "delivery-status")) return std::nullopt;
  auto a = analyse_at(inner, limits, depth + 1);
  if (a.recipients.empty()) return std::nullopt;
  a.problems.emplace_back(i18n::msg("bounce.note.forwarded"));
  return a;
}

/// Another report appended after the final boundary of this one, behind an mbox "From " line
/// (two returned messages saved into one file): its recipients belong to the same file.
std::string_view appended_message(std::string_view message, const message::MimeTree& tree) {
  const auto& top = tree.parts.front().content_type;
  if (top.type != "multipart" || top.param("boundary").empty()) return {};
  const std::string close = "\n--" + std::string(top.param("boundary")) + "--";
  const auto end = message.find(close);
  if (end == std::string_view::npos) return {};
  const auto from = message.find("\nFrom ", end + close.size());
  if (from == std::string_view::npos) return {};
  const auto start = message.find('\n', from + 1);
  return start == std::string_view::npos ? std::string_view{} : message.substr(start + 1);
}

Analysis analyse_at(std::string_view message, const Limits& limits, int depth) {
  Analysis a;
  if (message.size() > limits.max_message) {
    message = message.substr(0, limits.max_message);
    a.problems.emplace_back(i18n::msg("bounce.note.too-large"));
  }
  const auto tree = message::parse_mime(message);
  const auto& h = tree.parts.front().headers;
  a.subject = decoded_header(h, "Subject");
  a.from = decoded_header(h, "From");
  for (const auto& p : tree.problems) {
    if (a.problems.size() < 16) a.problems.push_back(p);
  }
  const auto notice = detail::collect(tree, limits);
  a.original = read_original(notice);

  if (!notice.feedback.empty() || notice.report_type == "feedback-report" || detail::read_complaint(a, h, notice)) {
    if (a.kind != Kind::feedback) detail::read_feedback(a, notice, limits.max_recipients);
    return a;
  }
  const auto text_rcpts = detail::scan_text(notice.text, limits.max_recipients);
  read_dsn(a, notice, text_rcpts, limits);
  if (a.recipients.empty() && text_rcpts.empty()) {
    if (auto inner = forwarded_report(notice, limits, depth)) return std::move(*inner);
  }
  if (a.recipients.empty() && detail::read_ses_json(notice.text, a, limits.max_recipients) && a.kind == Kind::feedback) {
    return a;
  }
  if (!a.format.empty()) {
    // read by a provider's own format
  } else if (!a.recipients.empty()) {
    a.format = "rfc3464";
  } else if (notice.has_report || detail::looks_like_bounce(h, a.subject, notice.text)) {
    read_text(a, h, text_rcpts, limits.max_recipients);
    a.format = "text";
  }
  adopt_notice_reply(a, notice.text);
  if (a.recipients.empty()) {
    if (detail::read_list_notice(a, h, notice)) return a;
    if (detail::looks_like_auto_reply(h, a.subject)) detail::read_auto_reply(a, h, notice);
    return a;
  }
  a.kind = kind_of(a.recipients);
  detail::NoticeContext context(notice.text, a.subject, a.recipients.size());
  for (auto& r : a.recipients) detail::finish_recipient(r, a.kind, context);
  if (const auto more = appended_message(message, tree); !more.empty() && depth < 2) {
    auto b = analyse_at(more, limits, depth + 1);
    for (auto& r : b.recipients) {
      if (a.recipients.size() >= limits.max_recipients || (b.kind != Kind::failure && b.kind != Kind::delay &&
                                                          b.kind != Kind::delivered)) {
        break;
      }
      a.recipients.push_back(std::move(r));
    }
  }
  return a;
}

}  // namespace

Analysis analyse(std::string_view message, const Limits& limits) {
  // Old Mac files end lines with a lone CR: read them with LF line ends (the MIME layer copes,
  // the line-oriented readers of notice text do not).
  const auto head = message.substr(0, 4096);
  if (head.find('\n') == std::string_view::npos && head.find('\r') != std::string_view::npos) {
    std::string lf(message.substr(0, limits.max_message));
    std::replace(lf.begin(), lf.end(), '\r', '\n');
    return analyse_at(lf, limits, 0);
  }
  return analyse_at(message, limits, 0);
}

bool looks_like_mbox(std::string_view data) { return data.substr(0, 5) == "From "; }

std::vector<std::string_view> split_mbox(std::string_view mbox) {
  std::vector<std::string_view> out;
  if (!looks_like_mbox(mbox)) {
    if (!mbox.empty()) out.push_back(mbox);
    return out;
  }
  std::size_t start = 0;
  std::size_t pos = 0;
  while (true) {
    auto next = mbox.find("\nFrom ", pos);
    if (next == std::string_view::npos) break;
    out.push_back(mbox.substr(start, next + 1 - start));
    start = next + 1;
    pos = start;
  }
  if (start < mbox.size()) out.push_back(mbox.substr(start));
  return out;
}

}  // namespace maildiag::bounce
