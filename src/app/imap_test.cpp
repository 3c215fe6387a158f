// imap-test: the policy over the IMAP engine. Greeting, CAPABILITY, STARTTLS, login, STATUS +
// EXAMINE (read-only), LOGOUT; every step leaves findings, transcript lines and `data`.

#include "pop3_imap_link.hpp"

#include "maildiag/app/imap_test.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/imap/classify.hpp"
#include "maildiag/imap/client.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/base64.hpp"
#include "maildiag/util/text.hpp"

#include <spdlog/spdlog.h>

namespace maildiag::app {

namespace {

using report::Severity;
namespace ev = imap::event;
using i18n::format;

using i18n::text;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

/// The reply to one command: its untagged data and the tagged completion.
struct Reply {
  std::vector<imap::Response> untagged;
  imap::Response done;
  [[nodiscard]] bool ok() const { return done.status == imap::Status::ok; }
};

class Dialog {
 public:
  Dialog(const ImapTestOptions& o, report::Report& rep, link::Link& ln, std::optional<std::string> password)
      : opt_(o), rep_(rep), link_(ln), password_(std::move(password)) {
    client_.set_trace([](std::string_view s) { spdlog::debug("{}", s); });
  }

  void run() {
    if (!greeting() || !capabilities() || !starttls()) {
      if ((!failed_ || link_.interrupted()) && !link_.eof()) logout();
      summary();
      return;
    }
    check_plaintext_offer();
    if (login()) mailbox();
    if ((!failed_ || link_.interrupted()) && !link_.eof()) logout();
    summary();
  }

 private:
  const ImapTestOptions& opt_;
  report::Report& rep_;
  link::Link& link_;
  std::optional<std::string> password_;
  imap::Client client_;
  std::optional<imap::Capabilities> plain_caps_;
  bool failed_ = false;
  bool bye_ = false;

  void show(const imap::Response& r, std::string_view verb = {}) {
    std::string note;
    const bool failure = r.status == imap::Status::no || r.status == imap::Status::bad || r.status == imap::Status::bye;
    if (failure) {
      const auto c = imap::classify(r, verb);
      note = std::string(codes::to_string(c.outcome)) + ", " + std::string(codes::info(c.reason).name);
    }
    link_.received(r.raw, note, failure && r.kind == imap::Kind::tagged);
    if (r.code && r.code->name == "ALERT")
      rep_.add(Severity::warning, "imap.alert", format("imap.alert.title", {util::sanitize(r.text, 200)}),
               i18n::text("imap.alert.detail"), util::sanitize(r.raw, 300));
    if (r.status == imap::Status::bye) bye_ = true;
  }

  void protocol_error(const ev::ProtocolError& e, std::string_view during) {
    failed_ = true;
    link_.error(e.message);
    const bool injection = e.kind == imap::ErrorKind::starttls_leftover;
    rep_.add(Severity::critical, "imap.protocol." + std::string(imap::to_string(e.kind)),
             injection ? i18n::text("imap.protocol.injection.title") : format("imap.protocol.title", {link::waiting_text(during)}),
             e.message, util::sanitize(e.evidence, 300),
             text(injection ? "imap.protocol.injection.fix" : "imap.protocol.fix"));
    link_.abort();
  }

  void closed_early(std::string_view waiting_for) {
    failed_ = true;
    link_.error("connection closed by the server");
    rep_.add(bye_ ? Severity::warning : Severity::critical, "imap.closed",
             format("imap.closed.title", {link::waiting_text(waiting_for)}),
             text(bye_ ? "imap.closed.detail.bye" : "imap.closed.detail"), {}, i18n::text("imap.closed.fix"));
  }

