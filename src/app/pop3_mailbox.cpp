// pop3-test, after login: the read-only look at the maildrop (STAT, LIST, UIDL, TOP n 0, RETR n).
// Never DELE: QUIT after these commands changes nothing on the server.

#include "pop3_dialog.hpp"

#include "maildiag/codes/pop3.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <ostream>

namespace maildiag::app::pop3_test {

namespace {

using report::Severity;

constexpr std::size_t kMaxHeadersShown = 200;
constexpr std::array<std::string_view, 8> kKeyHeaders{"From", "To", "Subject", "Date", "Message-ID", "Return-Path",
                                                       "Authentication-Results", "X-Spam-Status"};

std::string lower(std::string_view s) { return util::to_lower(s); }

}  // namespace

void Dialog::mailbox() {
  const auto md = stat();
  if (failed_) return;
  if (md && md->messages == 0)
    rep_.add(Severity::info, "pop3.mailbox.empty", "The mailbox is empty",
             "Login works; there is simply no mail waiting (another client may have downloaded and deleted it).", {},
             "If mail is expected, check that it is delivered (the sender's bounce, the server's mail log) and "
             "whether another device fetches it with \"delete from server\".");
  listing("LIST", "Messages (LIST)", "Octets");
  if (failed_) return;
  if (!caps_ || caps_->uidl) listing("UIDL", "Unique ids (UIDL)", "Unique id");
  if (failed_) return;
  if (opt_.top) top(*opt_.top);
  if (failed_) return;
  if (opt_.retr) retr(*opt_.retr);
}

std::optional<pop3::Maildrop> Dialog::stat() {
  auto r = command(pop3::Command::make("STAT"));
  if (!r) return std::nullopt;
  if (!r->status.ok) {
    rep_.add(Severity::warning, "pop3.stat.refused", "STAT was refused after login",
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300));
    return std::nullopt;
  }
  const auto md = pop3::parse_stat(r->status.text);
  if (!md) {
    rep_.add(Severity::warning, "pop3.stat.malformed", "The STAT reply is not \"+OK count size\" (RFC 1939 §5)", {},
             util::sanitize(r->line, 300));
    return std::nullopt;
  }
  rep_.data["mailbox"]["messages"] = md->messages;
  rep_.data["mailbox"]["octets"] = md->octets;
  auto& s = rep_.add_section("Mailbox");
  s.rows.push_back({"Messages", std::to_string(md->messages)});
  s.rows.push_back({"Size", fmt::format("{} octets", md->octets)});
  return md;
}

void Dialog::listing(const char* verb, const char* title, const char* value_column) {
  auto r = command(pop3::Command::make(verb));
  if (!r) return;
  const std::string key = lower(verb);
  if (!r->status.ok) {
    rep_.add(Severity::info, "pop3." + key + ".refused", fmt::format("{} was refused", verb),
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300));
    return;
  }
  nlohmann::json shown = nlohmann::json::array();
  auto& s = rep_.add_section(title, {"#", value_column});
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
  if (count > opt_.list_max) s.rows.push_back({"...", fmt::format("{} more", count - opt_.list_max)});
  rep_.data[key] = {{"count", count}, {"shown", shown}};
  if (std::string_view(verb) == "LIST") rep_.data[key]["octets"] = octets;
  if (malformed > 0)
    rep_.add(Severity::info, "pop3." + key + ".malformed", fmt::format("{} {} lines are not \"number value\"", malformed, verb));
  const auto stat_count = rep_.data.contains("mailbox") ? rep_.data["mailbox"].value("messages", std::uint64_t{0}) : 0;
  if (std::string_view(verb) == "LIST" && rep_.data.contains("mailbox") && stat_count != count)
    rep_.add(Severity::info, "pop3.list.mismatch",
             fmt::format("LIST shows {} messages, STAT said {}", count, stat_count));
}

void Dialog::top(std::uint64_t n) {
  auto r = command(pop3::Command::make("TOP", fmt::format("{} 0", n)));
  if (!r) return;
  if (!r->status.ok) {
    rep_.add(Severity::warning, "pop3.top.refused", fmt::format("TOP {} 0 was refused", n),
             caps_ && !caps_->top ? "The server does not announce TOP in CAPA." : codes::classify_pop3(r->status).code_meaning,
             util::sanitize(r->line, 300));
    return;
  }
  std::string block;
  for (const auto& l : r->body) block += l + "\r\n";
  const auto hb = message::parse_headers(block);
  auto& s = rep_.add_section(fmt::format("Headers of message {}", n));
  for (const auto name : kKeyHeaders) {
    const auto all = hb.find_all(name);
    for (const auto* h : all) s.rows.push_back({h->name, util::sanitize(h->value, 300)});
  }
  s.rows.push_back({"Received", fmt::format("{} hops", hb.find_all("Received").size())});
  nlohmann::json headers = nlohmann::json::array();
  for (std::size_t i = 0; i < hb.headers.size() && i < kMaxHeadersShown; ++i)
    headers.push_back({{"name", util::sanitize(hb.headers[i].name, 100)}, {"value", util::sanitize(hb.headers[i].value, 2000)}});
  rep_.data["top"] = {{"number", n}, {"headers", headers}, {"header_count", hb.headers.size()}, {"problems", hb.problems}};
}

void Dialog::retr(std::uint64_t n) {
  auto r = command(pop3::Command::make("RETR", std::to_string(n)));
  if (!r) return;
  if (!r->status.ok) {
    rep_.add(Severity::warning, "pop3.retr.refused", fmt::format("RETR {} was refused", n),
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300));
    return;
  }
  if (opt_.retr_out != nullptr) {
    for (const auto& l : r->body) *opt_.retr_out << l << '\n';
    opt_.retr_out->flush();
  }
  rep_.data["retr"] = {{"number", n}, {"lines", r->body.size()}, {"octets", r->body_bytes}};
  auto& s = rep_.add_section(fmt::format("Message {}", n));
  s.rows.push_back({"Retrieved", fmt::format("{} lines, {} octets", r->body.size(), r->body_bytes)});
}

}  // namespace maildiag::app::pop3_test
