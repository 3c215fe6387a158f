// `maildiag --lang zh mx|probe` on offline cases: the text view speaks Chinese, while finding ids,
// outcome tokens and the JSON `data` stay as in English. Only loopback sockets are made here.

#include "support/process.hpp"
#include "support/sockets.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using maildiag::test::run_maildiag;
using nlohmann::json;

namespace {

// Nothing is sent to this server: the inputs below are rejected before a query.
const std::string kServer = "127.0.0.1:9";

/// A loopback port that is bound but not listening: connections to it are refused.
struct RefusingPort {
  int fd = -1;
  int port = 0;
  RefusingPort() {
    const auto s = maildiag::test::bind_loopback(SOCK_STREAM);
    fd = s.fd;
    port = s.port;
  }
  ~RefusingPort() { ::close(fd); }
};

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("mx --lang zh: an IP address is refused in Chinese; --json stays English", "[cli][mx][i18n]") {
  const auto text = run_maildiag({"--lang", "zh", "mx", "192.0.2.1", "--dns-server", kServer});
  CHECK(text.exit_code == 3);
  CHECK(contains(text.out, "\"192.0.2.1\" 是 IP 地址，不是邮件域名"));
  CHECK(contains(text.out, "例如 example.com"));
  CHECK_FALSE(contains(text.out, "is an IP address"));

  const auto js = run_maildiag({"--lang", "zh", "--json", "mx", "192.0.2.1", "--dns-server", kServer});
  const auto j = json::parse(js.out);
  CHECK(j["findings"][0]["id"] == "mx.invalid-domain");
  CHECK(j["findings"][0]["title"] == "\"192.0.2.1\" is an IP address, not a mail domain");  // --json: English
  CHECK(j["data"]["error"] == "\"192.0.2.1\" is an IP address, not a mail domain");

  // Bulk lines are for scripts: status, target, ids and the data's error, as in English.
  const auto bulk = run_maildiag({"--lang", "zh", "mx", "-", "--dns-server", kServer}, "192.0.2.7\n");
  CHECK(bulk.out == "UNKN 192.0.2.7 mx.invalid-domain \"192.0.2.7\" is an IP address, not a mail domain\n");
}

TEST_CASE("probe --lang zh: a refused port gets a Chinese verdict, tokens and data unchanged", "[cli][probe][i18n]") {
  RefusingPort closed;
  const auto port = std::to_string(closed.port);
  const auto target = "127.0.0.1:" + port + "/smtp";
  const auto text = run_maildiag({"--lang", "zh", "probe", "--no-control", target});
  INFO(text.out);
  CHECK(text.exit_code == 2);
  CHECK(contains(text.out, "== probe " + target));
  CHECK(contains(text.out, "目标的 " + port + " 端口上没有服务在监听"));
  CHECK(contains(text.out, "refused"));  // the outcome is a token
  CHECK(contains(text.out, port + "/smtp"));
  CHECK_FALSE(contains(text.out, "Nothing listens"));

  const auto js = run_maildiag({"--lang", "zh", "--json", "probe", "--no-control", target});
  const auto j = json::parse(js.out);
  CHECK(j["findings"][0]["id"] == "probe.port25.remote-refused");
  CHECK(j["findings"][0]["title"] == "Nothing listens on port " + port + " of the target");  // --json: English
  CHECK(j["data"]["port25"]["verdict"] == "remote-refused");
  CHECK(j["data"]["port25"]["title"] == "Nothing listens on port " + port + " of the target");
  CHECK(j["data"]["attempts"][0]["outcome"] == "refused");
}