  /// Sends a command and collects its reply; nullopt when the dialog broke.
  std::optional<Reply> command(const imap::Command& cmd) {
    if (link_.interrupted()) return std::nullopt;  // Ctrl-C: nothing new, only the LOGOUT
    if (auto err = client_.send(cmd)) {
      link_.error("not sent: " + err->message);
      return std::nullopt;
    }
    const std::string shown = cmd.redacted(client_.last_tag());
    if (!link_.write(client_.take_output(), shown, cmd.verb)) {
      failed_ = true;
      return std::nullopt;
    }
    const std::string waiting_for = "the reply to " + cmd.verb;
    Reply reply;
    for (;;) {
      auto e = link::wait_event<imap::Event, ev::NeedData>(client_, link_, waiting_for);
      if (!e) {
        if (link_.eof()) closed_early(waiting_for);
        failed_ = true;
        return std::nullopt;
      }
      if (auto* u = std::get_if<ev::Untagged>(&*e)) {
        show(u->response, cmd.verb);
        reply.untagged.push_back(std::move(u->response));
      } else if (auto* c = std::get_if<ev::Continuation>(&*e)) {
        link_.received(c->response.raw);
        if (c->for_literal) {
          if (!link_.write(client_.take_output(), "{literal}", "a literal")) return std::nullopt;
          continue;
        }
        if (!answer_continuation(cmd)) return std::nullopt;
      } else if (auto* d = std::get_if<ev::Completed>(&*e)) {
        show(d->response, cmd.verb);
        reply.done = std::move(d->response);
        return reply;
      } else if (auto* p = std::get_if<ev::ProtocolError>(&*e)) {
        protocol_error(*p, waiting_for);
        return std::nullopt;
      } else if (std::holds_alternative<ev::Closed>(*e)) {
        closed_early(waiting_for);
        return std::nullopt;
      }
    }
  }

  /// AUTHENTICATE PLAIN without SASL-IR: the "+" gets the initial response; anything else "*".
  bool answer_continuation(const imap::Command& cmd) {
    const bool plain = util::iequals(cmd.verb, "AUTHENTICATE") && password_ && opt_.user;
    const std::string line = plain ? plain_response() : "*";
    (void)client_.send(imap::Command::continuation_line(line, plain));
    return link_.write(client_.take_output(), plain ? "********" : "*", "the SASL response");
  }

  std::string plain_response() const {
    return util::base64_encode(std::string(1, '\0') + *opt_.user + std::string(1, '\0') + *password_);
  }

  bool greeting() {
    const auto t = link_.elapsed_ms();
    auto e = link::wait_event<imap::Event, ev::NeedData>(client_, link_, "the greeting");
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
    show(g->response);
    rep_.data["greeting"] = util::sanitize(g->response.raw, 500);
    rep_.data["greeting_ms"] = link_.elapsed_ms() - t;
    if (g->response.status == imap::Status::bye) {
      const auto c = imap::classify(g->response);
      rep_.add(Severity::critical, "imap.greeting.bye", i18n::text("imap.greeting.bye.title"),
               c.code_meaning, util::sanitize(g->response.raw, 300), c.remediation);
      rep_.data["greeting_classification"] = report::to_json(c);
      failed_ = true;
      return false;
    }
    if (g->response.status == imap::Status::preauth)
      rep_.add(Severity::info, "imap.preauth", i18n::text("imap.preauth.title"), i18n::text("imap.preauth.detail"));
    return true;
  }

  bool capabilities() {
    if (client_.capabilities().empty()) {
      auto r = command(imap::Command::make("CAPABILITY"));
      if (!r) return false;
    }
    const auto& caps = client_.capabilities();
    rep_.data["capabilities"] = caps.atoms;
    if (!link_.tls()) {
      plain_caps_ = caps;
      rep_.data["capabilities_plain"] = caps.atoms;
    }
    if (!caps.has("IMAP4rev1") && !caps.has("IMAP4rev2"))
      rep_.add(Severity::warning, "imap.capability.no-imap4rev1", i18n::text("imap.capability.no-imap4rev1.title"), {},
               util::sanitize(join(caps.atoms), 500));
    return true;
  }

