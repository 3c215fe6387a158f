#include "pop3_dialog.hpp"

#include "maildiag/codes/pop3.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/base64.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

namespace maildiag::app {

namespace pop3_test {

namespace {

using report::Severity;
namespace ev = pop3::event;
using i18n::format;

using i18n::text;

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

nlohmann::json caps_json(const pop3::Capabilities& c) {
  nlohmann::json j;
  j["lines"] = c.lines;
  j["stls"] = c.stls;
  j["user"] = c.user;
  j["top"] = c.top;
  j["uidl"] = c.uidl;
  j["sasl"] = c.sasl_mechanisms;
  j["resp_codes"] = c.resp_codes;
  j["pipelining"] = c.pipelining;
  j["login_delay"] = c.login_delay ? nlohmann::json(*c.login_delay) : nlohmann::json();
  j["expire"] = c.expire ? nlohmann::json(*c.expire) : nlohmann::json();
  j["implementation"] = c.implementation ? nlohmann::json(util::sanitize(*c.implementation, 200)) : nlohmann::json();
  return j;
}

std::string method_label(std::string_view method) {
  if (method == "user") return "USER/PASS";
  if (method == "apop") return "APOP";
  return "AUTH PLAIN";
}

std::string note_for(const codes::Pop3Status& st) {
  if (st.ok) return {};
  const auto c = codes::classify_pop3(st);
  return std::string(codes::to_string(c.outcome)) + ", " + std::string(codes::info(c.reason).name);
}

}  // namespace

std::string apop_digest(std::string_view stamp, std::string_view password) {
  std::string input(stamp);
  input.append(password);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), md, &len, EVP_md5(), nullptr) != 1) return {};
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

Dialog::Dialog(const Pop3TestOptions& options, report::Report& rep, link::Link& link,
               std::optional<std::string> password)
    : opt_(options), rep_(rep), link_(link), password_(std::move(password)) {
  client_.set_trace([](std::string_view s) { spdlog::debug("{}", s); });
}

void Dialog::run() {
  if (!greeting() || !capa() || !starttls()) {
    if ((!failed_ || link_.interrupted()) && !link_.eof()) quit();
    summary();
    return;
  }
  check_plaintext_offer();
  const bool logged_in = login();
  if (logged_in) mailbox();
  if ((!failed_ || link_.interrupted()) && !link_.eof()) quit();
  summary();
}

void Dialog::summary() {
  report::Section s{format("pop3.summary.title", {link_.where()}), {}, {}};
  const auto& d = rep_.data;
  if (d.contains("greeting")) s.rows.push_back({i18n::text("pop3.summary.greeting"), d["greeting"].get<std::string>()});
  std::string security = link_.options().implicit_tls ? i18n::text("pop3.link.implicit-tls")
                         : link_.tls()               ? "STLS"
                                                     : i18n::text("pop3.summary.security.none");
  if (const auto* t = link_.tls_report()) security += ": " + tls::summary(*t);
  s.rows.push_back({i18n::text("pop3.summary.security"), security});
  if (caps_) s.rows.push_back({i18n::text("pop3.summary.capabilities"), util::sanitize(join(caps_->lines, " "), 300)});
  if (d.contains("login")) {
    const auto& l = d["login"];
    s.rows.push_back({i18n::text("pop3.summary.login"),
                      format(l.value("ok", false) ? "pop3.summary.login.ok" : "pop3.summary.login.failed",
                             {l.value("user", std::string()), method_label(l.value("method", std::string()))})});
  }
  if (d.contains("mailbox"))
    s.rows.push_back({i18n::text("pop3.summary.mailbox"),
                      format("pop3.summary.mailbox.value", {std::to_string(d["mailbox"].value("messages", std::uint64_t{0})),
                                                            std::to_string(d["mailbox"].value("octets", std::uint64_t{0}))})});
  rep_.sections.insert(rep_.sections.begin(), std::move(s));
}

void Dialog::log_response(const ev::Response& r) {
  link_.received(r.line, note_for(r.status), !r.status.ok);
  if (r.body.empty() && !r.command.multiline()) return;
  const bool content = util::iequals(r.command.verb, "RETR") || util::iequals(r.command.verb, "TOP");
  if (!content) {
    for (std::size_t i = 0; i < r.body.size() && i < link::kBodyLinesShown; ++i) link_.received(r.body[i]);
  }
  const auto hidden = content ? r.body.size() : r.body.size() - std::min(r.body.size(), link::kBodyLinesShown);
  if (hidden > 0) link_.info(fmt::format("... {} {}lines, {} octets", hidden, content ? "" : "more ", r.body_bytes));
  if (r.status.ok && r.command.multiline()) link_.received(".");
}

