// `maildiag headers`: one report per message - summary lines, then the path and the
// authentication (headers_path.cpp, headers_auth.cpp).

#include "maildiag/app/headers.hpp"

#include "headers_internal.hpp"
#include "maildiag/message/address.hpp"
#include "maildiag/message/charset.hpp"
#include "maildiag/message/date.hpp"
#include "maildiag/message/mime.hpp"
#include "maildiag/message/received.hpp"
#include "maildiag/report/json_object.hpp"
#include "maildiag/util/text.hpp"

namespace maildiag::app {

namespace {

using headers_detail::text;
using report::Severity;

constexpr std::size_t kShown = 300;  // characters of a header value shown in the summary

/// Display form of a header value: RFC 2047 decoded (raw 8-bit read as the body charset when
/// it is not UTF-8), whitespace collapsed, made safe for a terminal.
std::string display(std::string_view raw, std::string_view raw_charset, std::size_t max = kShown) {
  const auto d = message::decode_rfc2047(raw, raw_charset);
  return util::sanitize(message::collapse_whitespace(d.text), max);
}

std::string first_address(std::string_view value) {
  for (const auto& m : message::parse_address_list(value)) {
    if (!m.address.empty()) return m.address;
  }
  return {};
}

void add_summary(report::Report& r, const message::HeaderBlock& b, std::string_view charset,
                 headers_detail::Facts& f) {
  auto& s = r.add_section(i18n::text("headers.section.summary"));
  nlohmann::json summary = nlohmann::json::object();
  auto row = [&](std::string_view label, const char* key, std::string_view name) {
    const auto* h = b.find(name);
    if (h == nullptr) return;
    const std::string v = display(h->value, charset);
    s.rows.push_back({std::string(label), v});
    summary[key] = v;
  };
  row("From", "from", "from");
  row("Sender", "sender", "sender");
  row("Reply-To", "reply_to", "reply-to");
  row("To", "to", "to");
  row("Cc", "cc", "cc");
  row("Subject", "subject", "subject");
  if (const auto* h = b.find("date")) {
    const auto d = message::parse_date(h->value);
    std::string v = util::sanitize(h->value, 120);
    if (d) {
      f.date_ms = d->epoch_ms();
      v += "  = " + message::format_utc(d->epoch);
      summary["date_utc"] = message::format_utc(d->epoch);
      summary["date_offset_minutes"] = d->offset_minutes;
    } else {
      r.add(Severity::warning, "headers.date.unparsable", i18n::text("headers.date.unparsable.title"),
            i18n::text("headers.date.unparsable.detail"), util::sanitize(h->value, 200), i18n::text("headers.date.unparsable.fix"));
    }
    s.rows.push_back({"Date", v});
    summary["date"] = util::sanitize(h->value, kShown);
  } else {
    r.add(Severity::warning, "headers.date.missing", i18n::text("headers.date.missing.title"),
          i18n::text("headers.date.missing.detail"), {}, i18n::text("headers.date.missing.fix"));
  }
  row("Message-ID", "message_id", "message-id");
  row("Return-Path", "return_path", "return-path");
  row("Delivered-To", "delivered_to", "delivered-to");
  row("X-Originating-IP", "x_originating_ip", "x-originating-ip");
  const std::string mailer = i18n::text("headers.row.mailer");
  row(mailer, "mailer", b.find("x-mailer") != nullptr ? "x-mailer" : "user-agent");
  if (b.find("message-id") == nullptr) {
    r.add(Severity::info, "headers.message-id.missing", i18n::text("headers.message-id.missing.title"),
          text("headers.message-id.missing.detail"));
  }
  f.from_domain = message::domain_of(first_address(b.get("from")));
  f.return_path_domain = message::domain_of(first_address(b.get("return-path")));
  r.data["summary"] = std::move(summary);
}

void add_all(report::Report& r, const message::HeaderBlock& b, std::string_view charset) {
  auto& s = r.add_section(i18n::text("headers.section.all"));
  nlohmann::json all = nlohmann::json::array();
  for (const auto& h : b.headers) {
    const std::string v = display(h.value, charset, 2000);
    s.rows.push_back({util::sanitize(h.name, 80) + ":", v});
    all.push_back(report::object("name", util::sanitize(h.name, 200), "value", v, "line", h.line));
  }
  r.data["headers"] = std::move(all);
}

void add_parse_problems(report::Report& r, const message::HeaderBlock& b, bool cut) {
  if (cut) {
    r.add(Severity::warning, "headers.input.cut", i18n::text("headers.input.cut.title"), i18n::text("headers.input.cut.detail"));
  }
  if (b.problems.empty()) return;
  std::string all;
  for (std::size_t i = 0; i < b.problems.size() && i < 5; ++i) all += (i ? "; " : "") + b.problems[i];
  r.add(b.truncated ? Severity::warning : Severity::info, "headers.syntax", i18n::text("headers.syntax.title"),
        i18n::text("headers.syntax.detail"), util::sanitize(all, 500));
  r.data["problems"] = b.problems.size() > 20 ? std::vector<std::string>(b.problems.begin(), b.problems.begin() + 20)
                                              : b.problems;
}

}  // namespace

report::Report headers_report(const std::string& source, std::string_view headers, bool cut,
                              const HeadersOptions& options) {
  report::Report r;
  r.command = "headers";
  r.target = util::sanitize(source, 300);
  const auto block = message::parse_headers(headers);
  const auto trace = message::build_trace(block);
  headers_detail::Facts facts{block, trace, {}, {}, {}, {}, {}, {}};
  r.data["source"] = r.target;
  if (block.headers.empty()) {
    r.add(Severity::unknown, "headers.none", headers_detail::text("headers.none.title"),
          headers_detail::text("headers.none.detail"), util::sanitize(headers.substr(0, 120), 120));
    return r;
  }
  const std::string charset(message::parse_content_type(block.get("content-type")).param("charset"));
  add_summary(r, block, charset, facts);
  headers_detail::locate_origin(facts);
  headers_detail::add_path(r, facts);
  headers_detail::add_authentication(r, facts);
  add_parse_problems(r, block, cut);
  if (options.all) add_all(r, block, charset);
  return r;
}

}  // namespace maildiag::app
