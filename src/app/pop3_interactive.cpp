// `maildiag pop3-test --interactive`: a better telnet for POP3. The user types commands; the
// engine frames the replies (multi-line bodies, dot-unstuffing), STLS really upgrades the
// connection, and PASS / APOP / AUTH arguments are redacted in everything printed.

#include "pop3_imap_link.hpp"

#include "maildiag/app/pop3_test.hpp"
#include "maildiag/codes/pop3.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/pop3/client.hpp"
#include "maildiag/util/text.hpp"

#include <istream>
#include <ostream>

namespace maildiag::app {

namespace {

namespace ev = pop3::event;

class Session {
 public:
  Session(const Pop3TestOptions& o, report::Report& rep, link::Link& ln, Redactor& red, std::ostream& out)
      : opt_(o), rep_(rep), link_(ln), redactor_(red), out_(out) {}

  /// Runs until QUIT, the end of input or the end of the connection.
  void run(std::istream& in) {
    if (!pump("the greeting")) return;
    out_ << i18n::msg("pop3.interactive.banner") << '\n';
    std::string line;
    while (client_.state() != pop3::State::done && client_.state() != pop3::State::closed &&
           client_.state() != pop3::State::failed) {
      if (!std::getline(in, line)) {
        if (client_.state() == pop3::State::ready) send_line("QUIT");
        break;
      }
      if (!send_line(line)) continue;
    }
  }

 private:
  const Pop3TestOptions& opt_;
  report::Report& rep_;
  link::Link& link_;
  Redactor& redactor_;
  std::ostream& out_;
  pop3::Client client_;
  std::string last_user_;

  /// Sends one typed line (or SASL answer); waits for what it causes. False when nothing was sent.
  bool send_line(const std::string& typed) {
    std::optional<pop3::Command> cmd;
    if (client_.state() == pop3::State::sasl_challenge) {
      cmd = pop3::Command::sasl(util::trim(typed));
    } else {
      cmd = pop3::parse_command_line(typed);
      if (!cmd) return false;
      if (!fill_secret(*cmd)) return false;
    }
    if (auto err = client_.send(*cmd)) {
      link_.error(err->message);
      return false;
    }
    if (!link_.write(client_.take_output(), cmd->redacted(), cmd->sasl_response ? "the SASL response" : cmd->verb))
      return false;
    pump("the reply to " + (cmd->sasl_response ? std::string("the SASL response") : cmd->verb));
    return true;
  }

  /// Remembers USER, registers typed secrets with the redactor, fills an empty PASS.
  bool fill_secret(pop3::Command& cmd) {
    if (util::iequals(cmd.verb, "USER")) last_user_ = cmd.argument;
    if (!util::iequals(cmd.verb, "PASS")) return true;
    if (cmd.argument.empty()) {
      std::string why;
      auto pw = read_secret(opt_.password_source, &why);
      if (!pw) {
        link_.error("no password: " + why);
        return false;
      }
      cmd.argument = *pw;
    }
    redactor_.add_credentials(last_user_, cmd.argument);
    return true;
  }

  /// Reads until the engine has handled one reply (or the greeting); false when the session ended.
  bool pump(const std::string& waiting_for) {
    for (;;) {
      auto e = link::wait_event<pop3::Event, ev::NeedData>(client_, link_, waiting_for);
      if (!e) return false;
      if (auto* g = std::get_if<ev::Greeting>(&*e)) {
        link_.received(g->line, g->apop_timestamp ? std::string(i18n::msg("pop3.interactive.apop-possible")) : "",
                       !g->status.ok);
        return true;
      }
      if (auto* r = std::get_if<ev::Response>(&*e)) {
        show(*r);
        if (r->status.ok && util::iequals(r->command.verb, "STLS")) return upgrade();
        return true;
      }
      if (auto* c = std::get_if<ev::Continuation>(&*e)) {
        link_.received(c->line, std::string(i18n::msg("pop3.interactive.sasl-challenge")));
        return true;
      }
      if (auto* p = std::get_if<ev::ProtocolError>(&*e)) {
        link_.error(p->message + (p->evidence.empty() ? "" : ": " + util::sanitize(p->evidence, 200)));
        rep_.add(report::Severity::critical, "pop3.protocol." + std::string(pop3::to_string(p->kind)), p->message,
                 {}, util::sanitize(p->evidence, 300));
        link_.abort();
        return false;
      }
      if (auto* c = std::get_if<ev::Closed>(&*e)) {
        link_.info(c->clean ? "connection closed" : "connection closed by the server");
        return false;
      }
    }
  }

  void show(const ev::Response& r) {
    std::string note;
    if (!r.status.ok) {
      const auto c = codes::classify_pop3(r.status);
      note = c.code_meaning;
    }
    link_.received(r.line, note, !r.status.ok);
    for (const auto& l : r.body) link_.received(!l.empty() && l.front() == '.' ? "." + l : l);  // as sent
    if (r.status.ok && r.command.multiline()) link_.received(".");
  }

  bool upgrade() {
    return link::upgrade_to_tls<ev::ReadyForTls, ev::ProtocolError>(client_, link_, [&](const ev::ProtocolError& p) {
      link_.error(p.message);
      rep_.add(report::Severity::critical, "pop3.protocol.stls-leftover", p.message, {}, util::sanitize(p.evidence, 300));
      link_.abort();
    });
  }
};

}  // namespace

std::optional<report::Report> run_pop3_interactive(const Pop3TestOptions& options, std::istream& in,
                                                   std::ostream& out, std::string* error) {
  return link::run_interactive<Session>(options, "pop3", 110, 995, in, out, error);
}

}  // namespace maildiag::app
