#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using maildiag::test::run_maildiag;
using maildiag::test::ndjson;
namespace fs = std::filesystem;

namespace {

const std::string kHard =
    "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
    "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    "Final-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\n\n"
    "Final-Recipient: rfc822; full@example.net\nAction: failed\nStatus: 5.2.2\n"
    "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\n--B--\n";

const std::string kSoft =
    "From: MAILER-DAEMON@mx.example.org\nSubject: Delayed Mail (still being retried)\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
    "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; slow@example.com\nAction: delayed\n"
    "Status: 4.4.1\nDiagnostic-Code: X-Postfix; connect to example.com[192.0.2.9]:25: Connection timed out\n--B--\n";

const std::string kPlain = "From: a@example.com\nTo: b@example.com\nSubject: hello\n\nJust a note.\n";

/// A fresh temporary directory removed at scope end.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("maildiag-bounce-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string write(const std::string& name, const std::string& data) const {
    const auto p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
};

}  // namespace

TEST_CASE("bounce FILE: hard bounce is CRITICAL with the reasons and next steps", "[cli][bounce]") {
  TempDir d;
  const auto f = d.write("hard.eml", kHard);
  const auto r = run_maildiag({"bounce", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("gone@example.com") != std::string::npos);
  CHECK(r.out.find("user-unknown") != std::string::npos);
  CHECK(r.out.find("mailbox-full") != std::string::npos);
  CHECK(r.out.find("Check the address gone@example.com") != std::string::npos);
  CHECK(r.out.find("Status: CRITICAL") != std::string::npos);
}

TEST_CASE("bounce -: stdin, soft bounce is WARNING", "[cli][bounce]") {
  const auto r = run_maildiag({"bounce", "-"}, kSoft);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("maildiag probe example.com") != std::string::npos);
  const auto d = run_maildiag({"bounce"}, kSoft);  // stdin is the default
  CHECK(d.exit_code == 1);
}

TEST_CASE("bounce: not a bounce is said plainly and exits OK", "[cli][bounce]") {
  const auto r = run_maildiag({"bounce", "-"}, kPlain);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Not a bounce") != std::string::npos);
  const auto j = run_maildiag({"--json", "bounce", "-"}, kPlain);
  const auto v = ndjson(j.out);
  REQUIRE(v.size() == 1);
  CHECK(v[0]["kind"] == "not-bounce");
  CHECK(v[0]["recipient"].is_null());
}

TEST_CASE("bounce --json: one NDJSON line per recipient", "[cli][bounce]") {
  const auto r = run_maildiag({"--json", "bounce", "-"}, kHard);
  CHECK(r.exit_code == 2);
  const auto v = ndjson(r.out);
  REQUIRE(v.size() == 2);
  CHECK(v[0]["schema_version"] == 1);
  CHECK(v[0]["command"] == "bounce");
  CHECK(v[0]["recipient"] == "gone@example.com");
  CHECK(v[0]["status"] == "5.1.1");
  CHECK(v[0]["reply_code"] == 550);
  CHECK(v[0]["reason"] == "user-unknown");
  CHECK(v[0]["hard"] == true);
  CHECK(v[1]["recipient"] == "full@example.net");
  CHECK(v[1]["reason"] == "mailbox-full");
  CHECK(v[1]["hard"] == false);
  CHECK(v[1]["classification"]["code"] == 552);
}

TEST_CASE("bounce DIR: a maildir (cur/ and new/) and --summary", "[cli][bounce]") {
  TempDir d;
  d.write("md/cur/1.eml", kHard);
  d.write("md/new/2.eml", kSoft);
  d.write("md/new/3.eml", kPlain);
  d.write("md/tmp/ignored", kHard);
  const auto md = (d.path / "md").string();
  const auto j = run_maildiag({"--json", "bounce", md});
  CHECK(j.exit_code == 2);
  CHECK(ndjson(j.out).size() == 4);  // 2 + 1 + 1 (not a bounce)
  const auto s = run_maildiag({"--json", "bounce", "--summary", md});
  const auto v = ndjson(s.out);
  REQUIRE(v.size() == 1);
  CHECK(v[0]["summary"]["messages"] == 3);
  CHECK(v[0]["summary"]["hard"] == 1);
  CHECK(v[0]["summary"]["soft"] == 2);
  CHECK(v[0]["summary"]["by_reason"]["user-unknown"] == 1);
  CHECK(v[0]["summary"]["by_domain"]["example.com"] == 2);
  const auto t = run_maildiag({"bounce", "--summary", md});
  CHECK(t.out.find("By reason") != std::string::npos);
  CHECK(t.out.find("By recipient domain") != std::string::npos);
}

TEST_CASE("bounce: an mbox is read message by message", "[cli][bounce]") {
  TempDir d;
  const auto f = d.write("box", "From MAILER-DAEMON Thu Apr 29 23:34:45 2015\n" + kSoft + "\nFrom a@example.com Fri Apr 30 00:00:00 2015\n" + kPlain);
  const auto r = run_maildiag({"--json", "bounce", f});
  const auto v = ndjson(r.out);
  REQUIRE(v.size() == 2);
  CHECK(v[0]["source"] == f + "#1");
  CHECK(v[0]["kind"] == "delay");
  CHECK(v[1]["kind"] == "not-bounce");
  CHECK(r.exit_code == 1);
}

TEST_CASE("bounce: unreadable input is a one-line error and exit 3", "[cli][bounce]") {
  const auto r = run_maildiag({"bounce", "/nonexistent/maildiag-no-such-file"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("maildiag: error: ") == 0);
}

TEST_CASE("bounce --max-message-size: a longer message is cut and said so; lines longer than a read piece",
          "[cli][bounce][limits]") {
  // a hard bounce whose tail (a 200 KiB single-line attachment and a second report) lies past 4 KiB
  const std::string big = kHard + "X-Filler: " + std::string(200 * 1024, 'x') + "\n";
  auto r = run_maildiag({"bounce", "--max-message-size", "4KiB", "-"}, big);
  INFO(r.out << r.err);
  CHECK(r.out.find("longer than 4 KiB and was cut") != std::string::npos);
  CHECK(r.out.find("gone@example.com") != std::string::npos);  // what came before the cut is read
  CHECK(r.exit_code == 2);

  r = run_maildiag({"--json", "bounce", "--max-message-size", "4096", "-"}, big);
  const auto v = ndjson(r.out);
  REQUIRE(v.size() == 2);
  CHECK(v[0]["input_cut"] == true);

  // the default limit does not cut it; the long line is read whole (several 64 KiB pieces)
  r = run_maildiag({"--json", "bounce", "-"}, big);
  REQUIRE(ndjson(r.out).size() == 2);
  CHECK_FALSE(ndjson(r.out)[0].contains("input_cut"));

  // an mbox whose first message has an endless line: the second message still starts at its From line
  const std::string box = "From a@example.com Fri Apr 30 00:00:00 2015\nSubject: x\n\n" + std::string(300 * 1024, 'y') +
                          "\nFrom MAILER-DAEMON Thu Apr 29 23:34:45 2015\n" + kSoft;
  r = run_maildiag({"--json", "bounce", "--max-message-size", "64KiB", "-"}, box);
  const auto w = ndjson(r.out);
  REQUIRE(w.size() == 2);
  CHECK(w[0]["input_cut"] == true);
  CHECK(w[1]["kind"] == "delay");
  CHECK_FALSE(w[1].contains("input_cut"));

  r = run_maildiag({"bounce", "--max-message-size", "10", "-"}, kHard);
  CHECK(r.exit_code == 3);  // below the 1 KiB floor: a usage error
}
