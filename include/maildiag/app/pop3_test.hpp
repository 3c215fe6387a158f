#pragma once
/// `maildiag pop3-test HOST[:PORT]`: "is it my problem or the server's?" for a user who cannot
/// receive mail. Greeting, CAPA, STLS (or implicit TLS on 995) with the certificate report, a
/// login (USER/PASS, APOP or AUTH PLAIN) that never sends a password in plain text unless
/// allowed, then a read-only look at the mailbox (STAT, LIST, UIDL, TOP, RETR; never DELE).
/// `--interactive` is a better telnet: the user types commands, the tool frames the replies,
/// upgrades on STLS and redacts passwords.

#include "maildiag/app/common.hpp"
#include "maildiag/app/credentials.hpp"
#include "maildiag/report/report.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace maildiag::app {

/// What pop3-test and imap-test share: where to connect, how to secure it, who logs in.
struct MailboxAccessOptions {
  std::string target;                   ///< HOST[:PORT]
  std::string starttls = "auto";        ///< auto | never | require
  bool tls_on_connect = false;          ///< implicit TLS (also implied by port 995 / 993)
  std::optional<std::string> sni;
  std::string ca_file;
  bool no_verify = false;
  int expiry_warn_days = 14;
  std::optional<std::string> source;    ///< local address to bind
  std::optional<std::string> user;      ///< log in as this user (password from password_source)
  SecretSource password_source;
  bool allow_plaintext = false;         ///< send credentials without TLS anyway
  std::string auth = "auto";            ///< pop3: auto | user | apop | plain; imap: auto | login | plain
  CommonOptions common;
};

struct Pop3TestOptions : MailboxAccessOptions {
  std::size_t list_max = 20;            ///< LIST/UIDL entries shown; the rest are counted
  std::optional<std::uint64_t> top;     ///< show this message's headers (TOP n 0)
  std::optional<std::uint64_t> retr;    ///< write this message to `retr_out`
  std::ostream* retr_out = nullptr;     ///< where RETR's message goes (the CLI opens it)
};

/// Runs the test. nullopt with a one-line *error for bad usage (bad target, --source, no
/// password available); everything the server does is a finding in the report.
std::optional<report::Report> run_pop3_test(const Pop3TestOptions& options, std::string* error);

/// Interactive session: reads command lines from `in`, prints the dialog to `out` as it
/// happens. Returns the findings of the session (TLS, protocol errors) without the transcript
/// already shown.
std::optional<report::Report> run_pop3_interactive(const Pop3TestOptions& options, std::istream& in,
                                                   std::ostream& out, std::string* error);

}  // namespace maildiag::app