void Dialog::protocol_error(const ev::ProtocolError& e, std::string_view during) {
  failed_ = true;
  const bool injection = e.kind == pop3::ErrorKind::stls_leftover;
  link_.error(e.message);
  rep_.add(Severity::critical, "pop3.protocol." + std::string(pop3::to_string(e.kind)),
           injection ? i18n::text("pop3.protocol.injection.title") : format("pop3.protocol.title", {link::waiting_text(during)}),
           e.message, util::sanitize(e.evidence, 300),
           text(injection ? "pop3.protocol.injection.fix" : "pop3.protocol.fix"));
  link_.abort();
}

std::optional<ev::Response> Dialog::await_response(std::string_view waiting_for) {
  for (;;) {
    auto e = link::wait_event<pop3::Event, ev::NeedData>(client_, link_, waiting_for);
    if (!e) {
      failed_ = true;
      return std::nullopt;
    }
    if (auto* r = std::get_if<ev::Response>(&*e)) {
      log_response(*r);
      return std::move(*r);
    }
    if (auto* c = std::get_if<ev::Continuation>(&*e)) {
      link_.received(c->line);
      // We always send PLAIN's initial response; a challenge means the server ignored it: cancel.
      (void)client_.send(pop3::Command::sasl("*"));
      if (!link_.write(client_.take_output(), "*", "the SASL cancel")) return std::nullopt;
      continue;
    }
    if (auto* p = std::get_if<ev::ProtocolError>(&*e)) {
      protocol_error(*p, waiting_for);
      return std::nullopt;
    }
    if (std::holds_alternative<ev::Closed>(*e)) {
      failed_ = true;
      link_.error("connection closed by the server");
      rep_.add(Severity::critical, "pop3.closed", format("pop3.closed.title", {link::waiting_text(waiting_for)}),
               i18n::text("pop3.closed.detail"), {}, i18n::text("pop3.closed.fix"));
      return std::nullopt;
    }
  }
}

std::optional<ev::Response> Dialog::command(const pop3::Command& cmd, std::string_view shown) {
  if (link_.interrupted()) return std::nullopt;  // Ctrl-C: nothing new, only the QUIT
  if (auto err = client_.send(cmd)) {
    link_.error("not sent: " + err->message);
    return std::nullopt;
  }
  if (!link_.write(client_.take_output(), shown.empty() ? cmd.redacted() : shown, cmd.verb)) {
    failed_ = true;
    return std::nullopt;
  }
  return await_response("the reply to " + cmd.verb);
}

bool Dialog::greeting() {
  const auto t = link_.elapsed_ms();
  auto e = link::wait_event<pop3::Event, ev::NeedData>(client_, link_, "the greeting");
  if (!e) {
    failed_ = true;
    link::report_missing_greeting(link_, rep_);
    return false;
  }
  if (auto* p = std::get_if<ev::ProtocolError>(&*e)) {
    protocol_error(*p, "the greeting");
    return false;
  }
  const auto* g = std::get_if<ev::Greeting>(&*e);
  if (g == nullptr) return false;
  link_.received(g->line, note_for(g->status), !g->status.ok);
  rep_.data["greeting"] = util::sanitize(g->line, 500);
  rep_.data["greeting_ms"] = link_.elapsed_ms() - t;
  rep_.data["apop"] = g->apop_timestamp.has_value();
  apop_stamp_ = g->apop_timestamp;
  if (!g->status.ok) {
    const auto c = codes::classify_pop3(g->status);
    rep_.add(Severity::critical, "pop3.greeting.refused", i18n::text("pop3.greeting.refused.title"),
             c.code_meaning, util::sanitize(g->line, 300), c.remediation);
    rep_.data["greeting_classification"] = report::to_json(c);
    return false;
  }
  return true;
}

bool Dialog::capa() {
  auto r = command(pop3::Command::make("CAPA"));
  if (!r) return false;
  if (!r->status.ok) {
    caps_.reset();
    rep_.add(Severity::info, "pop3.capa.unsupported", i18n::text("pop3.capa.unsupported.title"),
             i18n::text("pop3.capa.unsupported.detail"), util::sanitize(r->line, 300));
    return true;
  }
  caps_ = pop3::parse_capa(r->body);
  rep_.data["capabilities"] = caps_json(*caps_);
  if (!link_.tls()) {
    plain_caps_ = caps_;
    rep_.data["capabilities_plain"] = caps_json(*caps_);
  }
  return true;
}

