#include "maildiag/app/smtp_report.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace maildiag::app {

namespace {

using i18n::text;

/// "STARTTLS" is a command and stays; "implicit TLS" is words.
std::string tls_how_text(const std::string& how) { return how == "implicit TLS" ? i18n::text("smtp.tls-how.implicit") : how; }

std::string ms(double v) { return fmt::format("{:.1f} ms", v); }

std::string first_line(const codes::Reply& r) {
  return util::sanitize(std::to_string(r.code) + " " + (r.lines.empty() ? std::string() : r.lines.front()), 300);
}

std::string upper_word(const std::string& line) {
  std::string w = line.substr(0, line.find(' '));
  for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return w;
}

void capabilities_section(report::Report& rep, const SmtpFacts& f) {
  if (f.caps.empty() && !f.caps_tls) return;
  const bool two = f.caps_tls.has_value();
  auto& s = rep.add_section(text(two ? "smtp.section.caps-tls" : "smtp.section.caps"),
                            two ? std::vector<std::string>{i18n::text("smtp.col.keyword"), i18n::text("smtp.col.before-tls"),
                                                           i18n::text("smtp.col.after-tls")}
                                : std::vector<std::string>{i18n::text("smtp.col.keyword"), i18n::text("smtp.col.parameters")});
  // One row per keyword in the order first seen; parameters shown as the server sent them.
  std::vector<std::string> order;
  auto note = [&](const smtp::Capabilities& c) {
    for (const auto& k : c.keywords) {
      const auto w = upper_word(k);
      if (std::find(order.begin(), order.end(), w) == order.end()) order.push_back(w);
    }
  };
  note(f.caps);
  if (two) note(*f.caps_tls);
  auto params = [](const smtp::Capabilities& c, const std::string& w) -> std::string {
    std::string out;
    bool found = false;
    for (const auto& k : c.keywords) {
      if (upper_word(k) != w) continue;
      found = true;
      const auto sp = k.find(' ');
      if (sp != std::string::npos) out += (out.empty() ? "" : " ") + util::sanitize(k.substr(sp + 1), 200);
    }
    if (!found) return "-";
    return out.empty() ? "yes" : out;
  };
  for (const auto& w : order) {
    if (two) s.rows.push_back({util::sanitize(w, 60), params(f.caps, w), params(*f.caps_tls, w)});
    else s.rows.push_back({util::sanitize(w, 60), params(f.caps, w)});
  }
}

void recipients_section(report::Report& rep, const SmtpFacts& f) {
  if (f.rcpts.empty()) return;
  auto& s = rep.add_section(i18n::text("smtp.section.recipients"), {i18n::text("smtp.col.recipient"), i18n::text("smtp.col.verdict"),
                                                            i18n::text("smtp.col.reply"), i18n::text("smtp.col.meaning")});
  for (const auto& r : f.rcpts) {
    std::string meaning = r.note_id.empty() ? r.note : text(r.note_id);
    if (meaning.empty() && r.classification) meaning = std::string(codes::info(r.classification->reason).description);
    const std::string address = util::sanitize(r.address, 200);
    s.rows.push_back({r.relay_probe ? i18n::format("smtp.recipients.relay-test", {address}) : address,
                      rcpt_verdict_text(r.verdict), r.reply ? first_line(*r.reply) : std::string("-"), meaning});
  }
}

void session_section(report::Report& rep, const SmtpTestOptions& o, const SmtpEndpoint& e, const SmtpFacts& f) {
  auto& s = rep.add_section(i18n::text("smtp.section.session"));
  auto row = [&](std::string_view label, std::string value) { s.rows.push_back({text(label), std::move(value)}); };
  row("smtp.row.server", fmt::format("{}:{}{}", util::sanitize(e.host, 200), e.port, e.from_mx ? " (MX)" : ""));
  if (!e.address.empty()) row("smtp.row.address", e.address);
  if (f.banner) row("smtp.row.banner", first_line(*f.banner));
  if (f.hello && !f.esmtp) row("smtp.row.esmtp", i18n::text("smtp.session.helo-only"));
  if (f.tls) row("smtp.row.tls", tls_how_text(f.tls_how) + ": " + tls::summary(*f.tls));
  else if (!o.tls_on_connect)
    row("smtp.row.tls", text(f.caps.starttls ? "smtp.session.tls-not-used" : "smtp.session.tls-not-offered"));
  if (e.tlsa.status == "ok")
    row("smtp.row.dane", i18n::format(e.tlsa.secure ? "smtp.session.dane.validated" : "smtp.session.dane.unvalidated",
                                      {std::to_string(e.tlsa.records.size())}));
  if (!f.auth_mechanism.empty())
    row("smtp.row.auth", i18n::format(f.auth_ok.value_or(false) ? "smtp.session.auth.accepted"
                                                                 : "smtp.session.auth.refused",
                                      {f.auth_mechanism}));
  if (f.relay_open) row("smtp.row.open-relay", text(*f.relay_open ? "smtp.session.relay.yes" : "smtp.session.relay.no"));
  if (f.message_reply) row("smtp.row.message", first_line(*f.message_reply));
  if (f.queue_id)
    row("smtp.row.queue-id", util::sanitize(f.queue_id->id, 128) + " (" + std::string(f.queue_id->software) + ")");
  if (!f.token.empty()) row("smtp.row.token", f.token);
  row("smtp.row.stage", i18n::format(f.completed ? "smtp.session.stage.completed" : "smtp.session.stage.stopped",
                                     {f.stage}));
  row("smtp.row.timing", i18n::format("smtp.session.timing", {ms(f.connect_ms), ms(f.banner_ms), ms(f.total_ms),
                                                              std::to_string(f.round_trips)}));
}

}  // namespace

