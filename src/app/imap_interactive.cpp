// `maildiag imap-test --interactive`: type IMAP commands without tags. The engine tags them,
// frames replies (literals included), answers our own synchronizing literals, upgrades on
// STARTTLS and redacts LOGIN passwords and AUTHENTICATE responses. "LOGIN user" without a
// password takes it from MAILDIAG_PASSWORD, --password-file or a prompt.

#include "pop3_imap_link.hpp"

#include "maildiag/app/imap_test.hpp"
#include "maildiag/imap/classify.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/imap/client.hpp"
#include "maildiag/util/text.hpp"

#include <istream>
#include <ostream>

namespace maildiag::app {

namespace {

namespace ev = imap::event;

bool single_word(std::string_view s) {
  s = util::trim(s);
  return !s.empty() && s.find(' ') == std::string_view::npos;
}

class Session {
 public:
  Session(const ImapTestOptions& o, report::Report& rep, link::Link& ln, Redactor& red, std::ostream& out)
      : opt_(o), rep_(rep), link_(ln), redactor_(red), out_(out) {}

  void run(std::istream& in) {
    if (!pump("the greeting", true)) return;
    out_ << i18n::msg("imap.interactive.banner") << '\n';
    std::string line;
    while (client_.state() != imap::State::done && client_.state() != imap::State::closed &&
           client_.state() != imap::State::failed) {
      if (!std::getline(in, line)) {
        if (client_.state() == imap::State::ready) send_line("LOGOUT");
        break;
      }
      send_line(line);
    }
  }

 private:
  const ImapTestOptions& opt_;
  report::Report& rep_;
  link::Link& link_;
  Redactor& redactor_;
  std::ostream& out_;
  imap::Client client_;

  void send_line(const std::string& typed) {
    std::optional<imap::Command> cmd;
    if (client_.state() == imap::State::continuation) {
      cmd = imap::Command::continuation_line(util::trim(typed), true);
    } else {
      cmd = imap::parse_command_line(typed);
      if (!cmd || !fill_password(*cmd)) return;
    }
    if (auto err = client_.send(*cmd)) {
      link_.error(err->message);
      return;
    }
    const std::string what = cmd->continuation ? std::string("the continuation") : cmd->verb;
    if (!link_.write(client_.take_output(), cmd->redacted(client_.last_tag()), what)) return;
    (void)pump("the reply to " + what, false);
  }

  /// "LOGIN user" -> LOGIN user <password from the secret source>; typed passwords are redacted.
  bool fill_password(imap::Command& cmd) {
    if (cmd.verb != "LOGIN") return true;
    if (cmd.args.size() == 1 && single_word(cmd.args[0].value)) {
      const std::string user = cmd.args[0].value;
      std::string why;
      auto pw = read_secret(opt_.password_source, &why);
      if (!pw) {
        link_.error("no password: " + why);
        return false;
      }
      cmd.args = {imap::Arg::string(user), imap::Arg::string(*pw, true)};
    }
    if (cmd.args.size() == 2) redactor_.add_credentials(cmd.args[0].value, cmd.args[1].value);
    return true;
  }

  /// Shows responses until the command completes (or the greeting arrives); false when the
  /// session ended.
  bool pump(const std::string& waiting_for, bool greeting) {
    for (;;) {
      auto e = link::wait_event<imap::Event, ev::NeedData>(client_, link_, waiting_for);
      if (!e) return false;
      if (auto* g = std::get_if<ev::Greeting>(&*e)) {
        link_.received(g->response.raw);
        return g->response.status != imap::Status::bye;
      }
      if (auto* u = std::get_if<ev::Untagged>(&*e)) {
        link_.received(u->response.raw);
        if (greeting) continue;
      } else if (auto* c = std::get_if<ev::Continuation>(&*e)) {
        link_.received(c->response.raw, c->for_literal ? "" : std::string(i18n::msg("imap.interactive.continuation")));
        if (c->for_literal) {
          if (!link_.write(client_.take_output(), "{literal}", "a literal")) return false;
          continue;
        }
        return true;
      } else if (auto* d = std::get_if<ev::Completed>(&*e)) {
        std::string note;
        if (d->response.status != imap::Status::ok) note = imap::classify(d->response, d->command.verb).code_meaning;
        link_.received(d->response.raw, note, d->response.status != imap::Status::ok);
        if (d->response.status == imap::Status::ok && d->command.verb == "STARTTLS") return upgrade();
        return true;
      } else if (auto* p = std::get_if<ev::ProtocolError>(&*e)) {
        link_.error(p->message + (p->evidence.empty() ? "" : ": " + util::sanitize(p->evidence, 200)));
        rep_.add(report::Severity::critical, "imap.protocol." + std::string(imap::to_string(p->kind)), p->message,
                 {}, util::sanitize(p->evidence, 300));
        link_.abort();
        return false;
      } else if (auto* cl = std::get_if<ev::Closed>(&*e)) {
        link_.info(cl->clean ? "connection closed" : "connection closed by the server");
        return false;
      }
    }
  }

  bool upgrade() {
    return link::upgrade_to_tls<ev::ReadyForTls, ev::ProtocolError>(client_, link_, [&](const ev::ProtocolError& p) {
      link_.error(p.message);
      rep_.add(report::Severity::critical, "imap.protocol.starttls-leftover", p.message, {}, util::sanitize(p.evidence, 300));
      link_.abort();
    });
  }
};

}  // namespace

std::optional<report::Report> run_imap_interactive(const ImapTestOptions& options, std::istream& in,
                                                   std::ostream& out, std::string* error) {
  return link::run_interactive<Session>(options, "imap", 143, 993, in, out, error);
}

}  // namespace maildiag::app
