// `maildiag queue` on the test bed's real Postfix queue (postqueue -c DIR -j): a message deferred
// because its next hop refuses connections is listed with its classified reason, by domain.

#include "log_testbed_support.hpp"

#include <nlohmann/json.hpp>

using maildiag::test::run_maildiag;
namespace bed = maildiag::test::logbed;

TEST_CASE("queue lists a deferred message of the bed's Postfix with its reason", "[integration][queue]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  const std::string conf = tb->get("POSTFIX_CONFIG");
  bed::Routes routes(*tb);
  const std::string tok = bed::token("q");
  const std::string id = bed::submit(std::stoi(tb->get("SMTP_OPENRELAY_PORT")), tb->get("USER"), tok + "@defer.test", tok);
  REQUIRE(bed::wait_for_log(tb->get("POSTFIX_LOG"), id + ": to=<" + tok + "@defer.test>"));

  auto r = run_maildiag({"--json", "queue", "--config-dir", conf, "--domain", "defer.test"});
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  CHECK(r.exit_code == 1);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["format"] == "postqueue-json");
  bool found = false;
  for (const auto& m : j["data"]["messages"]) {
    if (m["id"] != id) continue;
    found = true;
    CHECK(m["queue"] == "deferred");
    CHECK(m["sender"] == tb->get("USER"));
    REQUIRE(m["recipients"].size() == 1);
    CHECK(m["recipients"][0]["address"] == tok + "@defer.test");
    CHECK(m["recipients"][0]["reason"].get<std::string>().find("Connection refused") != std::string::npos);
    CHECK(m["recipients"][0]["reason_class"] == "network-error");
    CHECK(m["age"].get<long>() < 600);
  }
  CHECK(found);
  REQUIRE(j["data"]["domains"].size() == 1);
  CHECK(j["data"]["domains"][0]["domain"] == "defer.test");
  bool finding = false;
  for (const auto& f : j["findings"]) finding = finding || f["id"] == "queue.deferred.network-error";
  CHECK(finding);

  // Fresh mail is not older than an hour; nothing is older than the critical age.
  r = run_maildiag({"--json", "queue", "-c", conf, "--domain", "defer.test", "--older-than", "1h"});
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["data"]["totals"]["messages"] == 0);

  // The text view shows the domain and the reason.
  r = run_maildiag({"queue", "-c", conf, "--domain", "defer.test"});
  CHECK(r.out.find("defer.test") != std::string::npos);
  CHECK(r.out.find("Connection refused") != std::string::npos);

  // The test cleans up its message; maildiag itself never changes the queue.
  maildiag::test::run_process({"/bin/sh", "-c", "postsuper -c " + conf + " -d " + id});
}
