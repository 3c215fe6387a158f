// `maildiag smtp-test --interactive`: a better telnet. The user types commands; replies come back
// framed and explained; STARTTLS really upgrades; DATA collects lines up to "." and sends them
// dot-stuffed; "AUTH PLAIN|LOGIN|CRAM-MD5" without arguments lets the helper do the encoding
// with --auth-user and the password from the usual sources. Secrets never reach the screen.

#include "maildiag/app/smtp_test.hpp"

#include "maildiag/app/smtp_dialog.hpp"
#include "maildiag/app/smtp_session.hpp"
#include "maildiag/app/smtp_target.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/net/address.hpp"
#include "maildiag/smtp/data.hpp"
#include "maildiag/smtp/sasl.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <istream>
#include <ostream>

namespace maildiag::app {

namespace {

using report::Severity;

constexpr std::size_t kMaxTypedMessage = 16u << 20;


class Interactive {
 public:
  Interactive(const SmtpTestOptions& o, std::string host, std::uint16_t port, std::istream& in, std::ostream& out)
      : o_(o), host_(std::move(host)), port_(port), in_(in), out_(out) {}

  bool open(report::Report& rep, Redactor& redactor);
  void loop();

 private:
  const SmtpTestOptions& o_;
  std::string host_;
  std::uint16_t port_;
  std::istream& in_;
  std::ostream& out_;
  report::Report* rep_ = nullptr;
  Redactor* redactor_ = nullptr;
  std::unique_ptr<SmtpSession> s_;
  std::string secret_;
  std::optional<codes::Reply> last_reply_;

