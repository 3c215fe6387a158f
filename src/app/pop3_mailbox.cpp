// pop3-test, after login: the read-only look at the maildrop (STAT, LIST, UIDL, TOP n 0, RETR n).
// Never DELE: QUIT after these commands changes nothing on the server.

#include "pop3_dialog.hpp"

#include "maildiag/codes/pop3.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <ostream>

namespace maildiag::app::pop3_test {

namespace {

using report::Severity;
using i18n::format;

constexpr std::size_t kMaxHeadersShown = 200;
constexpr std::array<std::string_view, 8> kKeyHeaders{"From", "To", "Subject", "Date", "Message-ID", "Return-Path",
                                                       "Authentication-Results", "X-Spam-Status"};

std::string lower(std::string_view s) { return util::to_lower(s); }

}  // namespace

void Dialog::mailbox() {
  const auto md = stat();
  if (failed_) return;
  if (md && md->messages == 0)
    rep_.add(Severity::info, "pop3.mailbox.empty", i18n::text("pop3.mailbox.empty.title"), i18n::text("pop3.mailbox.empty.detail"),
             {}, i18n::text("pop3.mailbox.empty.fix"));
  listing("LIST", "pop3.section.list", "pop3.column.octets");
  if (failed_) return;
  if (!caps_ || caps_->uidl) listing("UIDL", "pop3.section.uidl", "pop3.column.uid");
  if (failed_) return;
  if (opt_.top) top(*opt_.top);
  if (failed_) return;
  if (opt_.retr) retr(*opt_.retr);
}

std::optional<pop3::Maildrop> Dialog::stat() {
  auto r = command(pop3::Command::make("STAT"));
  if (!r) return std::nullopt;
  if (!r->status.ok) {
    rep_.add(Severity::warning, "pop3.stat.refused", i18n::text("pop3.stat.refused.title"),
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300));
    return std::nullopt;
  }
  const auto md = pop3::parse_stat(r->status.text);
  if (!md) {
    rep_.add(Severity::warning, "pop3.stat.malformed", i18n::text("pop3.stat.malformed.title"), {}, util::sanitize(r->line, 300));
    return std::nullopt;
  }
  rep_.data["mailbox"]["messages"] = md->messages;
  rep_.data["mailbox"]["octets"] = md->octets;
  auto& s = rep_.add_section(i18n::text("pop3.section.mailbox"));
  s.rows.push_back({i18n::text("pop3.row.messages"), std::to_string(md->messages)});
  s.rows.push_back({i18n::text("pop3.row.size"), format("pop3.value.octets", {std::to_string(md->octets)})});
  return md;
}

void Dialog::listing(const char* verb, std::string_view title_id, std::string_view column_id) {
  auto r = command(pop3::Command::make(verb));
  if (!r) return;
  const std::string key = lower(verb);
  if (!r->status.ok) {
    rep_.add(Severity::info, "pop3." + key + ".refused", format("pop3.listing.refused.title", {verb}),
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300));
    return;
  }
  nlohmann::json shown = nlohmann::json::array();
  auto& s = rep_.add_section(i18n::text(title_id), {"#", i18n::text(column_id)});
  std::size_t count = 0;
  std::size_t malformed = 0;
  std::uint64_t octets = 0;
  for (const auto& line : r->body) {
    const auto item = pop3::parse_scan_line(line);
    if (!item) {
      ++malformed;
      continue;
    }
    ++count;
    if (std::string_view(verb) == "LIST") octets += util::parse_uint(item->value).value_or(0);
    if (count > opt_.list_max) continue;
    const auto value = util::sanitize(item->value, 100);
    s.rows.push_back({std::to_string(item->number), value});
    if (std::string_view(verb) == "LIST") {  // a size is a number in JSON; a malformed one is null
      const auto size = util::parse_uint(item->value);
      shown.push_back({{"number", item->number}, {"octets", size ? nlohmann::json(*size) : nlohmann::json()}});
    } else {
      shown.push_back({{"number", item->number}, {"uid", value}});
    }
  }
  if (count > opt_.list_max) s.rows.push_back({"...", format("pop3.listing.more", {std::to_string(count - opt_.list_max)})});
  rep_.data[key] = {{"count", count}, {"shown", shown}};
  if (std::string_view(verb) == "LIST") rep_.data[key]["octets"] = octets;
  if (malformed > 0)
    rep_.add(Severity::info, "pop3." + key + ".malformed", format("pop3.listing.malformed.title", {std::to_string(malformed), verb}));
  const auto stat_count = rep_.data.contains("mailbox") ? rep_.data["mailbox"].value("messages", std::uint64_t{0}) : 0;
  if (std::string_view(verb) == "LIST" && rep_.data.contains("mailbox") && stat_count != count)
    rep_.add(Severity::info, "pop3.list.mismatch",
             format("pop3.list.mismatch.title", {std::to_string(count), std::to_string(stat_count)}));
}

void Dialog::top(std::uint64_t n) {
  auto r = command(pop3::Command::make("TOP", fmt::format("{} 0", n)));
  if (!r) return;
  if (!r->status.ok) {
    rep_.add(Severity::warning, "pop3.top.refused", format("pop3.top.refused.title", {std::to_string(n)}),
             caps_ && !caps_->top ? i18n::text("pop3.top.refused.not-announced") : codes::classify_pop3(r->status).code_meaning,
             util::sanitize(r->line, 300));
    return;
  }
  std::string block;
  for (const auto& l : r->body) block += l + "\r\n";
  const auto hb = message::parse_headers(block);
  auto& s = rep_.add_section(format("pop3.section.headers", {std::to_string(n)}));
  for (const auto name : kKeyHeaders) {
    const auto all = hb.find_all(name);
    for (const auto* h : all) s.rows.push_back({std::string(h->name), util::sanitize(h->value, 300)});
  }
  s.rows.push_back({"Received", format("pop3.value.hops", {std::to_string(hb.find_all("Received").size())})});
  nlohmann::json headers = nlohmann::json::array();
  for (std::size_t i = 0; i < hb.headers.size() && i < kMaxHeadersShown; ++i)
    headers.push_back({{"name", util::sanitize(hb.headers[i].name, 100)}, {"value", util::sanitize(hb.headers[i].value, 2000)}});
  rep_.data["top"] = {{"number", n}, {"headers", headers}, {"header_count", hb.headers.size()}, {"problems", hb.problems}};
}

void Dialog::retr(std::uint64_t n) {
  auto r = command(pop3::Command::make("RETR", std::to_string(n)));
  if (!r) return;
  if (!r->status.ok) {
    rep_.add(Severity::warning, "pop3.retr.refused", format("pop3.retr.refused.title", {std::to_string(n)}),
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300));
    return;
  }
  if (opt_.retr_out != nullptr) {
    for (const auto& l : r->body) *opt_.retr_out << l << '\n';
    opt_.retr_out->flush();
  }
  rep_.data["retr"] = {{"number", n}, {"lines", r->body.size()}, {"octets", r->body_bytes}};
  auto& s = rep_.add_section(format("pop3.section.message", {std::to_string(n)}));
  s.rows.push_back({i18n::text("pop3.row.retrieved"),
                    format("pop3.value.lines-octets", {std::to_string(r->body.size()), std::to_string(r->body_bytes)})});
}

}  // namespace maildiag::app::pop3_test
