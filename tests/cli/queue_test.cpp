#include "support/corpus.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>

using maildiag::test::run_maildiag;

namespace {

namespace fs = std::filesystem;

std::string fixture_path(const std::string& name) {
  return std::string(MAILDIAG_SOURCE_DIR) + "/tests/unit/log/fixtures/" + name;
}

/// A postqueue -j listing with messages queued `ages` seconds ago.
std::string listing(std::initializer_list<std::pair<const char*, long>> msgs) {
  std::string out;
  const long now = static_cast<long>(std::time(nullptr));
  int n = 0;
  for (const auto& [domain, age] : msgs) {
    nlohmann::json j{{"queue_name", "deferred"},
                     {"queue_id", "AB" + std::to_string(100000 + n++)},
                     {"arrival_time", now - age},
                     {"message_size", 1000},
                     {"forced_expire", false},
                     {"sender", "s@example.com"},
                     {"recipients",
                      {{{"address", std::string("r@") + domain},
                        {"delay_reason", std::string("connect to mx.") + domain + "[192.0.2.1]:25: Connection refused"}}}}};
    out += j.dump() + "\n";
  }
  return out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/maildiag-queuetest-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("queue --input: deferred messages warn, old ones are critical", "[cli][queue]") {
  auto r = run_maildiag({"--json", "queue", "--input", "-"}, listing({{"a.example", 3600}, {"b.example", 600}}));
  CHECK(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["command"] == "queue");
  CHECK(j["data"]["format"] == "postqueue-json");
  CHECK(j["data"]["totals"]["messages"] == 2);
  CHECK(j["data"]["oldest"]["id"] == "AB100000");
  CHECK(j["data"]["domains"][0]["reason_class"] == "network-error");

  r = run_maildiag({"queue", "--input", "-"}, listing({{"a.example", 3 * 86400}, {"b.example", 600}}));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("The oldest message has waited 3d 0h") != std::string::npos);
  CHECK(r.out.find("By destination domain") != std::string::npos);

  r = run_maildiag({"queue", "--input", "-", "--critical-age", "4d"}, listing({{"a.example", 3 * 86400}}));
  CHECK(r.exit_code == 1);
}

TEST_CASE("queue filters by age and domain", "[cli][queue]") {
  const auto l = listing({{"a.example", 7200}, {"b.example", 600}, {"a.example", 60}});
  auto r = run_maildiag({"--json", "queue", "--input", "-", "--older-than", "30m"}, l);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["totals"]["messages"] == 1);
  r = run_maildiag({"--json", "queue", "--input", "-", "--domain", "A.example"}, l);
  j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["totals"]["messages"] == 2);
  REQUIRE(j["data"]["domains"].size() == 1);
  CHECK(j["data"]["domains"][0]["domain"] == "a.example");
  r = run_maildiag({"queue", "--input", "-", "--domain", "none.example"}, l);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("No queued message matches the filter") != std::string::npos);
}

TEST_CASE("queue reads mailq text of Postfix, Sendmail and Exim", "[cli][queue]") {
  for (const char* f : {"postfix_mailq.txt", "sendmail_mailq.txt", "exim_bp.txt"}) {
    INFO(f);
    auto r = run_maildiag({"--json", "queue", "--input", fixture_path(f), "--critical-age", "1000w"});
    CHECK(r.exit_code == 1);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["data"]["totals"]["messages"].get<int>() >= 2);
    CHECK(j["data"]["errors"].empty());
  }
  auto r = run_maildiag({"queue", "--input", "-"}, "Mail queue is empty\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("The queue is empty") != std::string::npos);
}

TEST_CASE("queue runs postqueue -c DIR -j and reports its failures", "[cli][queue]") {
  TempDir tmp;
  const fs::path fake = tmp.path / "postqueue";
  const fs::path args = tmp.path / "args";
  {
    std::string json = listing({{"c.example", 100}});
    json.pop_back();  // the newline; printf adds it
    std::ofstream f(fake);
    f << "#!/bin/sh\necho \"$@\" > " << args.string() << "\nprintf '%s\\n' '" << json << "'\n";
  }
  ::chmod(fake.c_str(), 0755);
  auto r = run_maildiag({"--json", "queue", "--postqueue", fake.string(), "--config-dir", "/etc/postfix-test"});
  CHECK(r.exit_code == 1);
  CHECK(maildiag::test::read_file(args) == "-c /etc/postfix-test -j\n");
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["domains"][0]["domain"] == "c.example");

  {
    std::ofstream f(fake);
    f << "#!/bin/sh\necho 'postqueue: fatal: open /etc/postfix-test/main.cf: No such file or directory' >&2\nexit 75\n";
  }
  r = run_maildiag({"queue", "--postqueue", fake.string(), "-c", "/etc/postfix-test"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("main.cf: No such file") != std::string::npos);

  {
    std::ofstream f(fake);
    f << "#!/bin/sh\nexec sleep 30\n";
  }
  r = run_maildiag({"--timeout", "0.5", "queue", "--postqueue", fake.string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("did not finish") != std::string::npos);
  CHECK(r.elapsed_ms < 10000);

  r = run_maildiag({"queue", "--postqueue", "/nonexistent/postqueue"});
  CHECK(r.exit_code == 3);
}
