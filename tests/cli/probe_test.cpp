// maildiag probe from the command line: usage errors, text and JSON shape, exit codes.
// Only loopback sockets made here (a bound port with no listener, a listener that greets).

#include "support/process.hpp"
#include "support/sockets.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using maildiag::test::run_maildiag;

namespace {

/// A loopback port: listening (greeting each client once) or merely bound (refuses).
struct LocalPort {
  int fd = -1;
  int port = 0;
  std::thread server;
  explicit LocalPort(bool listen_too, std::string greeting = {}) {
    const auto s = maildiag::test::bind_loopback(SOCK_STREAM);
    fd = s.fd;
    port = s.port;
    if (listen_too) {
      REQUIRE(::listen(fd, 8) == 0);
      server = std::thread([this, greeting] {
        const int c = ::accept(fd, nullptr, nullptr);
        if (c < 0) return;
        (void)!::write(c, greeting.data(), greeting.size());
        char buf[64];
        (void)!::read(c, buf, sizeof buf);  // the QUIT
        ::close(c);
      });
    }
  }
  ~LocalPort() {
    ::shutdown(fd, SHUT_RDWR);
    if (server.joinable()) server.join();
    ::close(fd);
  }
};

}  // namespace

TEST_CASE("probe: usage errors exit 3 with one line", "[cli][probe]") {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"probe"}, "target is required"},
      {{"probe", "-p", "smtpx", "127.0.0.1"}, "unknown port \"smtpx\""},
      {{"probe", "-p", "25/bogus", "127.0.0.1"}, "unknown protocol \"bogus\""},
      {{"probe", "host:99999"}, "bad target \"host:99999\": bad port"},
      {{"probe", "--source", "mybox", "127.0.0.1"}, "--source must be an IP address"},
      {{"probe", "--control", "[::1", "127.0.0.1"}, "bad --control"},
      {{"probe", "--mx", "--host", "x.test"}, "excludes"},
  };
  for (const auto& c : cases) {
    INFO(c.args.back() << " " << c.message);
    const auto r = run_maildiag(c.args);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("probe: a refused port is critical, in text and JSON", "[cli][probe]") {
  LocalPort closed(false);
  const auto target = "127.0.0.1:" + std::to_string(closed.port);
  const auto text = run_maildiag({"probe", "--no-control", target});
  CHECK(text.exit_code == 2);
  CHECK(text.out.find("== probe " + target) != std::string::npos);
  CHECK(text.out.find(std::to_string(closed.port) + "/tcp") != std::string::npos);
  CHECK(text.out.find("refused") != std::string::npos);

  const auto js = run_maildiag({"--json", "probe", "--no-control", target + "/smtp"});
  CHECK(js.exit_code == 2);
  const auto j = nlohmann::json::parse(js.out);
  CHECK(j["command"] == "probe");
  CHECK(j["data"]["reading"] == "address");
  CHECK(j["data"]["attempts"][0]["outcome"] == "refused");
  CHECK(j["data"]["attempts"][0]["protocol"] == "smtp");
  CHECK(j["data"]["port25"]["verdict"] == "remote-refused");
}

TEST_CASE("probe: an open port with a greeting", "[cli][probe]") {
  LocalPort open(true, "220 local.test ESMTP hello\r\n");
  const auto r = run_maildiag({"--json", "probe", "--no-control", "-p", std::to_string(open.port) + "/smtp", "127.0.0.1"});
  CHECK(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto a = j["data"]["attempts"][0];
  CHECK(a["outcome"] == "open");
  CHECK(a["banner"]["lines"][0] == "220 local.test ESMTP hello");
  CHECK(a["banner"]["classification"]["code"] == 220);
}

TEST_CASE("probe: --help documents the port syntax", "[cli][probe]") {
  const auto r = run_maildiag({"probe", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("NUMBER/NAME") != std::string::npos);
  CHECK(r.out.find("--control") != std::string::npos);
}
