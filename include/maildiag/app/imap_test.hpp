#pragma once
/// `maildiag imap-test HOST[:PORT]`: the pop3-test checks over IMAP4rev1. Greeting, CAPABILITY,
/// STARTTLS (or implicit TLS on 993) with the certificate report, LOGIN or AUTHENTICATE PLAIN
/// (SASL-IR when offered) that never sends a password in plain text unless allowed, then a
/// read-only look: STATUS and EXAMINE of the mailbox (never SELECT, nothing is changed), LOGOUT.
/// `--interactive` lets the user type commands (tags are added, literals and STARTTLS handled).

#include "maildiag/app/pop3_test.hpp"
#include "maildiag/report/report.hpp"

#include <iosfwd>
#include <optional>
#include <string>

namespace maildiag::app {

struct ImapTestOptions : MailboxAccessOptions {
  std::string mailbox = "INBOX";  ///< examined read-only
};

/// Runs the test. nullopt with a one-line *error for bad usage; server behaviour is a finding.
std::optional<report::Report> run_imap_test(const ImapTestOptions& options, std::string* error);

/// Interactive session (commands typed without tags); returns the findings.
std::optional<report::Report> run_imap_interactive(const ImapTestOptions& options, std::istream& in,
                                                   std::ostream& out, std::string* error);

}  // namespace maildiag::app