  /// Reads events until no command is outstanding; false when the session ended.
  bool settle();
  void handshake();
  void data();
  void auth_helper(smtp::Mechanism mech);
  void say(std::string_view text) { out_ << "=== " << text << "\n" << std::flush; }
};

bool Interactive::open(report::Report& rep, Redactor& redactor) {
  rep_ = &rep;
  redactor_ = &redactor;
  SmtpSessionOptions so;
  so.connect_timeout = o_.connect_timeout.value_or(o_.common.timeout);
  so.command_timeout = o_.command_timeout.value_or(o_.common.timeout);
  so.timeout_state = o_.timeout_state;
  so.limits = o_.limits;
  if (o_.source) so.source = net::Address::parse(*o_.source);
  s_ = std::make_unique<SmtpSession>(rep, redactor, so);
  s_->set_live([this](const report::TranscriptLine& l) {
    out_ << report::marker(l) << " " << l.text;
    if (!l.note.empty()) out_ << "    [" << l.note << "]";
    out_ << "\n" << std::flush;
  });
  auto targets = resolve_smtp_targets(o_, host_, rep);
  if (targets.empty() || targets.front().addresses.empty()) return false;
  const auto cr = s_->connect(targets.front().addresses, port_, fmt::format("{}:{}", host_, port_));
  if (!cr.ok()) {
    rep.add(Severity::critical, "smtp.connect",
            i18n::format("smtp.connect.title",
                         {fmt::format("{}:{}", host_, port_), std::string(net::to_string(cr.summary()))}));
    return false;
  }
  if (o_.tls_on_connect) handshake();
  if (s_->gone()) return false;
  say(i18n::text("smtp.interactive.hello"));
  return settle();
}

bool Interactive::settle() {
  while (!s_->gone()) {
    const auto st = s_->engine().state();
    // Done when nothing is owed; after a STARTTLS 220 the ReadyForTls event is still to come.
    if (st != smtp::State::greeting && st != smtp::State::tls_pending && s_->engine().in_flight() == 0) return true;
    auto ev = s_->next("a reply");
    if (!ev) return false;
    if (auto* r = std::get_if<smtp::event::Reply>(&*ev)) last_reply_ = r->reply;
    if (std::holds_alternative<smtp::event::ReadyForTls>(*ev)) {
      handshake();
      return !s_->gone();
    }
    if (auto* e = std::get_if<smtp::event::ProtocolError>(&*ev)) {
      rep_->add(Severity::critical, "smtp.protocol." + std::string(smtp::to_string(e->kind)),
                i18n::text("smtp.interactive.protocol.title"), e->message);
      return false;
    }
    if (std::holds_alternative<smtp::event::Closed>(*ev)) return false;
  }
  return false;
}

void Interactive::handshake() {
  tls::TlsOptions t;
  t.sni = o_.sni.value_or(tls::default_sni(host_));
  t.names = {host_};
  t.verify = !o_.no_verify;
  t.ca_file = o_.ca_file;
  t.expiry_warn_days = o_.expiry_warn_days;
  auto r = s_->start_tls(t);
  if (!r.injected.empty())
    rep_->add(Severity::critical, "smtp.starttls.injection", i18n::text("smtp.interactive.injection.title"),
              i18n::text("smtp.interactive.injection.detail"), util::sanitize(r.injected, 300));
  tls::add_findings(*rep_, r.report, "smtp.tls", fmt::format("{}:{}", host_, port_));
  if (!r.ok) return;
  for (const auto& c : r.report.chain) say("peer subject=" + c.subject + " notAfter=" + c.not_after);
  // The verdicts' status words (pass, fail ...) are the JSON's tokens and stay as they are.
  say(i18n::format(o_.tls_on_connect ? "smtp.interactive.tls-verdicts" : "smtp.interactive.tls-verdicts.ehlo",
                   {std::string(tls::to_string(r.report.chain_verdict.status)),
                    std::string(tls::to_string(r.report.name_verdict.status)),
                    std::string(tls::to_string(r.report.expiry_verdict.status))}));
}

void Interactive::data() {
  say(i18n::text("smtp.interactive.data"));
  std::string content;
  std::string line;
  while (std::getline(in_, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == ".") break;
    content += line + "\n";
    if (content.size() > kMaxTypedMessage) break;
  }
  if (s_->send(smtp::message(content))) return;
  settle();
}

void Interactive::auth_helper(smtp::Mechanism mech) {
  if (secret_.empty()) {
    std::string err;
    auto pw = read_secret(o_.password_source, &err);
    if (!pw) {
      say(i18n::format("smtp.interactive.auth-helper", {err}));
      return;
    }
    secret_ = *pw;
    redactor_->add_credentials(*o_.auth_user, secret_);
  }
  if (!s_->tls() && !o_.allow_plaintext_auth) {
    say(i18n::text("smtp.interactive.auth-helper.plaintext"));
    return;
  }
  smtp::SaslSession sasl(mech, {*o_.auth_user, secret_, "", host_, port_}, hmac_md5_hex);
  const auto ir = sasl.initial_response();
  auto cmd = smtp::auth(smtp::to_string(mech), ir ? std::optional<std::string_view>(*ir) : std::nullopt);
  if (!cmd || s_->send(*cmd) || !settle()) return;
  for (int i = 0; i < 6 && s_->engine().state() == smtp::State::auth; ++i) {
    const auto challenge = last_reply_ && !last_reply_->lines.empty() ? last_reply_->lines.front() : std::string();
    auto resp = smtp::auth_response(sasl.respond(challenge));
    if (!resp || s_->send(*resp) || !settle()) return;
  }
}

void Interactive::loop() {
  std::string line;
  while (!s_->gone() && std::getline(in_, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto state = s_->engine().state();
    if (line.empty() && state != smtp::State::auth) continue;
    smtp::CommandError err;
    auto cmd = state == smtp::State::auth ? smtp::auth_response(line, &err) : smtp::raw(line, &err);
    if (!cmd) {
      out_ << "*** " << err.message << "\n";
      continue;
    }
    if (cmd->verb == smtp::Verb::auth && o_.auth_user && util::trim(line).find(' ') == util::trim(line).rfind(' ')) {
      const auto m = smtp::mechanism_from_string(util::trim(util::trim(line).substr(4)));
      if (m && !smtp::uses_token(*m)) {
        auth_helper(*m);
        continue;
      }
    }
    if (auto e = s_->send(*cmd)) {
      out_ << "*** " << e->message << "\n";
      continue;
    }
    if (!settle()) break;
    if (cmd->verb == smtp::Verb::data && s_->engine().state() == smtp::State::message) data();
    if (cmd->verb == smtp::Verb::quit) break;
  }
  s_->quit();
}

}  // namespace

std::optional<report::Report> run_smtp_interactive(const SmtpTestOptions& o, std::istream& in, std::ostream& out,
                                                   std::string* error) {
  auto hp = net::parse_host_port(o.target, error);
  if (!hp) return std::nullopt;
  SmtpTestOptions opt = o;
  opt.tls_on_connect = o.tls_on_connect || o.port == 465 || (!o.port && hp->port == 465);
  const auto port = opt.effective_port(hp->port);
  report::Report rep;
  rep.command = "smtp-test";
  rep.target = util::sanitize(o.target, 300);
  Redactor redactor;
  Interactive session(opt, hp->host, port, in, out);
  if (session.open(rep, redactor)) session.loop();
  rep.transcript.clear();  // already shown live
  return rep;
}

}  // namespace maildiag::app
