// `maildiag headers` and `maildiag bounce` in Simplified Chinese (--lang zh) on the golden inputs:
// section titles, findings and verdicts are Chinese; header names, DKIM/SPF/DMARC result words,
// reason names, codes, finding ids and the JSON data stay exactly as in English.

#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using maildiag::test::run_maildiag;
using maildiag::test::ndjson;

namespace {

namespace fs = std::filesystem;

const fs::path kInputDir = fs::path(MAILDIAG_SOURCE_DIR) / "tests" / "cli" / "golden" / "input";

std::string slurp(const std::string& name) {
  std::ifstream in(kInputDir / name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

maildiag::test::ProcessResult run(const std::string& lang, bool json, std::vector<std::string> args,
                                  const std::string& input) {
  std::vector<std::string> all = {json ? "--json" : "--no-color", "--lang", lang};
  all.insert(all.end(), args.begin(), args.end());
  return run_maildiag(all, slurp(input), {{"LC_ALL", "C.UTF-8"}, {"TZ", "UTC"}, {"COLUMNS", "100"}});
}

bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

std::vector<std::string> finding_ids(const nlohmann::json& report) {
  std::vector<std::string> ids;
  for (const auto& f : report.at("findings")) ids.push_back(f.at("id").get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("headers --lang zh: Chinese sections and findings, header names and protocol words kept",
          "[cli][headers][i18n]") {
  const auto en = run("en", false, {"headers"}, "headers_forged.eml");
  const auto zh = run("zh", false, {"headers"}, "headers_forged.eml");
  REQUIRE(en.exit_code == 2);
  CHECK(zh.exit_code == en.exit_code);  // the verdict does not depend on the language
  INFO(zh.out);
  // Sections, column titles and row labels.
  CHECK(has(zh.out, "摘要\n"));
  CHECK(has(zh.out, "投递路径（最早的一跳在前）\n"));
  CHECK(has(zh.out, "身份认证\n"));
  CHECK(has(zh.out, "与 From: paypal.example 的 DMARC 对齐（组织域名 paypal.example）\n"));
  CHECK(has(zh.out, "跳数"));
  CHECK(has(zh.out, "接收自"));
  CHECK(has(zh.out, "SPF（信封）"));
  CHECK(has(zh.out, "（已忽略：在收件方之前写入）"));
  CHECK_FALSE(has(zh.out, "Path (oldest hop first)"));
  CHECK_FALSE(has(zh.out, "reported by"));
  // Findings: Chinese sentences around untranslated tokens.
  CHECK(has(zh.out, "第 2 跳：HELO hoho88_nserver.cx 与 p2046-ipbf1903funabasi.chiba.ocn.ppp.odn.ad.jp"));
  CHECK(has(zh.out, "第 1 跳并非由第 2 跳的来源主机写入：可能是伪造的"));
  CHECK(has(zh.out, "DMARC 未通过，且该域名的策略为 reject"));
  CHECK(has(zh.out, "SPF 检查结果为 softfail：service@paypal.example"));
  CHECK(has(zh.out, "来源：219.66.191.46"));
  CHECK_FALSE(has(zh.out, "The sending machine introduced itself"));
  CHECK_FALSE(has(zh.out, "DMARC fails"));
  // Header names, Received clause words and result words are protocol tokens.
  for (const char* token : {"From ", "To ", "Subject ", "Message-ID ", "Date ", "HELO", "softfail", "dmarc", "strict",
                            "  from ", "  by ", "  with ", "  TLS "}) {
    INFO(token);
    CHECK(has(zh.out, token));
  }
  // The messages' own words (evidence) are shown as they are.
  CHECK(has(zh.out, "p=REJECT sp=REJECT dis=NONE"));
}

TEST_CASE("headers --lang zh: the clean message's rows and origin in Chinese", "[cli][headers][i18n]") {
  const auto zh = run("zh", false, {"headers"}, "headers_clean.eml");
  REQUIRE(zh.exit_code == 0);
  INFO(zh.out);
  CHECK(has(zh.out, "传输耗时"));
  CHECK(has(zh.out, "从 Date: 到最终投递用时 1s"));
  CHECK(has(zh.out, "来源：192.0.2.10 (mail.example.org)，第 1 跳"));
  CHECK(has(zh.out, "DKIM d="));
  CHECK(has(zh.out, "Return-Path"));
  CHECK_FALSE(has(zh.out, "Transit"));
}

// --json is for scripts: English whatever --lang or the locale says (docs/json.md).
TEST_CASE("headers --json --lang zh: the whole document is the English one", "[cli][headers][i18n]") {
  for (const char* input : {"headers_forged.eml", "headers_clean.eml", "headers_testbed.eml"}) {
    INFO(input);
    const auto en = run("en", true, {"headers", "--all"}, input);
    const auto zh = run("zh", true, {"headers", "--all"}, input);
    REQUIRE(zh.exit_code == en.exit_code);
    const auto je = nlohmann::json::parse(en.out);
    const auto jz = nlohmann::json::parse(zh.out);
    CHECK(jz == je);
    REQUIRE(!jz.at("findings").empty());
    CHECK(finding_ids(jz) == finding_ids(je));
    // and the text view of the same run does speak Chinese
    const auto text = run("zh", false, {"headers", "--all"}, input);
    CHECK(text.out.find(je.at("findings").front().at("title").get<std::string>()) == std::string::npos);
  }
}

TEST_CASE("bounce --lang zh: Chinese findings, reason names and codes kept", "[cli][bounce][i18n]") {
  const auto en = run("en", false, {"bounce"}, "bounce_testbed.eml");
  const auto zh = run("zh", false, {"bounce"}, "bounce_testbed.eml");
  REQUIRE(en.exit_code == 2);
  CHECK(zh.exit_code == en.exit_code);
  INFO(zh.out);
  CHECK(has(zh.out, "邮件\n"));
  CHECK(has(zh.out, "收件人\n"));
  CHECK(has(zh.out, "failure（按 rfc3464 格式解析）"));  // kind and format are stable names
  CHECK(has(zh.out, "报告方 MTA"));
  CHECK(has(zh.out, "原邮件 Message-ID"));
  CHECK(has(zh.out, "nobody@mail.test：硬退信，"));
  CHECK(has(zh.out, "在 RCPT 阶段被拒"));
  CHECK(has(zh.out, "检查地址 nobody@mail.test 是否拼写错误"));
  CHECK_FALSE(has(zh.out, "hard bounce"));
  CHECK_FALSE(has(zh.out, "for typos and ask the recipient"));
  // Reason name, codes, DSN field names and the server's words stay.
  for (const char* token : {"user-unknown", "5.1.1", "550", "Action", "Status", "Subject", "failed", "127.0.0.11",
                            "Recipient address rejected: User unknown"}) {
    INFO(token);
    CHECK(has(zh.out, token));
  }
}

TEST_CASE("bounce --lang zh: delays and soft bounces", "[cli][bounce][i18n]") {
  const auto delay = run("zh", false, {"bounce"}, "bounce_delay.eml");
  INFO(delay.out);
  CHECK(delay.exit_code == 1);
  CHECK(has(delay.out, "dave@slow.example：投递延迟，"));
  CHECK(has(delay.out, "软退信（延迟）"));
  CHECK(has(delay.out, "mailbox-full"));
  CHECK(has(delay.out, "4.2.2"));
  const auto qmail = run("zh", false, {"bounce"}, "bounce_qmail.eml");
  INFO(qmail.out);
  CHECK(has(qmail.out, "carol@example.net：软退信，"));
  CHECK(has(qmail.out, "修正发件域名的身份认证"));
  CHECK(has(qmail.out, "sender-auth-failed"));
}

TEST_CASE("bounce --json --lang zh: every NDJSON line is the English one", "[cli][bounce][i18n]") {
  for (const char* input : {"bounce_testbed.eml", "bounce_qmail.eml", "bounce_delay.eml"}) {
    INFO(input);
    const auto en = ndjson(run("en", true, {"bounce"}, input).out);
    const auto zh = ndjson(run("zh", true, {"bounce"}, input).out);
    REQUIRE(en.size() == zh.size());
    REQUIRE(!zh.empty());
    for (std::size_t i = 0; i < en.size(); ++i) CHECK(zh[i] == en[i]);
  }
}

TEST_CASE("bounce --summary --lang zh: Chinese sections, reason names kept", "[cli][bounce][i18n]") {
  const auto zh = run("zh", false, {"bounce", "--summary"}, "bounce_testbed.eml");
  INFO(zh.out);
  CHECK(zh.exit_code == 2);
  CHECK(has(zh.out, "汇总\n"));
  CHECK(has(zh.out, "按原因\n"));
  CHECK(has(zh.out, "按收件域名\n"));
  CHECK(has(zh.out, "1 封邮件，1 个硬退信，0 个软退信"));
  CHECK(has(zh.out, "user-unknown"));
  CHECK(has(zh.out, "mail.test"));
  CHECK_FALSE(has(zh.out, "By reason"));
  // The --json summary is data: identical in both languages.
  const auto je = nlohmann::json::parse(run("en", true, {"bounce", "--summary"}, "bounce_testbed.eml").out);
  const auto jz = nlohmann::json::parse(run("zh", true, {"bounce", "--summary"}, "bounce_testbed.eml").out);
  CHECK(jz == je);
}