  bool starttls() {
    if (link_.tls()) return true;
    const auto mode = link::starttls_from_string(opt_.starttls).value_or(link::StartTls::automatic);
    const bool offered = client_.capabilities().has("STARTTLS");
    rep_.data["starttls_offered"] = offered;
    if (mode == link::StartTls::never || (mode == link::StartTls::automatic && !offered)) {
      if (!offered)
        rep_.add(Severity::warning, "imap.starttls.missing", i18n::text("imap.starttls.missing.title"),
                 i18n::text("imap.starttls.missing.detail"), {}, i18n::text("imap.starttls.missing.fix"));
      else
        rep_.add(Severity::info, "imap.starttls.skipped", i18n::text("imap.starttls.skipped.title"), {}, {},
                 i18n::text("imap.starttls.skipped.fix"));
      return true;
    }
    auto r = command(imap::Command::make("STARTTLS"));
    if (!r) return false;
    if (!r->ok()) {
      const bool required = mode == link::StartTls::require;
      rep_.add(required ? Severity::critical : Severity::warning, "imap.starttls.refused",
               text(offered ? "imap.starttls.refused.title" : "imap.starttls.unavailable.title"),
               imap::classify(r->done, "STARTTLS").code_meaning, util::sanitize(r->done.raw, 300),
               i18n::text("imap.starttls.refused.fix"));
      return !required;
    }
    if (!link::upgrade_to_tls<ev::ReadyForTls, ev::ProtocolError>(
            client_, link_, [&](const ev::ProtocolError& p) { protocol_error(p, "STARTTLS"); })) {
      failed_ = true;
      return false;
    }
    return capabilities();
  }

  void check_plaintext_offer() {
    if (!plain_caps_ || link_.options().implicit_tls || plain_caps_->has("LOGINDISABLED")) return;
    rep_.add(Severity::warning, "imap.plaintext-auth-offered", i18n::text("imap.plaintext-auth-offered.title"),
             i18n::text("imap.plaintext-auth-offered.detail"), util::sanitize(join(plain_caps_->atoms), 500),
             i18n::text("imap.plaintext-auth-offered.fix"));
  }

  std::string choose_auth() const {
    if (opt_.auth != "auto") return opt_.auth;
    return client_.capabilities().has_auth("PLAIN") ? "plain" : "login";
  }

  bool login() {
    if (client_.authenticated()) return true;  // PREAUTH
    if (!opt_.user) {
      link_.info("no --user: login not tested");
      return false;
    }
    if (!link_.tls() && !opt_.allow_plaintext) {
      rep_.add(Severity::warning, "imap.login.not-sent", i18n::text("imap.login.not-sent.title"),
               i18n::text("imap.login.not-sent.detail"), {}, i18n::text("imap.login.not-sent.fix"));
      return false;
    }
    const auto method = choose_auth();
    if (method == "login" && client_.capabilities().has("LOGINDISABLED")) {
      rep_.add(Severity::critical, "imap.login.plaintext-disabled", i18n::text("imap.login.logindisabled.title"),
               i18n::text("imap.login.logindisabled.detail"), {}, i18n::text("imap.login.plaintext-disabled.fix"));
      return false;
    }
    if (!link_.tls())
      rep_.add(Severity::warning, "imap.login.plaintext", i18n::text("imap.login.plaintext.title"));
    const auto t = link_.elapsed_ms();
    std::optional<Reply> r;
    if (method == "plain") {
      auto cmd = imap::Command::make("AUTHENTICATE", {imap::Arg::atom("PLAIN")});
      if (client_.capabilities().has("SASL-IR")) cmd.args.push_back(imap::Arg::raw(plain_response(), true));
      r = command(cmd);
    } else {
      r = command(imap::Command::make("LOGIN", {imap::Arg::string(*opt_.user), imap::Arg::string(*password_, true)}));
    }
    nlohmann::json j{{"user", util::sanitize(*opt_.user, 200)}, {"method", method}, {"ms", link_.elapsed_ms() - t}};
    if (!r) {
      j["ok"] = false;
      rep_.data["login"] = j;
      return false;
    }
    const auto verb = method == "plain" ? "AUTHENTICATE" : "LOGIN";
    const auto c = imap::classify(r->done, verb);
    j["ok"] = r->ok();
    j["reply"] = util::sanitize(r->done.raw, 500);
    j["classification"] = report::to_json(c);
    rep_.data["login"] = j;
    if (r->ok()) {
      rep_.add(Severity::ok, "imap.login.ok",
               format("imap.login.ok.title",
                      {util::sanitize(*opt_.user, 100), method == "plain" ? "AUTHENTICATE PLAIN" : "LOGIN"}));
      return true;
    }
    login_failed(r->done, c);
    return false;
  }

