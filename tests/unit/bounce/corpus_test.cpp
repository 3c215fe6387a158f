// Accuracy of bounce::analyse on the real-bounce corpora in ../shared/corpus (read at run time):
// agreement per field with the expected rows, reasons scored through the Sisimai -> maildiag
// mapping documented in docs/reasons.md. Set MAILDIAG_CORPUS_VERBOSE=1 to list disagreements.

#include "maildiag/bounce/bounce.hpp"

#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace {

using maildiag::codes::Reason;

/// Sisimai reason name -> the maildiag reasons that mean the same. Ours is finer in two places
/// (securityerror covers our auth-failed / auth-required / tls-required; speeding is rate-limited).
/// Sisimai's "undefined" and "onhold" are "we cannot tell": our other.
const std::map<std::string, std::set<Reason>>& sisimai_map() {
  static const std::map<std::string, std::set<Reason>> m{
      {"authfailure", {Reason::sender_auth_failed}},
      {"badreputation", {Reason::bad_reputation}},
      {"blocked", {Reason::blocked}},
      {"contenterror", {Reason::content_rejected}},
      {"delivered", {Reason::delivered}},
      {"exceedlimit", {Reason::exceed_limit, Reason::message_too_big}},
      {"expired", {Reason::expired}},
      {"failedstarttls", {Reason::tls_required}},
      {"feedback", {Reason::feedback}},
      {"filtered", {Reason::filtered}},
      {"hasmoved", {Reason::has_moved}},
      {"hostunknown", {Reason::host_unknown}},
      {"mailboxfull", {Reason::mailbox_full}},
      {"mailererror", {Reason::mailer_error}},
      {"mesgtoobig", {Reason::message_too_big}},
      {"networkerror", {Reason::network_error}},
      {"norelaying", {Reason::relay_denied}},
      {"notaccept", {Reason::not_accepting}},
      {"notcompliantrfc", {Reason::not_compliant}},
      {"onhold", {Reason::on_hold, Reason::other}},
      {"policyviolation", {Reason::policy_violation}},
      {"rejected", {Reason::sender_rejected}},
      {"requireptr", {Reason::require_ptr}},
      {"securityerror", {Reason::security_error, Reason::auth_failed, Reason::auth_required, Reason::tls_required}},
      {"spamdetected", {Reason::spam_detected}},
      {"speeding", {Reason::rate_limited}},
      {"suppressed", {Reason::suppressed}},
      {"suspend", {Reason::mailbox_disabled}},
      {"syntaxerror", {Reason::syntax_error}},
      {"systemerror", {Reason::system_error}},
      {"systemfull", {Reason::system_full}},
      {"toomanyconn", {Reason::too_many_connections}},
      {"undefined", {Reason::other}},
      {"userunknown", {Reason::user_unknown}},
      {"vacation", {Reason::vacation}},
      {"virusdetected", {Reason::virus_detected}},
  };
  return m;
}

/// Conventions (docs/reasons.md, "Conventions scored as agreement"): readings that Sisimai and
/// maildiag name differently, counted as agreement only in the situation the convention covers.
///  - filtered: Sisimai says filtered for a no-such-user reply whenever it cannot tell which SMTP
///    command was refused and the code is not x.1.1; we say user-unknown unless the reply is shown
///    to come after DATA. Agreement only when our row names no command and no x.1.1 code.
///  - toomanyconn: Sisimai files a server's per-IP connection/sending frequency limits (QQ's "Ip
///    frequency limited", "Connection frequency limited") under toomanyconn; ours is rate-limited.
bool convention_agrees(const std::string& sisimai, const maildiag::bounce::Recipient& r) {
  if (sisimai == "filtered" && r.reason == Reason::user_unknown && r.command.empty()) {
    return !r.status || r.status->subject != 1 || r.status->detail != 1;
  }
  return sisimai == "toomanyconn" && r.reason == Reason::rate_limited;
}

struct Row {
  std::string file;
  int index = 0;
  std::string status;
  std::string replycode;
  std::string reason;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == '\t') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

struct Tally {
  int n = 0;
  int ok = 0;
  [[nodiscard]] double pct() const { return n == 0 ? 100.0 : 100.0 * ok / n; }
};

bool verbose() { return std::getenv("MAILDIAG_CORPUS_VERBOSE") != nullptr; }

std::string describe(const maildiag::bounce::Analysis& a, std::size_t i) {
  if (i >= a.recipients.size()) return "(no recipient #" + std::to_string(i + 1) + ", kind " + std::string(to_string(a.kind)) + ")";
  const auto& r = a.recipients[i];
  std::ostringstream s;
  s << r.address << " status=" << (r.status ? r.status->str() : "-") << " code=" << (r.reply_code ? std::to_string(*r.reply_code) : "-")
    << " reason=" << to_string(r.reason) << " cmd=" << r.command << " diag=" << r.diagnostic.substr(0, 160);
  return s.str();
}

}  // namespace

