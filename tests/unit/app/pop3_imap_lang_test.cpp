// pop3-test, imap-test and the IMAP classifier in Simplified Chinese: titles, sections and
// sentences come from the catalog, while protocol tokens (+OK, -ERR, [IN-USE], CAPA, LOGIN ...),
// reason names, finding ids and the JSON `data` stay as in English. The dialogs run against a
// scripted server on a loopback port made here (no test bed needed).

#include "maildiag/app/imap_test.hpp"
#include "maildiag/app/pop3_test.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/imap/classify.hpp"
#include "maildiag/imap/response.hpp"
#include "maildiag/report/render.hpp"

#include "../../../src/app/pop3_imap_link.hpp"
#include "support/sockets.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <sstream>
#include <thread>

using namespace maildiag;
using report::Severity;

namespace {

/// One client on a loopback port: sends `greeting`, then answers each line with reply(line)
/// ("{tag}" in the answer becomes the line's first word); closes after QUIT or LOGOUT.
class ScriptedServer {
 public:
  ScriptedServer(std::string greeting, std::function<std::string(const std::string&)> reply) {
    const auto s = maildiag::test::bind_loopback(SOCK_STREAM);
    fd_ = s.fd;
    port_ = s.port;
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this, greeting = std::move(greeting), reply = std::move(reply)] {
      serve(greeting, reply);
    });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  [[nodiscard]] std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;

  static void send_all(int c, const std::string& s) {
    std::size_t at = 0;
    while (at < s.size()) {
      const auto n = ::write(c, s.data() + at, s.size() - at);
      if (n <= 0) return;
      at += static_cast<std::size_t>(n);
    }
  }

  void serve(const std::string& greeting, const std::function<std::string(const std::string&)>& reply) const {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    send_all(c, greeting);
    std::string buf;
    char chunk[4096];
    bool done = false;
    while (!done) {
      const auto n = ::read(c, chunk, sizeof chunk);
      if (n <= 0) break;
      buf.append(chunk, static_cast<std::size_t>(n));
      for (auto eol = buf.find('\n'); eol != std::string::npos && !done; eol = buf.find('\n')) {
        std::string line = buf.substr(0, eol);
        buf.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string tag = line.substr(0, line.find(' '));
        std::string out = reply(line);
        for (auto at = out.find("{tag}"); at != std::string::npos; at = out.find("{tag}"))
          out.replace(at, 5, tag);
        send_all(c, out);
        done = line.find("QUIT") != std::string::npos || line.find("LOGOUT") != std::string::npos;
      }
    }
    ::close(c);
  }
};

bool starts(const std::string& line, std::string_view verb) { return line.rfind(verb, 0) == 0; }

/// The IMAP command word of a tagged line ("A0001 LOGIN ..." -> "LOGIN").
std::string imap_verb(const std::string& line) {
  const auto sp = line.find(' ');
  if (sp == std::string::npos) return {};
  const auto rest = line.substr(sp + 1);
  return rest.substr(0, rest.find(' '));
}