  void login_failed(const imap::Response& r, const codes::Classification& c) {
    const std::string code = r.code ? r.code->name : "";
    const auto evidence = util::sanitize(r.raw, 300);
    if (c.reason == codes::Reason::tls_required) {
      rep_.add(Severity::critical, "imap.login.plaintext-disabled", i18n::text("imap.login.plaintext-disabled.title"),
               c.code_meaning, evidence, i18n::text("imap.login.plaintext-disabled.fix"));
    } else if (code == "INUSE") {
      rep_.add(Severity::warning, "imap.login.in-use", i18n::text("imap.login.in-use.title"), c.code_meaning, evidence,
               c.remediation);
    } else if (c.outcome == codes::Outcome::transient) {
      rep_.add(Severity::warning, "imap.login.temporary",
               code.empty() ? i18n::text("imap.login.temporary.title") : format("imap.login.temporary.title.code", {code}),
               c.code_meaning, evidence, c.remediation);
    } else if (code == "AUTHENTICATIONFAILED" || code == "AUTHORIZATIONFAILED" || code == "EXPIRED") {
      rep_.add(Severity::critical, "imap.login.refused", format("imap.login.refused.title", {code}), c.code_meaning,
               evidence, c.remediation);
    } else {
      rep_.add(Severity::critical, "imap.login.failed", i18n::text("imap.login.failed.title"), c.code_meaning, evidence,
               c.remediation);
    }
  }

  void mailbox() {
    const auto& box = opt_.mailbox;
    auto st = command(imap::Command::make(
        "STATUS", {imap::Arg::string(box), imap::Arg::raw("(MESSAGES UNSEEN RECENT UIDVALIDITY)")}));
    if (!st) return;
    std::optional<imap::StatusInfo> status;
    for (const auto& u : st->untagged) {
      if (auto s = imap::status_of(u)) status = s;
    }
    auto ex = command(imap::Command::make("EXAMINE", {imap::Arg::string(box)}));
    if (!ex) return;
    if (!ex->ok()) {
      const auto c = imap::classify(ex->done, "EXAMINE");
      rep_.add(c.outcome == codes::Outcome::transient ? Severity::warning : Severity::critical, "imap.examine.failed",
               format("imap.examine.failed.title", {util::sanitize(box, 100)}), c.code_meaning, util::sanitize(ex->done.raw, 300),
               c.remediation);
      return;
    }
    imap::MailboxInfo info;
    for (const auto& u : ex->untagged) imap::apply(info, u);
    imap::apply(info, ex->done);
    report_mailbox(info, status);
  }