TEST_CASE("bounce corpus: agreement with the expected rows", "[bounce][corpus]") {
  const auto dir = maildiag::test::corpus_dir("bounces");
  if (!dir) return;
  std::istringstream tsv(maildiag::test::read_file(*dir / "expected.tsv"));
  std::string line;
  std::getline(tsv, line);  // header
  std::map<std::string, std::vector<Row>> by_file;
  while (std::getline(tsv, line)) {
    const auto f = split_tabs(line);
    if (f.size() < 5) continue;
    by_file[f[0]].push_back(Row{f[0], std::atoi(f[1].c_str()), f[2], f[3], f[4]});
  }
  REQUIRE(by_file.size() > 500);

  Tally status, code, reason, strict, not_bounce;
  int extra = 0;
  for (const auto& [file, rows] : by_file) {
    const auto bytes = maildiag::test::read_file(*dir / file);
    const auto a = maildiag::bounce::analyse(bytes);
    for (const auto& row : rows) {
      if (row.reason == "NOT_BOUNCE") {
        ++not_bounce.n;
        const bool ok = a.kind == maildiag::bounce::Kind::not_bounce && a.recipients.empty();
        not_bounce.ok += ok ? 1 : 0;
        if (!ok && verbose()) std::cout << "NOT-BOUNCE " << file << " read as " << to_string(a.kind) << "\n";
        continue;
      }
      const auto i = static_cast<std::size_t>(row.index - 1);
      const auto* r = i < a.recipients.size() ? &a.recipients[i] : nullptr;
      // Status: only rows with a real RFC 3463 code (Sisimai invents x.0.9xx when there is none).
      const bool pseudo = row.status.size() >= 5 && row.status.substr(1, 3) == ".0." && row.status.size() == 7 &&
                          row.status[4] == '9';
      if (!row.status.empty() && !pseudo) {
        ++status.n;
        const bool ok = r != nullptr && r->status && r->status->str() == row.status;
        status.ok += ok ? 1 : 0;
        if (!ok && verbose()) std::cout << "STATUS " << file << "#" << row.index << " want " << row.status << " got " << describe(a, i) << "\n";
      }
      ++code.n;
      {
        const std::string got = r != nullptr && r->reply_code ? std::to_string(*r->reply_code) : "";
        const bool ok = got == row.replycode;
        code.ok += ok ? 1 : 0;
        if (!ok && verbose()) std::cout << "CODE " << file << "#" << row.index << " want '" << row.replycode << "' got " << describe(a, i) << "\n";
      }
      ++reason.n;
      const auto m = sisimai_map().find(row.reason);
      REQUIRE(m != sisimai_map().end());
      const bool exact = r != nullptr && m->second.count(r->reason) > 0;
      const bool ok = exact || (r != nullptr && convention_agrees(row.reason, *r));
      ++strict.n;
      strict.ok += exact ? 1 : 0;
      reason.ok += ok ? 1 : 0;
      if (ok && !exact && verbose()) std::cout << "CONVENTION " << file << "#" << row.index << " " << row.reason << " ~ " << to_string(r->reason) << "\n";
      if (!ok && verbose()) std::cout << "REASON " << file << "#" << row.index << " want " << row.reason << " got " << describe(a, i) << "\n";
    }
    if (!rows.empty() && rows.front().reason != "NOT_BOUNCE" && a.recipients.size() > rows.size()) {
      extra += static_cast<int>(a.recipients.size() - rows.size());
      if (verbose()) std::cout << "EXTRA " << file << " has " << a.recipients.size() << " recipients, expected " << rows.size() << "\n";
    }
  }
  std::cout << "bounce corpus: reason " << reason.ok << "/" << reason.n << " (" << reason.pct() << "%; without the "
            << "conventions " << strict.ok << "/" << strict.n << " = " << strict.pct() << "%), status "
            << status.ok << "/" << status.n << " (" << status.pct() << "%), reply code " << code.ok << "/" << code.n
            << " (" << code.pct() << "%), not-bounce " << not_bounce.ok << "/" << not_bounce.n << ", extra recipients "
            << extra << "\n";
  CHECK(not_bounce.ok == not_bounce.n);
  // Pinned just under the agreement reached (93.2% reason, 89.0% without the conventions, 99.5%
  // status, 97.8% reply code): a change that loses agreement fails here. Raise these when the
  // rules improve.
  CHECK(reason.pct() >= 93.2);
  CHECK(strict.pct() >= 88.9);
  CHECK(status.pct() >= 99.4);
  CHECK(code.pct() >= 97.6);
}

TEST_CASE("bounces-cn corpus: every row right", "[bounce][corpus]") {
  const auto dir = maildiag::test::corpus_dir("bounces-cn");
  if (!dir) return;
  std::istringstream tsv(maildiag::test::read_file(*dir / "expected.tsv"));
  std::string line;
  std::getline(tsv, line);
  std::map<std::string, std::vector<std::vector<std::string>>> by_file;
  while (std::getline(tsv, line)) {
    const auto f = split_tabs(line);
    if (f.size() >= 5 && !f[0].empty()) by_file[f[0]].push_back(f);
  }
  int rows = 0;
  for (const auto& [file, expected] : by_file) {
    INFO(file);
    const auto a = maildiag::bounce::analyse(maildiag::test::read_file(*dir / file));
    // Every row, and no recipient the table does not list.
    REQUIRE(a.recipients.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto& f = expected[i];
      const auto& r = a.recipients[i];
      ++rows;
      CHECK(r.address == f[1]);
      CHECK((r.reply_code ? std::to_string(*r.reply_code) : std::string()) == f[2]);
      // An empty status means the message states none: no code is invented.
      CHECK((r.status ? r.status->str() : std::string()) == f[3]);
      // The corpus says auth-failed for SPF/DKIM/DMARC failures too: ours splits sender-auth-failed off.
      if (f[4] == "auth-failed") {
        CHECK((r.reason == Reason::auth_failed || r.reason == Reason::sender_auth_failed));
      } else {
        const auto want = maildiag::codes::reason_from_string(f[4]);
        REQUIRE(want);
        CHECK(to_string(r.reason) == to_string(*want));
      }
    }
  }
  CHECK(rows == 15);
}