const report::Finding* finding(const report::Report& r, std::string_view id) {
  for (const auto& f : r.findings) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const report::Section* section(const report::Report& r, std::string_view title) {
  for (const auto& s : r.sections) {
    if (s.title == title) return &s;
  }
  return nullptr;
}

std::string row(const report::Section& s, std::string_view key) {
  for (const auto& r : s.rows) {
    if (!r.empty() && r[0] == key) return r.size() > 1 ? r[1] : std::string();
  }
  return "<no row " + std::string(key) + ">";
}

std::string text_of(const report::Report& r) {
  std::ostringstream out;
  report::TextStyle style;
  style.transcript = true;
  report::render_text(out, r, style);
  return out.str();
}

/// `data` without what differs between two runs (timings, the port) or comes from the shared classifier
/// in the chosen language (its explanation sentences); everything else must match English.
nlohmann::json stable_data(nlohmann::json d) {
  for (const char* k : {"greeting_ms", "connect_ms", "total_ms", "port"}) d.erase(k);  // port: a new server each run
  if (d.contains("login")) {
    d["login"].erase("ms");
    if (d["login"].contains("classification")) {
      auto& c = d["login"]["classification"];
      for (const char* k : {"code_meaning", "remediation", "reason_description", "notes"}) c.erase(k);
    }
  }
  return d;
}

std::vector<std::pair<std::string, Severity>> ids(const report::Report& r) {
  std::vector<std::pair<std::string, Severity>> v;
  for (const auto& f : r.findings) v.emplace_back(f.id, f.severity);
  return v;
}

constexpr const char* kPasswordVar = "MAILDIAG_LANG_TEST_PASSWORD";

template <class Options>
void common_options(Options& o, const std::string& target, const std::string& auth) {
  ::setenv(kPasswordVar, "s3cret-pw", 1);
  o.target = target;
  o.user = "alice";
  o.password_source.env = kPasswordVar;
  o.allow_plaintext = true;
  o.auth = auth;
  o.common.timeout = std::chrono::milliseconds(5000);
}

// ---- POP3 ----

std::string pop3_reply(const std::string& line, bool locked) {
  if (starts(line, "CAPA")) return "+OK Capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n";
  if (starts(line, "USER")) return "+OK\r\n";
  if (starts(line, "PASS")) return locked ? "-ERR [IN-USE] Mailbox locked by another session\r\n" : "+OK Logged in.\r\n";
  if (starts(line, "STAT")) return "+OK 2 300\r\n";
  if (starts(line, "LIST")) return "+OK 2 messages\r\n1 100\r\n2 200\r\n.\r\n";
  if (starts(line, "UIDL")) return "+OK\r\n1 uid-aaa\r\n2 uid-bbb\r\n.\r\n";
  if (starts(line, "TOP")) return "+OK\r\nFrom: bob@example.test\r\nSubject: hello\r\nReceived: from a\r\n\r\n.\r\n";
  if (starts(line, "QUIT")) return "+OK Bye\r\n";
  return "-ERR unknown command\r\n";
}

report::Report run_pop3(bool locked) {
  ScriptedServer server("+OK POP3 ready\r\n", [locked](const std::string& l) { return pop3_reply(l, locked); });
  app::Pop3TestOptions o;
  common_options(o, server.target(), "user");
  o.top = 1;
  std::string error;
  auto r = app::run_pop3_test(o, &error);
  INFO(error);
  REQUIRE(r);
  return *r;
}

// ---- IMAP ----

std::string imap_reply(const std::string& line, bool refuse) {
  const auto verb = imap_verb(line);
  if (verb == "CAPABILITY") return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n";
  if (verb == "LOGIN")
    return refuse ? "{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" : "{tag} OK Logged in\r\n";
  if (verb == "STATUS") return "* STATUS INBOX (MESSAGES 0 UNSEEN 0 RECENT 0 UIDVALIDITY 7)\r\n{tag} OK done\r\n";
  if (verb == "EXAMINE")
    return "* 0 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 1] ok\r\n{tag} OK [READ-ONLY] done\r\n";
  if (verb == "LOGOUT") return "* BYE logging out\r\n{tag} OK done\r\n";
  return "{tag} BAD unknown\r\n";
}

report::Report run_imap(bool refuse) {
  ScriptedServer server("* OK IMAP ready\r\n", [refuse](const std::string& l) { return imap_reply(l, refuse); });
  app::ImapTestOptions o;
  common_options(o, server.target(), "login");
  std::string error;
  auto r = app::run_imap_test(o, &error);
  INFO(error);
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("IMAP classifier in Chinese: meanings and fixes translated, codes and reasons stay", "[i18n][imap][classify]") {
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  auto c = imap::classify(*imap::parse_response("A1 NO [AUTHENTICATIONFAILED] Authentication failed."), "LOGIN");
  CHECK(c.code_meaning == "NO [AUTHENTICATIONFAILED]：认证失败；服务器不说明原因（RFC 5530）");
  CHECK(c.remediation.find("用户名和密码") != std::string::npos);
  CHECK(c.reason_evidence == "[AUTHENTICATIONFAILED]");
  CHECK(std::string(codes::to_string(c.reason)) == "auth-failed");
  CHECK(std::string(codes::to_string(c.outcome)) == "permanent");

  const auto* m = imap::lookup_code("inuse");
  REQUIRE(m != nullptr);
  CHECK(m->code == "INUSE");
  CHECK(m->meaning == "邮箱或资源正被另一个会话占用（RFC 5530）");
  CHECK(m->outcome == codes::Outcome::transient);

  CHECK(imap::classify(*imap::parse_response("A1 OK done"), "NOOP").code_meaning == "OK：命令已完成");
  auto bye = imap::classify(*imap::parse_response("* BYE Too many connections"));
  CHECK(bye.code_meaning == "BYE：服务器正在关闭连接");
  auto unknown = imap::classify(*imap::parse_response("A1 NO [XFROB] nope"), "EXAMINE");
  REQUIRE(unknown.notes.size() == 1);
  CHECK(unknown.notes[0] == "未知的 IMAP 响应码 [XFROB]。");
  auto alert = imap::classify(*imap::parse_response("A1 NO [ALERT] Plaintext authentication not allowed without SSL/TLS"), "LOGIN");
  REQUIRE(alert.notes.size() == 1);
  CHECK(alert.notes[0].rfind("[ALERT]：", 0) == 0);

  // Back in English the same entry is the RFC's English again (one table per language).
  i18n::set_language(i18n::Lang::en);
  CHECK(imap::lookup_code("INUSE")->meaning == "The mailbox or resource is in use by another session (RFC 5530)");
  CHECK(imap::classify(*imap::parse_response("A1 NO [XFROB] nope"), "EXAMINE").notes.at(0) ==
        "Unknown IMAP response code [XFROB].");
}

TEST_CASE("pop3/imap link: waiting phrases in Chinese for findings, English unchanged", "[i18n][pop3][imap]") {
  CHECK(app::link::waiting_text("the reply to CAPA") == "the reply to CAPA");
  CHECK(app::link::waiting_text("the greeting") == "the greeting");
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  CHECK(app::link::waiting_text("the reply to CAPA") == "对 CAPA 命令的回复");
  CHECK(app::link::waiting_text("the reply to the SASL response") == "对 SASL 应答的回复");
  CHECK(app::link::waiting_text("the greeting") == "服务器问候语");
  CHECK(app::link::waiting_text("QUIT") == "QUIT");  // a verb is a protocol token

  app::Pop3TestOptions o;
  o.target = "192.0.2.1";
  o.starttls = "sometimes";
  std::string error;
  CHECK_FALSE(app::run_pop3_test(o, &error));
  CHECK(error == "--starttls 只能是 auto、never 或 require");
}

TEST_CASE("pop3-test in Chinese: [IN-USE] login failure", "[i18n][pop3]") {
  const auto en = run_pop3(true);
  const auto* en_in_use = finding(en, "pop3.login.in-use");
  REQUIRE(en_in_use != nullptr);
  CHECK(en_in_use->title == "The mailbox is locked by another session [IN-USE]");
  REQUIRE(finding(en, "pop3.stls.missing") != nullptr);
  CHECK(finding(en, "pop3.stls.missing")->title == "STLS is not offered: mail and passwords travel unencrypted");

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto r = run_pop3(true);
  CHECK(ids(r) == ids(en));  // the same findings, the same ids
  CHECK(stable_data(r.data) == stable_data(en.data));
  CHECK(r.data["login"]["classification"]["reason"] == "system-error");

  const auto* in_use = finding(r, "pop3.login.in-use");
  REQUIRE(in_use != nullptr);
  CHECK(in_use->title == "邮箱已被另一个会话锁定 [IN-USE]");
  CHECK(in_use->evidence == "-ERR [IN-USE] Mailbox locked by another session");  // the server's words
  CHECK(in_use->detail.rfind("-ERR [IN-USE]", 0) == 0);
  REQUIRE(finding(r, "pop3.stls.missing") != nullptr);
  CHECK(finding(r, "pop3.stls.missing")->title == "服务器未提供 STLS：邮件和密码以明文传输");
  const auto* offered = finding(r, "pop3.plaintext-auth-offered");
  REQUIRE(offered != nullptr);
  CHECK(offered->detail == "在 STLS 之前，它的 CAPA 就提供了 USER：跳过 STLS 的客户端会以明文发送密码。");
  CHECK(offered->evidence == "USER | TOP | UIDL");

  const auto* s = section(r, "POP3 服务器 " + r.target);
  REQUIRE(s != nullptr);
  CHECK(row(*s, "加密") == "无（明文）");
  CHECK(row(*s, "登录") == "以 alice 登录失败（USER/PASS）");
  CHECK(row(*s, "能力列表") == "USER TOP UIDL");
  CHECK(row(*s, "问候语") == "+OK POP3 ready");

  const auto text = text_of(r);
  CHECK(text.find("POP3 server") == std::string::npos);
  const auto* connection = section(r, "连接");
  REQUIRE(connection != nullptr);
  CHECK(connection->columns == std::vector<std::string>{"地址", "结果", "耗时", "详情"});
  CHECK(text.find("CAPA") != std::string::npos);  // transcript lines stay as sent
  CHECK(text.find("-ERR [IN-USE] Mailbox locked by another session") != std::string::npos);
  CHECK(text.find("s3cret-pw") == std::string::npos);
}

TEST_CASE("pop3-test in Chinese: the mailbox tables", "[i18n][pop3]") {
  const auto en = run_pop3(false);
  REQUIRE(section(en, "Messages (LIST)") != nullptr);
  REQUIRE(section(en, "Mailbox") != nullptr);
  CHECK(row(*section(en, "Mailbox"), "Size") == "300 octets");

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto r = run_pop3(false);
  CHECK(ids(r) == ids(en));
  CHECK(stable_data(r.data) == stable_data(en.data));
  REQUIRE(finding(r, "pop3.login.ok") != nullptr);
  CHECK(finding(r, "pop3.login.ok")->title == "已以 alice 身份登录（USER/PASS）");

  const auto* summary = section(r, "POP3 服务器 " + r.target);
  REQUIRE(summary != nullptr);
  CHECK(row(*summary, "登录") == "以 alice 登录成功（USER/PASS）");
  CHECK(row(*summary, "邮箱") == "2 封邮件，300 字节");
  const auto* box = section(r, "邮箱");
  REQUIRE(box != nullptr);
  CHECK(row(*box, "邮件数") == "2");
  CHECK(row(*box, "大小") == "300 字节");
  const auto* list = section(r, "邮件列表（LIST）");
  REQUIRE(list != nullptr);
  CHECK(list->columns == std::vector<std::string>{"#", "字节数"});
  const auto* uidl = section(r, "唯一标识（UIDL）");
  REQUIRE(uidl != nullptr);
  CHECK(row(*uidl, "2") == "uid-bbb");
  const auto* headers = section(r, "第 1 封邮件的邮件头");
  REQUIRE(headers != nullptr);
  CHECK(row(*headers, "Subject") == "hello");  // header names stay
  CHECK(row(*headers, "Received") == "1 跳");
}

TEST_CASE("imap-test in Chinese: refused credentials", "[i18n][imap]") {
  const auto en = run_imap(true);
  REQUIRE(finding(en, "imap.login.refused") != nullptr);
  CHECK(finding(en, "imap.login.refused")->title == "The server refused the credentials [AUTHENTICATIONFAILED]");

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto r = run_imap(true);
  CHECK(ids(r) == ids(en));
  CHECK(stable_data(r.data) == stable_data(en.data));
  CHECK(r.data["login"]["classification"]["reason"] == "auth-failed");
  CHECK(r.data["login"]["reply"] == en.data["login"]["reply"]);

  const auto* refused = finding(r, "imap.login.refused");
  REQUIRE(refused != nullptr);
  CHECK(refused->title == "服务器拒绝了登录凭据 [AUTHENTICATIONFAILED]");
  CHECK(refused->detail == "NO [AUTHENTICATIONFAILED]：认证失败；服务器不说明原因（RFC 5530）");
  CHECK(refused->evidence.find("NO [AUTHENTICATIONFAILED] Authentication failed.") != std::string::npos);
  REQUIRE(finding(r, "imap.starttls.missing") != nullptr);
  CHECK(finding(r, "imap.starttls.missing")->title == "服务器未提供 STARTTLS：邮件和密码以明文传输");
  REQUIRE(finding(r, "imap.plaintext-auth-offered") != nullptr);
  CHECK(finding(r, "imap.plaintext-auth-offered")->detail.find("LOGINDISABLED") != std::string::npos);
  CHECK(finding(r, "imap.plaintext-auth-offered")->evidence == "IMAP4REV1 AUTH=PLAIN");

  const auto* s = section(r, "IMAP 服务器 " + r.target);
  REQUIRE(s != nullptr);
  CHECK(row(*s, "登录") == "以 alice 登录失败（LOGIN）");
  CHECK(row(*s, "能力列表") == "IMAP4REV1 AUTH=PLAIN");
  const auto text = text_of(r);
  CHECK(text.find("IMAP server") == std::string::npos);
  CHECK(text.find("permanent, auth-failed") != std::string::npos);  // the transcript note: reason names
  CHECK(text.find("s3cret-pw") == std::string::npos);
}

TEST_CASE("imap-test in Chinese: EXAMINE of an empty mailbox", "[i18n][imap]") {
  const auto en = run_imap(false);
  REQUIRE(section(en, "Mailbox INBOX (EXAMINE, read-only)") != nullptr);

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto r = run_imap(false);
  CHECK(ids(r) == ids(en));
  CHECK(stable_data(r.data) == stable_data(en.data));
  REQUIRE(finding(r, "imap.login.ok") != nullptr);
  CHECK(finding(r, "imap.login.ok")->title == "已以 alice 身份登录（LOGIN）");
  REQUIRE(finding(r, "imap.mailbox.empty") != nullptr);
  CHECK(finding(r, "imap.mailbox.empty")->title == "邮箱为空");
  CHECK(finding(r, "imap.mailbox.empty")->detail == "登录正常；只是 INBOX 中没有邮件。");

  const auto* box = section(r, "邮箱 INBOX（EXAMINE，只读）");
  REQUIRE(box != nullptr);
  CHECK(row(*box, "邮件数") == "0");
  CHECK(row(*box, "未读") == "0");
  CHECK(row(*box, "UIDVALIDITY") == "7");  // protocol token as the label
  CHECK(row(*box, "UIDNEXT") == "1");
  CHECK(row(*box, "只读") == "是（[READ-ONLY]）");
  const auto* s = section(r, "IMAP 服务器 " + r.target);
  REQUIRE(s != nullptr);
  CHECK(row(*s, "邮箱 INBOX") == "0 封邮件，0 封未读");
  CHECK(row(*s, "登录") == "以 alice 登录成功（LOGIN）");
}
