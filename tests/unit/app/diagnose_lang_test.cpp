// diagnose's verdict in Simplified Chinese: the sentence and the next step are translated; the
// cause id, the step and the server's reply (codes included) stay as they are.

#include "maildiag/app/diagnose_verdict.hpp"
#include "diagnose_facts.hpp"
#include "maildiag/i18n/catalog.hpp"

#include <catch2/catch.hpp>

using namespace maildiag;
using test::classified_reply;
using test::healthy_facts;

TEST_CASE("diagnose in Chinese: an unknown user will bounce, the code stays", "[app][diagnose][i18n]") {
  auto f = healthy_facts();
  f.rcpt = classified_reply("550 5.1.1 <alice@mail.test>: Recipient address rejected: User unknown in virtual mailbox table");
  f.rcpt_text = "550 5.1.1 <alice@mail.test>: Recipient address rejected: User unknown";
  const std::string english = app::decide(f).sentence;

  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto v = app::decide(f);
  CHECK(v.cause_id == "user-unknown");
  CHECK(v.step == "rcpt");
  CHECK(v.severity == report::Severity::critical);
  CHECK(v.sentence ==
        "发往 alice@mail.test 的邮件将被退信：服务器表示该邮箱不存在（550 5.1.1 <alice@mail.test>: Recipient address "
        "rejected: User unknown）。");
  CHECK(v.sentence != english);
  CHECK(v.next.find("退信") != std::string::npos);
}

TEST_CASE("diagnose in Chinese: every verdict is worded, tokens and evidence kept", "[app][diagnose][i18n]") {
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  auto f = healthy_facts();

  f.rcpt = classified_reply("250 2.1.5 Ok");
  f.rcpt_text = "250 2.1.5 Ok";
  auto v = app::decide(f);
  CHECK(v.cause_id == "deliverable");
  CHECK(v.sentence == "发往 alice@mail.test 的邮件应能正常投递：mx1.mail.test 接受了该收件人（250 2.1.5 Ok）。");
  CHECK(v.next.find("'maildiag bounce FILE'") != std::string::npos);

  f.rcpt = classified_reply("450 4.7.1 <alice@mail.test>: Recipient address rejected: Greylisted, please try again later");
  f.rcpt_text = "450 4.7.1 Greylisted";
  v = app::decide(f);
  CHECK(v.cause_id == "greylisted");
  CHECK(v.sentence.rfind("灰名单：", 0) == 0);
  CHECK(v.sentence.find("（450 4.7.1 Greylisted）") != std::string::npos);

  f.rcpt = classified_reply("554 5.7.1 <x@example.net>: Relay access denied");
  f.rcpt_text = "554 5.7.1 Relay access denied";
  v = app::decide(f);
  CHECK(v.cause_id == "relay-denied");
  CHECK(v.sentence.find("mx1.mail.test 拒绝为 alice@mail.test 中继（554 5.7.1 Relay access denied）") != std::string::npos);
  CHECK(v.next.find("'maildiag mx mail.test'") != std::string::npos);

  f.rcpt.reset();
  f.banner = classified_reply("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org");
  f.banner_text = "554 5.7.1 Service unavailable";
  v = app::decide(f);
  CHECK(v.cause_id == "banner-rejected");
  CHECK(v.sentence == "mx1.mail.test 一建立连接就拒绝（554 5.7.1 Service unavailable）：本 IP 已被列入 zen.spamhaus.org。");

  f.banner.reset();
  f.dns = app::DnsFact::nxdomain;
  v = app::decide(f);
  CHECK(v.cause_id == "domain-not-found");
  CHECK(v.step == "dns");
  CHECK(v.sentence == "发往 mail.test 的邮件无法投递：该域名不存在（NXDOMAIN）。");

  f.dns = app::DnsFact::ok;
  f.reach = app::ReachFact::outbound_blocked;
  v = app::decide(f);
  CHECK(v.cause_id == "outbound-blocked");
  CHECK(v.sentence == "你的网络封锁了出站 25 端口：mail.test 的 MX 和对照主机都没有应答。");

  f.interrupted_step = "smtp";
  v = app::decide(f);
  CHECK(v.cause_id == "interrupted");
  CHECK(v.step == "smtp");
  CHECK(v.sentence.find("在 smtp 步骤中被中断") != std::string::npos);
  CHECK(v.next == "重新运行 'maildiag diagnose alice@mail.test'，并让它运行完成。");
}

TEST_CASE("diagnose: the language is only the wording, never the decision", "[app][diagnose][i18n]") {
  auto f = healthy_facts();
  f.tls = app::TlsFact::cert_expired;
  f.tls_detail = "certificate expired on 2026-10-24T09:03:18Z (31 days ago)";
  f.rcpt = classified_reply("250 2.1.5 Ok");
  const auto en = app::decide(f);
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  const auto z = app::decide(f);
  CHECK(z.cause_id == en.cause_id);
  CHECK(z.severity == en.severity);
  CHECK(z.step == en.step);
  CHECK(z.sentence.find("mx1.mail.test 的 TLS 证书已过期（certificate expired on 2026-10-24T09:03:18Z (31 days ago)）") !=
        std::string::npos);
  CHECK(z.next == "在 mx1.mail.test 上续期证书，并重新加载邮件服务器。");
}