bool Dialog::starttls() {
  if (link_.tls()) return true;
  const auto mode = link::starttls_from_string(opt_.starttls).value_or(link::StartTls::automatic);
  const bool offered = caps_ && caps_->stls;
  rep_.data["stls_offered"] = offered;
  if (mode == link::StartTls::never || (mode == link::StartTls::automatic && !offered)) {
    if (!offered)
      rep_.add(Severity::warning, "pop3.stls.missing", i18n::text("pop3.stls.missing.title"), i18n::text("pop3.stls.missing.detail"),
               {}, i18n::text("pop3.stls.missing.fix"));
    else
      rep_.add(Severity::info, "pop3.stls.skipped", i18n::text("pop3.stls.skipped.title"), {}, {},
               i18n::text("pop3.stls.skipped.fix"));
    return true;
  }
  auto r = command(pop3::Command::make("STLS"));
  if (!r) return false;
  if (!r->status.ok) {
    const bool required = mode == link::StartTls::require;
    rep_.add(required ? Severity::critical : Severity::warning, "pop3.stls.refused",
             text(offered ? "pop3.stls.refused.title" : "pop3.stls.unavailable.title"),
             codes::classify_pop3(r->status).code_meaning, util::sanitize(r->line, 300), i18n::text("pop3.stls.refused.fix"));
    return !required;
  }
  if (!link::upgrade_to_tls<ev::ReadyForTls, ev::ProtocolError>(
          client_, link_, [&](const ev::ProtocolError& p) { protocol_error(p, "STLS"); })) {
    failed_ = true;
    return false;
  }
  return capa();
}

void Dialog::check_plaintext_offer() {
  if (!plain_caps_ || link_.options().implicit_tls) return;
  const bool user = plain_caps_->user;
  const bool plain = plain_caps_->has_mechanism("PLAIN") || plain_caps_->has_mechanism("LOGIN");
  if (!user && !plain) return;
  rep_.add(Severity::warning, "pop3.plaintext-auth-offered", i18n::text("pop3.plaintext-auth-offered.title"),
           format("pop3.plaintext-auth-offered.detail",
                  {user && plain ? i18n::text("pop3.plaintext-auth-offered.user-and-sasl") : user ? "USER" : "SASL PLAIN/LOGIN"}),
           join(plain_caps_->lines, " | "), i18n::text("pop3.plaintext-auth-offered.fix"));
}

std::string Dialog::choose_auth() const {
  if (opt_.auth != "auto") return opt_.auth;
  const bool have_caps = caps_.has_value();
  if (!link_.tls() && apop_stamp_) return "apop";  // does not reveal the password
  if (have_caps && caps_->has_mechanism("PLAIN")) return "plain";
  if (!have_caps || caps_->user) return "user";
  if (apop_stamp_) return "apop";
  return have_caps && caps_->sasl ? "plain" : "user";
}

std::optional<ev::Response> Dialog::send_login(const std::string& method) {
  const std::string& user = *opt_.user;
  if (method == "apop") {
    if (!apop_stamp_) {
      link_.error("APOP needs a timestamp in the greeting; this server gave none");
      rep_.add(Severity::unknown, "pop3.login.apop-unavailable", i18n::text("pop3.login.apop-unavailable.title"));
      return std::nullopt;
    }
    return command(pop3::Command::make("APOP", user + " " + apop_digest(*apop_stamp_, *password_)));
  }
  if (method == "plain") {
    const std::string msg = std::string(1, '\0') + user + std::string(1, '\0') + *password_;
    return command(pop3::Command::make("AUTH", "PLAIN " + util::base64_encode(msg)));
  }
  auto u = command(pop3::Command::make("USER", user));
  if (!u || !u->status.ok) return u;
  return command(pop3::Command::make("PASS", *password_));
}

bool Dialog::login() {
  if (!opt_.user) {
    link_.info("no --user: login not tested");
    return false;
  }
  if (!link_.tls() && !opt_.allow_plaintext) {
    rep_.add(Severity::warning, "pop3.login.not-sent", i18n::text("pop3.login.not-sent.title"),
             i18n::text("pop3.login.not-sent.detail"), {}, i18n::text("pop3.login.not-sent.fix"));
    return false;
  }
  if (!link_.tls())
    rep_.add(Severity::warning, "pop3.login.plaintext", i18n::text("pop3.login.plaintext.title"));
  const auto method = choose_auth();
  const auto t = link_.elapsed_ms();
  auto r = send_login(method);
  nlohmann::json j;
  j["user"] = util::sanitize(*opt_.user, 200);
  j["method"] = method;
  j["ms"] = link_.elapsed_ms() - t;
  if (!r) {
    j["ok"] = false;
    rep_.data["login"] = j;
    return false;
  }
  j["ok"] = r->status.ok;
  j["reply"] = util::sanitize(r->line, 500);
  j["classification"] = report::to_json(codes::classify_pop3(r->status));
  rep_.data["login"] = j;
  if (r->status.ok) {
    rep_.add(Severity::ok, "pop3.login.ok",
             format("pop3.login.ok.title", {util::sanitize(*opt_.user, 100), method_label(method)}));
    return true;
  }
  login_failed(*r, method);
  return false;
}

