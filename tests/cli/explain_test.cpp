#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using maildiag::test::run_maildiag;

TEST_CASE("explain 550 5.1.1 is CRITICAL with a user-unknown reason", "[cli][explain]") {
  auto r = run_maildiag({"explain", "550", "5.1.1"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.empty());
  CHECK(r.out.find("Reason") != std::string::npos);
  CHECK(r.out.find("user-unknown") != std::string::npos);
  CHECK(r.out.find("Status: CRITICAL") != std::string::npos);
}

TEST_CASE("explain a quoted reply and --json", "[cli][explain]") {
  auto r = run_maildiag({"--json", "explain", "452 4.2.2 Mailbox full"});
  CHECK(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["schema_version"] == 1);
  CHECK(j["command"] == "explain");
  CHECK(j["status"] == "warning");
  CHECK(j["data"]["reason"] == "mailbox-full");
  CHECK(j["data"]["enhanced"] == "4.2.2");
  CHECK(j["findings"].size() >= 1);
}

TEST_CASE("explain - reads stdin", "[cli][explain]") {
  auto r = run_maildiag({"explain", "-", "--json"},
                        "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org\n");
  CHECK(r.exit_code == 2);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["reason"] == "blocked");
  CHECK(j["data"]["blocklist"] == "zen.spamhaus.org");
}

TEST_CASE("explain banana is a one-line error with exit 3", "[cli][explain]") {
  auto r = run_maildiag({"explain", "banana"});
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(r.err == "maildiag: error: cannot explain \"banana\": no three-digit reply code at the start: \"banana\"\n");
}

TEST_CASE("usage errors are one line and exit 3", "[cli]") {
  auto r = run_maildiag({"explian", "550"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("maildiag: error: ") == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  auto none = run_maildiag({});
  CHECK(none.exit_code == 3);
  auto v = run_maildiag({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("maildiag ") == 0);
}

TEST_CASE("explain POP3 responses", "[cli][explain]") {
  auto r = run_maildiag({"--json", "explain", "--", "-ERR [IN-USE] Mailbox locked"});
  CHECK(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["outcome"] == "transient");
}

TEST_CASE("explain --lang zh and a zh_CN locale speak Chinese", "[cli][explain][i18n]") {
  auto r = run_maildiag({"--lang", "zh", "explain", "550", "5.1.1"});
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("目标邮箱地址错误") != std::string::npos);
  CHECK(r.out.find("检查结果") != std::string::npos);
  auto l = run_maildiag({"explain", "452 4.2.2 Mailbox full"}, {}, {{"LANG", "zh_CN.UTF-8"}, {"LC_ALL", ""}});
  CHECK(l.out.find("邮箱已满") != std::string::npos);
  auto en = run_maildiag({"explain", "452 4.2.2 Mailbox full"}, {}, {{"LANG", "C.UTF-8"}, {"LC_ALL", ""}});
  CHECK(en.out.find("Mailbox full") != std::string::npos);
}