nlohmann::json reply_json(const codes::Reply& r, bool classify) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : r.lines) lines.push_back(util::sanitize(l, 1000));
  nlohmann::json j = {{"code", r.code},
                      {"enhanced", r.enhanced ? nlohmann::json(r.enhanced->str()) : nlohmann::json(nullptr)},
                      {"text", util::sanitize(r.text(), 2000)},
                      {"lines", lines}};
  if (classify && r.reply_class() >= 4) j["classification"] = report::to_json(codes::classify(r));
  return j;
}

nlohmann::json to_json(const smtp::Capabilities& c) {
  nlohmann::json kw = nlohmann::json::array();
  for (const auto& k : c.keywords) kw.push_back(util::sanitize(k, 300));
  nlohmann::json other = nlohmann::json::array();
  for (const auto& k : c.other) other.push_back(util::sanitize(k, 300));
  nlohmann::json auth = nlohmann::json::array();
  for (const auto& a : c.auth) auth.push_back(util::sanitize(a, 60));
  return {{"server_name", util::sanitize(c.server_name, 255)},
          {"keywords", kw},
          {"size", c.size},
          {"size_limit", c.size_limit ? nlohmann::json(*c.size_limit) : nlohmann::json(nullptr)},
          {"pipelining", c.pipelining},
          {"starttls", c.starttls},
          {"8bitmime", c.eightbitmime},
          {"smtputf8", c.smtputf8},
          {"chunking", c.chunking},
          {"binarymime", c.binarymime},
          {"dsn", c.dsn},
          {"enhancedstatuscodes", c.enhanced_status_codes},
          {"requiretls", c.requiretls},
          {"prdr", c.prdr},
          {"auth", auth},
          {"other", other},
          {"notes", c.notes}};
}