void Dialog::login_failed(const ev::Response& r, const std::string& method) {
  const auto c = codes::classify_pop3(r.status);
  const auto code = r.status.resp_code.value_or("");
  const auto evidence = util::sanitize(r.line, 300);
  if (util::iequals(code, "IN-USE")) {
    rep_.add(Severity::warning, "pop3.login.in-use", i18n::text("pop3.login.in-use.title"), c.code_meaning, evidence,
             c.remediation);
  } else if (util::iequals(code, "LOGIN-DELAY")) {
    rep_.add(Severity::warning, "pop3.login.login-delay",
             caps_ && caps_->login_delay ? format("pop3.login.login-delay.title.capa", {*caps_->login_delay})
                                         : i18n::text("pop3.login.login-delay.title"),
             c.code_meaning, evidence, c.remediation);
  } else if (c.reason == codes::Reason::tls_required) {
    rep_.add(Severity::critical, "pop3.login.plaintext-disabled", i18n::text("pop3.login.plaintext-disabled.title"),
             c.code_meaning, evidence, i18n::text("pop3.login.plaintext-disabled.fix"));
  } else if (c.outcome == codes::Outcome::transient) {
    rep_.add(Severity::warning, "pop3.login.temporary", i18n::text("pop3.login.temporary.title"), c.code_meaning, evidence,
             c.remediation);
  } else if (util::iequals(code, "AUTH")) {
    rep_.add(Severity::critical, "pop3.login.refused", i18n::text("pop3.login.refused.title"), i18n::text("pop3.login.refused.detail"),
             evidence, c.remediation);
  } else {
    rep_.add(Severity::critical, "pop3.login.failed",
             format("pop3.login.failed.title", {r.command.verb, method_label(method)}), i18n::text("pop3.login.failed.detail"),
             evidence, c.remediation);
  }
  for (const auto& n : c.notes) rep_.add(Severity::info, "pop3.login.note", n);
}

void Dialog::finish_cut_reply() {
  // Ctrl-C cut a reply short: read it to its end (within the grace period) so QUIT may follow.
  for (;;) {
    const auto st = client_.state();
    if (link_.eof() || (st != pop3::State::awaiting_greeting && st != pop3::State::awaiting_response &&
                        st != pop3::State::awaiting_body))
      return;
    auto e = link::wait_event<pop3::Event, ev::NeedData>(client_, link_, "the rest of the reply");
    if (!e) return;
    if (auto* r = std::get_if<ev::Response>(&*e)) log_response(*r);
    else if (auto* g = std::get_if<ev::Greeting>(&*e)) link_.received(g->line, note_for(g->status), !g->status.ok);
    else return;  // a SASL challenge, a protocol error, the end
  }
}

void Dialog::quit() {
  if (link_.interrupted()) finish_cut_reply();
  if (client_.state() != pop3::State::ready) return;
  link_.closing();
  const auto cmd = pop3::Command::make("QUIT");
  if (client_.send(cmd) || !link_.write(client_.take_output(), cmd.text(), "QUIT")) return;
  // A server that closes instead of answering QUIT (after a -ERR greeting, say) is harmless here.
  auto e = link::wait_event<pop3::Event, ev::NeedData>(client_, link_, "the reply to QUIT");
  if (e && std::holds_alternative<ev::Response>(*e)) {
    log_response(std::get<ev::Response>(*e));
  } else if (link_.eof()) {
    link_.info("connection closed by the server");
  }
}

}  // namespace pop3_test

std::optional<report::Report> run_pop3_test(const Pop3TestOptions& options, std::string* error) {
  return link::run_session(
      options, "pop3", 110, 995,
      [&](report::Report& rep, link::Link& ln, std::optional<std::string> password) {
        pop3_test::Dialog d(options, rep, ln, std::move(password));
        d.run();
      },
      error);
}

}  // namespace maildiag::app
