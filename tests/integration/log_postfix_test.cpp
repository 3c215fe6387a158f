// `maildiag log` on the test bed's real Postfix maillog_file: a delivered, a deferred and a
// bounced message, each submitted here and then followed by queue id, Message-ID and recipient,
// and the summary of the real log.

#include "log_testbed_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

using maildiag::test::run_maildiag;
namespace bed = maildiag::test::logbed;

namespace {

nlohmann::json one_story(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"--json", "log"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_maildiag(argv);
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  REQUIRE(!r.out.empty());
  return nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
}

}  // namespace

TEST_CASE("log follows delivered, deferred and bounced mail through the bed's Postfix log", "[integration][log]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string log = tb->get("POSTFIX_LOG");
  bed::Routes routes(*tb);
  const int smtp = std::stoi(tb->get("SMTP_PORT"));
  const int relay = std::stoi(tb->get("SMTP_OPENRELAY_PORT"));
  const std::string tok = bed::token("lg");

  const std::string delivered = bed::submit(smtp, "sender@client.test", tb->get("USER2"), tok + "d");
  const std::string deferred = bed::submit(relay, tb->get("USER"), tok + "@defer.test", tok + "q");
  const std::string bounced = bed::submit(relay, tb->get("USER"), tok + "@bounce.test", tok + "b");
  REQUIRE(bed::wait_for_log(log, delivered + ": removed"));
  REQUIRE(bed::wait_for_log(log, deferred + ": to=<" + tok + "@defer.test>"));
  REQUIRE(bed::wait_for_log(log, bounced + ": removed"));

  {
    INFO("delivered: client, message-id, sender, virtual delivery");
    auto r = run_maildiag({"--json", "log", "--id", delivered, log});
    CHECK(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
    const auto& d = j["data"];
    CHECK(d["queue_id"] == delivered);
    CHECK(d["outcome"] == "delivered");
    CHECK(d["completed"] == true);
    CHECK(d["client"] == "unknown[127.0.0.1]");
    CHECK(d["message_id"] == "<" + tok + "d@client.test>");
    CHECK(d["from"] == "sender@client.test");
    REQUIRE(d["deliveries"].size() == 1);
    CHECK(d["deliveries"][0]["to"] == tb->get("USER2"));
    CHECK(d["deliveries"][0]["relay"] == "virtual");
    CHECK(d["deliveries"][0]["dsn"] == "2.0.0");
    CHECK(d["timeline"][0]["text"] == "connect from unknown[127.0.0.1]");
  }
  {
    INFO("deferred: connection refused, classified, still queued");
    const auto j = one_story({"--to", tok + "@defer.test", log});
    const auto& d = j["data"];
    CHECK(d["queue_id"] == deferred);
    CHECK(d["outcome"] == "deferred");
    CHECK(d["completed"] == false);
    CHECK(j["status"] == "warning");
    REQUIRE(d["deliveries"].size() >= 1);
    const auto& a = d["deliveries"][0];
    CHECK(a["status"] == "deferred");
    CHECK(a["reply"].get<std::string>().find("Connection refused") != std::string::npos);
    CHECK(a["classification"]["reason"] == "network-error");
    CHECK(a["delays"].is_object());
  }
  {
    INFO("bounced: error transport, 5.1.1, notification delivered to the sender");
    auto r = run_maildiag({"--json", "log", "--message-id", "<" + tok + "b@client.test>", log});
    CHECK(r.exit_code == 2);
    const auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
    const auto& d = j["data"];
    CHECK(d["queue_id"] == bounced);
    CHECK(d["outcome"] == "bounced");
    CHECK(d["deliveries"][0]["dsn"] == "5.1.1");
    CHECK(d["deliveries"][0]["classification"]["reason"] == "user-unknown");
    REQUIRE(d["children"].size() == 1);
    // The notification is followed too when asked by queue id.
    const std::string ndr = d["children"][0];
    REQUIRE(bed::wait_for_log(log, ndr + ": removed"));
    r = run_maildiag({"--json", "log", "--id", bounced, log});
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
    CHECK(r.out.find("\"queue_id\":\"" + ndr + "\"") != std::string::npos);
  }
  {
    INFO("summary of the real log counts all three");
    auto r = run_maildiag({"--json", "log", "--summary", "--top", "1000", log});
    CHECK(r.exit_code == 1);
    const auto j = nlohmann::json::parse(r.out);
    const auto& t = j["data"]["totals"];
    CHECK(t["sent"].get<int>() >= 1);
    CHECK(t["deferred"].get<int>() >= 1);
    CHECK(t["bounced"].get<int>() >= 1);
    bool defer_seen = false;
    bool bounce_seen = false;
    for (const auto& d : j["data"]["domains"]) {
      if (d["domain"] == "defer.test") defer_seen = d["deferred"].get<int>() >= 1 && d["main_failure"] == "network-error";
      if (d["domain"] == "bounce.test") bounce_seen = d["bounced"].get<int>() >= 1 && d["main_failure"] == "user-unknown";
    }
    CHECK(defer_seen);
    CHECK(bounce_seen);
  }
  // The deferred test message would be retried for days: delete it (the test does; maildiag never does).
  maildiag::test::run_process({"/bin/sh", "-c", "postsuper -c " + tb->get("POSTFIX_CONFIG") + " -d " + deferred});
}
