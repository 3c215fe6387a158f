#include "support/corpus.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

using maildiag::test::run_maildiag;
using maildiag::test::ndjson;

namespace {

namespace fs = std::filesystem;

std::string fixture_path(const std::string& name) {
  return std::string(MAILDIAG_SOURCE_DIR) + "/tests/unit/log/fixtures/" + name;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/maildiag-logtest-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary);
  f << data;
}

void write_gz(const fs::path& p, const std::string& data) {
  gzFile g = gzopen(p.c_str(), "wb");
  REQUIRE(g != nullptr);
  REQUIRE(gzwrite(g, data.data(), static_cast<unsigned>(data.size())) == static_cast<int>(data.size()));
  gzclose(g);
}

}  // namespace

TEST_CASE("log --id tells a delivered message's story", "[cli][log]") {
  auto r = run_maildiag({"log", "--id", "12BDBE6FEE9", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("== log 12BDBE6FEE9") != std::string::npos);
  CHECK(r.out.find("Trusted: TLSv1.3") != std::string::npos);
  CHECK(r.out.find("alice@example.com (SASL PLAIN)") != std::string::npos);
  CHECK(r.out.find("Delivered to carol@example.biz") != std::string::npos);
  CHECK(r.out.find("after 1 deferred attempt(s)") != std::string::npos);
  CHECK(r.out.find("connect from client.example.org[198.51.100.7]") != std::string::npos);
  CHECK(r.out.find("before queue manager") != std::string::npos);  // carol's 300 s delay explained
  CHECK(r.out.find("Status: OK") != std::string::npos);
}

TEST_CASE("log --json --id follows a bounce to its notification", "[cli][log]") {
  auto r = run_maildiag({"--json", "log", "--id", "7A1C2B3D4E", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 2);
  const auto docs = ndjson(r.out);
  REQUIRE(docs.size() == 2);
  const auto& d = docs[0]["data"];
  CHECK(docs[0]["command"] == "log");
  CHECK(docs[0]["status"] == "critical");
  CHECK(d["outcome"] == "bounced");
  CHECK(d["children"] == nlohmann::json::array({"9C8D7E6F5A"}));
  REQUIRE(d["deliveries"].size() == 1);
  CHECK(d["deliveries"][0]["dsn"] == "5.1.1");
  CHECK(d["deliveries"][0]["classification"]["reason"] == "user-unknown");
  CHECK(d["deliveries"][0]["delays"]["connection_setup"] == Approx(0.5));
  CHECK(docs[1]["data"]["queue_id"] == "9C8D7E6F5A");
  CHECK(docs[1]["data"]["outcome"] == "delivered");
}

TEST_CASE("log --to and --message-id", "[cli][log]") {
  auto r = run_maildiag({"--json", "log", "--to", "Carol@Example.BIZ", fixture_path("postfix_mail.log")});
  auto docs = ndjson(r.out);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["data"]["queue_id"] == "12BDBE6FEE9");

  r = run_maildiag({"--json", "log", "--message-id", "abc@partner.example", fixture_path("postfix_mail.log")});
  docs = ndjson(r.out);
  REQUIRE(docs.size() == 2);  // before and after the content filter
  CHECK(docs[0]["data"]["next_hops"] == nlohmann::json::array({"8D8D8D8D8D"}));
  CHECK(docs[1]["data"]["parent_id"] == "6B6B6B6B6B");

  // A recipient refused during SMTP: a NOQUEUE story with the classified reply.
  r = run_maildiag({"--json", "log", "--to", "nosuch@example.com", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 2);
  docs = ndjson(r.out);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["data"]["queue_id"].is_null());
  CHECK(docs[0]["data"]["rejects"][0]["classification"]["reason"] == "user-unknown");

  r = run_maildiag({"log", "--to", "@example.de", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 1);  // still deferred at the end of the log
  CHECK(r.out.find("Deferred for full@example.de") != std::string::npos);
  CHECK(r.out.find("not finished in this log") != std::string::npos);
}

TEST_CASE("log says when a message is not in the log", "[cli][log]") {
  auto r = run_maildiag({"log", "--id", "FFFFFFFFFF", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("No message found for queue id FFFFFFFFFF") != std::string::npos);
}

TEST_CASE("log --summary in text and JSON", "[cli][log]") {
  auto r = run_maildiag({"log", "--summary", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("By recipient domain") != std::string::npos);
  CHECK(r.out.find("zen.spamhaus.org") != std::string::npos);
  CHECK(r.out.find("203.0.113.50") != std::string::npos);

  r = run_maildiag({"--json", "log", fixture_path("postfix_mail.log")});  // summary is the default
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["totals"]["sent"] == 5);
  CHECK(j["data"]["totals"]["bounced"] == 1);
  CHECK(j["data"]["totals"]["rejected"] == 2);
  CHECK(j["data"]["totals"]["unparsed"] == 2);
  bool biz = false;
  for (const auto& d : j["data"]["domains"]) {
    if (d["domain"] == "example.biz") {
      biz = true;
      CHECK(d["deferred"] == 1);
      CHECK(d["main_failure"] == "network-error");
    }
  }
  CHECK(biz);
}

TEST_CASE("log reads gzip rotations, stdin, and puts rotations in order", "[cli][log]") {
  const std::string all = maildiag::test::read_file(fixture_path("postfix_mail.log"));
  const std::size_t cut = all.find("Nov 23 10:05:00");
  REQUIRE(cut != std::string::npos);
  const std::size_t half = all.find('\n', cut / 2) + 1;  // a line boundary before the cut
  TempDir tmp;
  write_gz(tmp.path / "mail.log.2.gz", all.substr(0, half));
  write(tmp.path / "mail.log.1", all.substr(half, cut - half));
  write(tmp.path / "mail.log", all.substr(cut));
  // Given newest first, as a shell glob would; read oldest first.
  auto r = run_maildiag({"--json", "log", "--id", "12BDBE6FEE9", (tmp.path / "mail.log").string(),
                         (tmp.path / "mail.log.1").string(), (tmp.path / "mail.log.2.gz").string()});
  CHECK(r.exit_code == 0);
  const auto docs = ndjson(r.out);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["data"]["outcome"] == "delivered");
  CHECK(docs[0]["data"]["tls"]["level"] == "Trusted");

  r = run_maildiag({"--json", "log", "--id", "12BDBE6FEE9", "-"}, all);
  CHECK(r.exit_code == 0);
  CHECK(ndjson(r.out).size() == 1);

  write(tmp.path / "broken.gz", std::string("\x1f\x8b\x08\x00garbage", 11));
  r = run_maildiag({"log", "--summary", (tmp.path / "broken.gz").string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("corrupt gzip") != std::string::npos);
}

TEST_CASE("log usage errors", "[cli][log]") {
  auto r = run_maildiag({"log", "--since", "yesterday-ish", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("--since") != std::string::npos);
  r = run_maildiag({"log", "--summary", "--id", "X", fixture_path("postfix_mail.log")});
  CHECK(r.exit_code == 3);
  r = run_maildiag({"log", "--summary", "/nonexistent/mail.log"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("cannot open /nonexistent/mail.log") != std::string::npos);
}

TEST_CASE("log --since/--until window the summary", "[cli][log]") {
  auto r = run_maildiag({"--json", "log", "--summary", "--since", "2000-01-01", "--until", "2000-01-02",
                         fixture_path("postfix_mail.log")});
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["data"]["totals"]["sent"] == 0);
  CHECK(r.exit_code == 3);  // no mail lines in the window
}

TEST_CASE("log -f follows a growing log across rotation and stops when the message is done", "[cli][log]") {
  TempDir tmp;
  const fs::path log = tmp.path / "mail.log";
  write(log, "Nov 23 10:00:00 mx postfix/smtpd[1]: connect from a.example[192.0.2.1]\n"
             "Nov 23 10:00:01 mx postfix/smtpd[1]: ABCDE12345: client=a.example[192.0.2.1]\n");
  // The writer's pauses must outlast maildiag's start; scripts/valgrind sets MAILDIAG_TEST_TIME_SCALE
  // (maildiag under memcheck needs seconds to start, and then read the whole file at once).
  const char* scale_env = std::getenv("MAILDIAG_TEST_TIME_SCALE");
  const int scale = scale_env != nullptr && std::atoi(scale_env) > 0 ? std::atoi(scale_env) : 1;
  const auto pause = std::chrono::milliseconds(500 * scale);
  std::thread writer([&] {
    std::this_thread::sleep_for(pause);
    {
      std::ofstream f(log, std::ios::app);
      f << "Nov 23 10:00:01 mx postfix/cleanup[2]: ABCDE12345: message-id=<m@a.example>\n"
           "Nov 23 10:00:01 mx postfix/qmgr[3]: ABCDE12345: from=<s@a.example>, size=10, nrcpt=1 (queue active)\n"
           "Nov 23 10:00:02 mx postfix/smtp[4]: ABCDE12345: to=<r@b.example>, relay=none, delay=1, "
           "delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.b.example[192.0.2.9]:25: Connection refused)\n";
    }
    std::this_thread::sleep_for(pause);
    fs::rename(log, tmp.path / "mail.log.1");  // logrotate: rename, then a new file
    write(log, "Nov 23 10:05:02 mx postfix/smtp[4]: ABCDE12345: to=<r@b.example>, relay=mx.b.example[192.0.2.9]:25, "
               "delay=301, delays=300/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n"
               "Nov 23 10:05:02 mx postfix/qmgr[3]: ABCDE12345: removed\n");
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_maildiag({"--json", "log", "-f", "--follow-for", "20s", "--id", "ABCDE12345", log.string()});
  const auto took = std::chrono::steady_clock::now() - t0;
  writer.join();
  CHECK(r.exit_code == 0);
  const auto docs = ndjson(r.out);
  REQUIRE(docs.size() == 2);  // the deferral as it happened, then the final story
  CHECK(docs[0]["data"]["outcome"] == "deferred");
  CHECK(docs[0]["data"]["completed"] == false);
  CHECK(docs[1]["data"]["outcome"] == "delivered");
  CHECK(docs[1]["data"]["completed"] == true);
  CHECK(took < std::chrono::seconds(10) * scale);
}
