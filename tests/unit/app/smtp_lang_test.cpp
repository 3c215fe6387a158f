// smtp-test and the shared TLS report in Simplified Chinese: titles, sections, rows and verdict
// sentences come from the catalog, while protocol tokens (commands, codes, capability keywords),
// finding ids, verdict status words and everything under the JSON `data` stay as in English.
// Built from constructed facts, an in-memory TLS handshake and a scripted SMTP server on loopback.

#include "maildiag/app/smtp_dialog.hpp"
#include "maildiag/app/smtp_report.hpp"
#include "maildiag/app/smtp_test.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/render.hpp"
#include "maildiag/tls/report.hpp"
#include "maildiag/tls/session.hpp"
#include "unit/tls/test_pki.hpp"
#include "support/sockets.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <thread>

using namespace maildiag;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const report::Finding* finding(const report::Report& r, const std::string& id) {
  for (const auto& f : r.findings) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const report::Section* section(const report::Report& r, const std::string& title) {
  for (const auto& s : r.sections) {
    if (s.title == title) return &s;
  }
  return nullptr;
}

std::string row_value(const report::Section& s, const std::string& key) {
  for (const auto& row : s.rows) {
    if (!row.empty() && row.front() == key) return row.size() > 1 ? row[1] : std::string();
  }
  return "<no row " + key + ">";
}

// --- TLS: a real handshake in memory ------------------------------------------------------------

struct Pki {
  test::TestCert ca = test::make_ca();
  std::string ca_file = test::write_temp("smtp-lang-ca.pem", ca.cert_pem());
};

Pki& pki() {
  static Pki p;
  return p;
}

tls::TlsReport handshake(const test::CertSpec& spec, const std::vector<std::string>& names) {
  const auto cert = test::make_cert(spec, &pki().ca);
  std::string err;
  auto server = tls::TlsSession::server({cert.cert_pem(), cert.key_pem()}, &err);
  REQUIRE(server != nullptr);
  tls::TlsOptions o;
  o.sni = names.front();
  o.names = names;
  o.ca_file = pki().ca_file;
  auto client = tls::TlsSession::client(o, &err);
  REQUIRE(client != nullptr);
  for (int i = 0; i < 20; ++i) {
    const auto c = client->handshake();
    server->feed(client->take_output());
    const auto s = server->handshake();
    client->feed(server->take_output());
    if (c == tls::TlsSession::Status::error || s == tls::TlsSession::Status::error) break;
    if (client->handshake_done() && server->handshake_done() && !client->has_output() && !server->has_output()) break;
  }
  return client->report();
}

/// A certificate for the wrong name that expires in 5 days: a failing name check, an expiry warning.
tls::TlsReport wrong_name_expiring() {
  test::CertSpec s;
  s.cn = "other.test";
  s.sans = {"DNS:other.test"};
  s.valid_to_days = 5;
  return handshake(s, {"mx.test"});
}

// --- SMTP: a scripted server on 127.0.0.1 -------------------------------------------------------

/// Answers one connection: no STARTTLS, MAIL accepted, every RCPT refused as unknown.
class ScriptedServer {
 public:
  ScriptedServer() {
    const auto s = maildiag::test::bind_loopback(SOCK_STREAM);
    fd_ = s.fd;
    port_ = s.port;
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;

  static void say(int c, const std::string& s) { (void)!::send(c, s.data(), s.size(), MSG_NOSIGNAL); }

  void serve() const {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    say(c, "220 fake.test ESMTP\r\n");
    std::string buf;
    char chunk[512];
    for (;;) {
      const auto at = buf.find("\r\n");
      if (at == std::string::npos) {
        const auto n = ::recv(c, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buf.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      const std::string line = buf.substr(0, at);
      buf.erase(0, at + 2);
      const std::string verb = line.substr(0, 4);
      if (verb == "EHLO") say(c, "250-fake.test\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n");
      else if (verb == "MAIL" || verb == "RSET") say(c, "250 2.1.0 Ok\r\n");
      else if (verb == "RCPT") say(c, "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown\r\n");
      else if (verb == "QUIT") {
        say(c, "221 2.0.0 Bye\r\n");
        break;
      } else {
        say(c, "502 5.5.2 Error: command not recognized\r\n");
      }
    }
    ::close(c);
  }
};

report::Report smtp_test_against_script() {
  ScriptedServer server;
  app::SmtpTestOptions o;
  o.target = "127.0.0.1:" + std::to_string(server.port());
  o.from = "alice@example.test";
  o.to = {"bob@example.test"};
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.command_timeout = std::chrono::milliseconds(5000);
  std::string error;
  auto rep = app::run_smtp_test(o, &error);
  INFO(error);
  REQUIRE(rep);
  return *rep;
}

}  // namespace

TEST_CASE("TLS report in Chinese: titles, rows and reasons translated, tokens and JSON kept", "[i18n][tls][smtp]") {
  const auto r = wrong_name_expiring();
  REQUIRE(r.handshake_ok);
  REQUIRE(r.name_verdict.status == tls::VerdictStatus::fail);
  REQUIRE(r.expiry_verdict.status == tls::VerdictStatus::warn);
  const auto json_en = tls::to_json(r).dump();

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  report::Report rep;
  tls::add_findings(rep, r, "smtp.tls", "mx.test:25");
  const auto* name = finding(rep, "smtp.tls.name");  // the finding id is not translated
  REQUIRE(name != nullptr);
  CHECK(name->title == "mx.test:25 的证书名称检查未通过");
  CHECK(name->detail == "证书与 mx.test 不匹配");
  CHECK(has(name->evidence, "未通过验证"));
  CHECK(has(name->remediation, "SAN"));
  const auto* expiry = finding(rep, "smtp.tls.expiry");
  REQUIRE(expiry != nullptr);
  CHECK(has(expiry->title, "的证书有效期检查："));
  CHECK(has(expiry->title, "不足 14 天"));

  report::Section s;
  tls::add_rows(s, r);
  REQUIRE(!s.rows.empty());
  CHECK(s.rows.front().front() == "协议");
  CHECK(has(s.rows.front()[1], r.version));  // "TLSv1.3" stays
  CHECK(row_value(s, "名称检查") == "fail: 证书与 mx.test 不匹配");  // the status word is a JSON token
  CHECK(row_value(s, "DANE") == "not-checked: 未提供 TLSA 记录");
  CHECK(row_value(s, "证书链") == "1 张证书");

  // The JSON keeps the English reasons: the schema is stable whatever the language.
  CHECK(tls::to_json(r).dump() == json_en);
  CHECK(tls::to_json(r)["verdicts"]["name"]["reason"] == "certificate does not match mx.test");
}

TEST_CASE("TLS verdict reasons: the catalog's English is the JSON's English", "[i18n][tls]") {
  // The text view takes reason_text(), the JSON takes reason: in English they must be one sentence.
  test::CertSpec expired;
  expired.valid_from_days = -30;
  expired.valid_to_days = -1;
  test::CertSpec later;
  later.valid_from_days = 2;
  test::CertSpec soon;
  soon.valid_to_days = 2;
  for (const auto& r : {wrong_name_expiring(), handshake(expired, {"mx.test"}), handshake(later, {"mx.test"}),
                        handshake(soon, {"mx.test"}), handshake({}, {"mx.test"})}) {
    for (const auto* v : {&r.chain_verdict, &r.name_verdict, &r.expiry_verdict, &r.dane_verdict}) {
      INFO(v->reason_id);
      CHECK_FALSE(v->reason_id.empty());
      CHECK(tls::reason_text(*v) == v->reason);
    }
  }
}

TEST_CASE("smtp-test tables in Chinese; capability keywords and JSON data stay", "[i18n][smtp]") {
  app::SmtpTestOptions o;
  o.to = {"bob@example.test"};
  app::SmtpEndpoint e{"mx.test", 25, "127.0.0.1:25", false, {}};
  app::SmtpFacts f;
  f.stage = "rcpt";
  f.completed = true;
  f.hello = codes::Reply{250, std::nullopt, {"mx.test"}};
  f.caps.keywords = {"PIPELINING", "SIZE 10240000"};
  f.caps.pipelining = true;
  f.round_trips = 3;
  app::RcptResult unknown;
  unknown.address = "bob@example.test";
  unknown.verdict = smtp::RcptVerdict::user_unknown;
  app::RcptResult skipped;
  skipped.address = "carol@example.test";
  skipped.note = "not judged: AUTH failed";
  skipped.note_id = "smtp.note.auth-failed";
  f.rcpts = {unknown, skipped};
  const auto data_en = app::smtp_data(o, e, f).dump();

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  report::Report rep;
  app::add_smtp_sections(rep, o, e, f);
  const auto* session = section(rep, "会话");
  REQUIRE(session != nullptr);
  CHECK(row_value(*session, "服务器") == "mx.test:25");
  CHECK(row_value(*session, "TLS") == "未提供");  // the label is a protocol name
  CHECK(row_value(*session, "阶段") == "rcpt（已完成）");  // the stage name is a token
  CHECK(has(row_value(*session, "耗时"), "往返 3 次"));
  const auto* caps = section(rep, "服务器能力 (EHLO)");
  REQUIRE(caps != nullptr);
  CHECK(caps->columns == std::vector<std::string>{"关键字", "参数"});
  REQUIRE(caps->rows.size() == 2);
  CHECK(caps->rows[0][0] == "PIPELINING");
  CHECK(caps->rows[1] == std::vector<std::string>{"SIZE", "10240000"});
  const auto* rcpts = section(rep, "收件人");
  REQUIRE(rcpts != nullptr);
  REQUIRE(rcpts->rows.size() == 2);
  CHECK(rcpts->rows[0][1] == "用户不存在");
  CHECK(rcpts->rows[1][1] == "未尝试");
  CHECK(rcpts->rows[1][3] == "未判定：AUTH 失败");

  const auto data = app::smtp_data(o, e, f);
  CHECK(data.dump() == data_en);
  CHECK(data["recipients"][0]["verdict"] == "user-unknown");
  CHECK(data["recipients"][1]["note"] == "not judged: AUTH failed");
}

TEST_CASE("smtp-test against a server in Chinese: findings translated, tokens, ids and data kept",
          "[i18n][smtp]") {
  const auto en = smtp_test_against_script();
  const auto* missing_en = finding(en, "smtp.starttls.missing");
  REQUIRE(missing_en != nullptr);
  CHECK(missing_en->title == "The server does not offer STARTTLS");
  const auto* rcpt_en = finding(en, "smtp.rcpt.user-unknown");
  REQUIRE(rcpt_en != nullptr);
  CHECK(rcpt_en->title == "RCPT TO:<bob@example.test>: user unknown (550)");
  REQUIRE(section(en, "Recipients") != nullptr);

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto rep = smtp_test_against_script();
  const auto* missing = finding(rep, "smtp.starttls.missing");
  REQUIRE(missing != nullptr);
  CHECK(missing->title == "服务器未提供 STARTTLS");
  CHECK(has(missing->remediation, "smtpd_tls_security_level = may"));  // configuration stays as it is
  CHECK(missing->evidence == missing_en->evidence);                    // the server's own words
  const auto* rcpt = finding(rep, "smtp.rcpt.user-unknown");
  REQUIRE(rcpt != nullptr);
  CHECK(rcpt->title == "RCPT TO:<bob@example.test>：用户不存在 (550)");
  CHECK(has(rcpt->evidence, "550 5.1.1"));
  REQUIRE(section(rep, "会话") != nullptr);
  REQUIRE(section(rep, "收件人") != nullptr);
  CHECK(section(rep, "Recipients") == nullptr);

  // JSON data: the same values as in English (timings and the port aside; the classifier's own
  // explanation sentences are its business, report::to_json(Classification)).
  for (const char* key : {"address", "verdict", "note", "reply", "relay_test"}) {
    INFO(key);
    CHECK(rep.data["recipients"][0][key] == en.data["recipients"][0][key]);
  }
  CHECK(rep.data["recipients"][0]["verdict"] == "user-unknown");
  CHECK(rep.data["recipients"][0]["classification"]["reason"] == "user-unknown");
  CHECK(rep.data["capabilities"] == en.data["capabilities"]);
  CHECK(rep.data["stage"] == "rcpt");

  std::ostringstream text;
  report::render_text(text, rep, report::TextStyle{});
  CHECK(has(text.str(), "服务器未提供 STARTTLS"));
  CHECK(has(text.str(), "smtp-test"));
  CHECK_FALSE(has(text.str(), "The server does not offer STARTTLS"));
}

TEST_CASE("smtp-test usage errors in Chinese keep the option names", "[i18n][smtp]") {
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  app::SmtpTestOptions o;
  o.target = "192.0.2.1";  // never contacted: the usage check comes first
  o.data = true;
  std::string error;
  CHECK_FALSE(app::run_smtp_test(o, &error));
  CHECK(error == "--data 至少需要一个 --to");
  o.data = false;
  o.source = "not-an-ip";
  CHECK_FALSE(app::run_smtp_test(o, &error));
  CHECK(error == "--source 必须是 IP 地址，而不是 \"not-an-ip\"");
}