nlohmann::json smtp_data(const SmtpTestOptions& o, const SmtpEndpoint& e, const SmtpFacts& f) {
  nlohmann::json j;
  j["host"] = util::sanitize(e.host, 255);
  j["port"] = e.port;
  j["address"] = e.address.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.address);
  j["from_mx"] = e.from_mx;
  j["stage"] = f.stage;
  j["completed"] = f.completed;
  j["banner"] = f.banner ? reply_json(*f.banner) : nlohmann::json(nullptr);
  j["esmtp"] = f.esmtp;
  j["capabilities"] = f.hello ? to_json(f.caps) : nlohmann::json(nullptr);
  j["capabilities_tls"] = f.caps_tls ? to_json(*f.caps_tls) : nlohmann::json(nullptr);
  if (f.caps_tls) {
    const auto d = smtp::diff(f.caps, *f.caps_tls);
    j["capability_changes"] = {{"added", d.added}, {"removed", d.removed}};
  }
  j["tls_mode"] = o.tls_on_connect ? "implicit" : o.starttls == StartTlsMode::never ? "never"
                                                : o.starttls == StartTlsMode::require ? "require" : "auto";
  j["starttls_reply"] = f.starttls_reply ? reply_json(*f.starttls_reply) : nlohmann::json(nullptr);
  j["tls"] = f.tls ? tls::to_json(*f.tls) : nlohmann::json(nullptr);
  nlohmann::json tlsa = nlohmann::json::array();
  for (const auto& r : e.tlsa.records) tlsa.push_back(r.to_string());
  j["dane"] = {{"status", e.tlsa.status}, {"dnssec", e.tlsa.secure}, {"records", tlsa}};
  j["auth"] = f.auth_mechanism.empty() ? nlohmann::json(nullptr)
                                       : nlohmann::json{{"mechanism", f.auth_mechanism},
                                                        {"ok", f.auth_ok.value_or(false)},
                                                        {"reply", f.auth_reply ? reply_json(*f.auth_reply) : nullptr}};
  j["relay_test"] = o.relay_test ? nlohmann::json{{"from", o.relay_from}, {"to", o.relay_to},
                                                  {"open", f.relay_open ? nlohmann::json(*f.relay_open) : nullptr}}
                                 : nlohmann::json(nullptr);
  j["mail"] = f.mail_reply ? reply_json(*f.mail_reply) : nlohmann::json(nullptr);
  nlohmann::json rcpts = nlohmann::json::array();
  for (const auto& r : f.rcpts) {
    rcpts.push_back({{"address", util::sanitize(r.address, 300)},
                     {"relay_test", r.relay_probe},
                     {"verdict", smtp::to_string(r.verdict)},
                     {"reply", r.reply ? reply_json(*r.reply, false) : nlohmann::json(nullptr)},
                     {"classification", r.classification ? report::to_json(*r.classification) : nlohmann::json(nullptr)},
                     {"note", r.note}});
  }
  j["recipients"] = rcpts;
  if (f.data_reply || f.message_reply) {
    j["message"] = {{"data_reply", f.data_reply ? reply_json(*f.data_reply) : nlohmann::json(nullptr)},
                    {"reply", f.message_reply ? reply_json(*f.message_reply) : nlohmann::json(nullptr)},
                    {"queue_id", f.queue_id ? nlohmann::json(f.queue_id->id) : nlohmann::json(nullptr)},
                    {"server_software", f.queue_id ? nlohmann::json(f.queue_id->software) : nlohmann::json(nullptr)},
                    {"token", f.token},
                    {"message_id", f.message_id},
                    {"bytes", f.message_bytes}};
  }
  j["timing"] = {{"connect_ms", f.connect_ms}, {"banner_ms", f.banner_ms}, {"total_ms", f.total_ms},
                 {"round_trips", f.round_trips}};
  return j;
}

void add_smtp_sections(report::Report& rep, const SmtpTestOptions& o, const SmtpEndpoint& e, const SmtpFacts& f) {
  session_section(rep, o, e, f);
  capabilities_section(rep, f);
  if (f.tls) {
    auto& s = rep.add_section("TLS (" + tls_how_text(f.tls_how) + ")");
    tls::add_rows(s, *f.tls);
  }
  recipients_section(rep, f);
}

}  // namespace maildiag::app
