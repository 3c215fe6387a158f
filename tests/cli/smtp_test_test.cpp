// smtp-test's command line without a network: usage errors are one line and exit 3 before any
// connection is made; the help names every option.

#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using maildiag::test::run_maildiag;

namespace {

void usage_error(const std::vector<std::string>& args, const std::string& says) {
  auto r = run_maildiag(args, {}, {{"MAILDIAG_PASSWORD", ""}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("smtp-test usage errors exit 3 with one line, before connecting", "[cli][smtp]") {
  // 192.0.2.1 (TEST-NET-1) is never contacted: every case fails before the connect.
  usage_error({"smtp-test"}, "give either HOST[:PORT] or --mx DOMAIN");
  usage_error({"smtp-test", "192.0.2.1", "--mx", "example.org"}, "give either HOST[:PORT] or --mx DOMAIN");
  usage_error({"smtp-test", "192.0.2.1", "--data"}, "--data needs at least one --to");
  usage_error({"smtp-test", "192.0.2.1", "--to", "a@b", "--quit-after", "data"}, "--quit-after data needs --data");
  usage_error({"smtp-test", "192.0.2.1", "--to", "a@b\r\nRCPT TO:<c@d>"}, "line break");
  usage_error({"smtp-test", "192.0.2.1", "--to", "<a@b>"}, "without < >");
  usage_error({"smtp-test", "192.0.2.1", "--from", "a b@c"}, "contains a space");
  usage_error({"smtp-test", "192.0.2.1", "--helo", "two words"}, "--helo");
  usage_error({"smtp-test", "192.0.2.1", "--to", "a@b", "--data", "--header", "no colon"}, "--header");
  usage_error({"smtp-test", "192.0.2.1", "--auth-mech", "KERBEROS-9"}, "unknown mechanism");
  usage_error({"smtp-test", "192.0.2.1", "--source", "not-an-ip"}, "--source must be an IP address");
  usage_error({"smtp-test", "192.0.2.1:99999"}, "port");
  usage_error({"smtp-test", "192.0.2.1", "--quit-after", "lunch"}, "lunch");
  usage_error({"smtp-test", "--mx", "bad..domain"}, "");
}

TEST_CASE("smtp-test without a password source refuses AUTH up front", "[cli][smtp]") {
  // No MAILDIAG_PASSWORD, no --password-file, no terminal: nothing to send, so nothing is tried.
  auto r = run_maildiag({"smtp-test", "192.0.2.1", "--auth-user", "alice"}, {}, {{"MAILDIAG_PASSWORD", ""}});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
}

TEST_CASE("smtp-test --help documents the options and the exit codes", "[cli][smtp]") {
  auto r = run_maildiag({"smtp-test", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* opt : {"--mx", "--to", "--from", "--helo", "--quit-after", "--relay-test", "--starttls",
                          "--tls-on-connect", "--ca-file", "--no-verify", "--sni", "--auth-user", "--auth-mech",
                          "--password-file", "--token-file", "--allow-plaintext-auth", "--data", "--header", "--body",
                          "--data-file", "--notify", "--ret", "--envid", "--source", "--connect-timeout",
                          "--command-timeout", "--timeout-state", "--transcript", "--interactive", "--tlsa-name"}) {
    INFO(opt);
    CHECK(r.out.find(opt) != std::string::npos);
  }
  CHECK(r.out.find("Exit code") != std::string::npos);
}
