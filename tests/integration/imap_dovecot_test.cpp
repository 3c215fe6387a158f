// imap-test against the test bed's Dovecot: STARTTLS, IMAPS, good and bad passwords,
// LOGINDISABLED for a client bound to 127.0.0.2 (platform.md P9), EXAMINE read-only counts,
// the interactive mode; passwords never shown.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using maildiag::test::run_maildiag;
using maildiag::test::Testbed;

namespace {

struct Run {
  int exit_code = -1;
  nlohmann::json json;
  std::string out;
};

Run imap(const std::vector<std::string>& args, const std::string& password) {
  std::vector<std::string> argv{"--json", "--timeout", "5", "imap-test"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_maildiag(argv, {}, {{"MAILDIAG_PASSWORD", password}}, std::chrono::seconds(60));
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE_FALSE(r.out.empty());
  return {r.exit_code, nlohmann::json::parse(r.out.substr(0, r.out.find('\n'))), r.out};
}

bool has_finding(const nlohmann::json& j, const std::string& id) {
  for (const auto& f : j["findings"]) {
    if (f["id"] == id) return true;
  }
  return false;
}

std::string transcript_text(const nlohmann::json& j, bool sent_only = false) {
  std::string s;
  for (const auto& l : j["transcript"]) {
    if (!sent_only || l["dir"] == "sent") s += l["text"].get<std::string>() + "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("imap-test: STARTTLS, login and EXAMINE from a non-local source", "[integration][imap]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = imap({tb->addr("IMAP_PORT"), "--source", tb->get("ALT_SOURCE"), "--user", tb->get("USER"), "--ca-file",
                 tb->get("CA_FILE")},
                tb->get("PASSWORD"));
  CHECK(r.exit_code == 0);
  CHECK(r.json["data"]["starttls_offered"] == true);
  const auto& plain = r.json["data"]["capabilities_plain"];
  CHECK(std::find(plain.begin(), plain.end(), "LOGINDISABLED") != plain.end());
  CHECK(r.json["data"]["login"]["ok"] == true);
  CHECK(r.json["data"]["login"]["method"] == "plain");
  const auto& mb = r.json["data"]["mailbox"];
  CHECK(mb["read_only"] == true);
  CHECK(mb["exists"] == mb["messages"]);  // EXAMINE and STATUS agree
  const auto t = transcript_text(r.json);
  CHECK(t.find("EXAMINE \"INBOX\"") != std::string::npos);
  CHECK(transcript_text(r.json, true).find("SELECT") == std::string::npos);
  CHECK(r.out.find(tb->get("PASSWORD")) == std::string::npos);
}

TEST_CASE("imap-test: IMAPS with LOGIN, and a wrong password", "[integration][imap]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto good = imap({tb->addr("IMAPS_PORT"), "--tls-on-connect", "--user", tb->get("USER"), "--ca-file",
                    tb->get("CA_FILE"), "--auth", "login"},
                   tb->get("PASSWORD"));
  CHECK(good.exit_code == 0);
  CHECK(good.json["data"]["login"]["ok"] == true);
  CHECK(transcript_text(good.json).find("LOGIN \"" + tb->get("USER") + "\" \"********\"") != std::string::npos);

  auto bad = imap({tb->addr("IMAPS_PORT"), "--tls-on-connect", "--user", tb->get("USER"), "--ca-file",
                   tb->get("CA_FILE")},
                  "not-the-password");
  CHECK(bad.exit_code == 2);
  CHECK(has_finding(bad.json, "imap.login.refused"));
  CHECK(bad.json["data"]["login"]["classification"]["reason"] == "auth-failed");
  CHECK(bad.out.find("not-the-password") == std::string::npos);
}

TEST_CASE("imap-test: LOGINDISABLED before STARTTLS keeps the password home", "[integration][imap]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = imap({tb->addr("IMAP_PORT"), "--source", tb->get("ALT_SOURCE"), "--starttls", "never", "--user",
                 tb->get("USER"), "--allow-plaintext"},
                tb->get("PASSWORD"));
  CHECK(r.exit_code == 2);
  CHECK(has_finding(r.json, "imap.login.plaintext-disabled"));
  CHECK(has_finding(r.json, "imap.starttls.missing") == false);
  CHECK(transcript_text(r.json, true).find("LOGIN") == std::string::npos);
  CHECK(transcript_text(r.json, true).find("AUTHENTICATE") == std::string::npos);
}

TEST_CASE("imap-test: a plaintext AUTHENTICATE is refused with [PRIVACYREQUIRED]", "[integration][imap]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = imap({tb->addr("IMAP_PORT"), "--source", tb->get("ALT_SOURCE"), "--starttls", "never", "--user",
                 tb->get("USER"), "--allow-plaintext", "--auth", "plain"},
                tb->get("PASSWORD"));
  CHECK(r.exit_code == 2);
  CHECK(has_finding(r.json, "imap.login.plaintext-disabled"));
}

TEST_CASE("imap-test --interactive: tags added, STARTTLS upgrade, password redacted", "[integration][imap]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string input = "capability\nstarttls\nlogin " + tb->get("USER") + "\nexamine INBOX\nlogout\n";
  auto r = run_maildiag({"imap-test", tb->addr("IMAP_PORT"), "--interactive", "--ca-file", tb->get("CA_FILE")}, input,
                        {{"MAILDIAG_PASSWORD", tb->get("PASSWORD")}}, std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(" -> A0001 CAPABILITY") != std::string::npos);
  CHECK(r.out.find(" ~> A0003 LOGIN \"" + tb->get("USER") + "\" \"********\"") != std::string::npos);
  CHECK(r.out.find("[READ-ONLY]") != std::string::npos);
  CHECK(r.out.find(tb->get("PASSWORD")) == std::string::npos);
}