  void report_mailbox(const imap::MailboxInfo& info, const std::optional<imap::StatusInfo>& status) {
    auto opt_num = [](const std::optional<std::uint64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    nlohmann::json j{{"name", util::sanitize(opt_.mailbox, 200)},
                     {"exists", opt_num(info.exists)},
                     {"recent", opt_num(info.recent)},
                     {"first_unseen", opt_num(info.first_unseen)},
                     {"uidvalidity", opt_num(info.uidvalidity)},
                     {"uidnext", opt_num(info.uidnext)},
                     {"read_only", info.read_only},
                     {"messages", status ? opt_num(status->messages) : nlohmann::json()},
                     {"unseen", status ? opt_num(status->unseen) : nlohmann::json()}};
    rep_.data["mailbox"] = j;
    auto& s = rep_.add_section(format("imap.section.mailbox", {util::sanitize(opt_.mailbox, 100)}));
    auto row = [&](std::string label, const std::optional<std::uint64_t>& v) {
      if (v) s.rows.push_back({std::move(label), std::to_string(*v)});
    };
    row(i18n::text("imap.row.messages"), info.exists);
    if (status) row(i18n::text("imap.row.unseen"), status->unseen);
    row(i18n::text("imap.row.recent"), info.recent);
    row(i18n::text("imap.row.first-unseen"), info.first_unseen);
    row("UIDVALIDITY", info.uidvalidity);
    row("UIDNEXT", info.uidnext);
    s.rows.push_back({i18n::text("imap.row.read-only"), text(info.read_only ? "imap.value.read-only.yes" : "imap.value.read-only.unconfirmed")});
    if (!info.read_only)
      rep_.add(Severity::info, "imap.examine.no-read-only", i18n::text("imap.examine.no-read-only.title"),
               i18n::text("imap.examine.no-read-only.detail"));
    if (info.exists && *info.exists == 0)
      rep_.add(Severity::info, "imap.mailbox.empty", i18n::text("imap.mailbox.empty.title"),
               format("imap.mailbox.empty.detail", {util::sanitize(opt_.mailbox, 100)}), {}, i18n::text("imap.mailbox.empty.fix"));
  }

  void summary() {
    report::Section s{format("imap.summary.title", {link_.where()}), {}, {}};
    const auto& d = rep_.data;
    if (d.contains("greeting")) s.rows.push_back({i18n::text("imap.summary.greeting"), d["greeting"].get<std::string>()});
    std::string security = link_.options().implicit_tls ? i18n::text("pop3.link.implicit-tls")
                           : link_.tls()               ? "STARTTLS"
                                                       : i18n::text("imap.summary.security.none");
    if (const auto* t = link_.tls_report()) security += ": " + tls::summary(*t);
    s.rows.push_back({i18n::text("imap.summary.security"), security});
    if (d.contains("capabilities")) {
      std::vector<std::string> atoms = d["capabilities"];
      s.rows.push_back({i18n::text("imap.summary.capabilities"), util::sanitize(join(atoms), 300)});
    }
    if (d.contains("login")) {
      const auto& l = d["login"];
      s.rows.push_back({i18n::text("imap.summary.login"),
                        format(l.value("ok", false) ? "imap.summary.login.ok" : "imap.summary.login.failed",
                               {l.value("user", std::string()),
                                l.value("method", std::string()) == "plain" ? "AUTHENTICATE PLAIN" : "LOGIN"})});
    }
    if (d.contains("mailbox")) {
      const auto& m = d["mailbox"];
      const std::string exists = m["exists"].is_null() ? "?" : std::to_string(m["exists"].get<std::uint64_t>());
      s.rows.push_back({format("imap.summary.mailbox", {m.value("name", std::string())}),
                        m["unseen"].is_null() ? format("imap.summary.mailbox.messages", {exists})
                                              : format("imap.summary.mailbox.messages-unseen",
                                                       {exists, std::to_string(m["unseen"].get<std::uint64_t>())})});
    }
    rep_.sections.insert(rep_.sections.begin(), std::move(s));
  }

  /// Ctrl-C cut a reply short: read it to its end (within the grace period) so LOGOUT may follow.
  void finish_cut_reply() {
    for (;;) {
      const auto st = client_.state();
      if (link_.eof() || (st != imap::State::awaiting_greeting && st != imap::State::awaiting_completion)) return;
      auto e = link::wait_event<imap::Event, ev::NeedData>(client_, link_, "the rest of the reply");
      if (!e) return;
      if (auto* u = std::get_if<ev::Untagged>(&*e)) link_.received(u->response.raw);
      else if (auto* d = std::get_if<ev::Completed>(&*e)) link_.received(d->response.raw);
      else if (auto* g = std::get_if<ev::Greeting>(&*e)) link_.received(g->response.raw);
      else return;  // a continuation, a protocol error, the end
    }
  }

  void logout() {
    if (link_.interrupted()) finish_cut_reply();
    if (client_.state() != imap::State::ready) return;
    link_.closing();
    const auto cmd = imap::Command::make("LOGOUT");
    if (client_.send(cmd) || !link_.write(client_.take_output(), cmd.redacted(client_.last_tag()), "LOGOUT")) return;
    // BYE, then the tagged OK; a server that just closes is harmless here.
    for (;;) {
      auto e = link::wait_event<imap::Event, ev::NeedData>(client_, link_, "the reply to LOGOUT");
      if (!e) break;
      if (auto* u = std::get_if<ev::Untagged>(&*e)) {
        link_.received(u->response.raw);
        continue;
      }
      if (auto* d = std::get_if<ev::Completed>(&*e)) link_.received(d->response.raw);
      break;
    }
    if (link_.eof() && client_.state() != imap::State::done) link_.info("connection closed by the server");
  }
};

}  // namespace

std::optional<report::Report> run_imap_test(const ImapTestOptions& options, std::string* error) {
  return link::run_session(
      options, "imap", 143, 993,
      [&](report::Report& rep, link::Link& ln, std::optional<std::string> password) {
        Dialog d(options, rep, ln, std::move(password));
        d.run();
      },
      error);
}

}  // namespace maildiag::app
