// `maildiag log` and `maildiag queue` in Simplified Chinese (--lang zh): titles, sections, rows and
// findings in Chinese, while queue ids, status words, codes, reason names, finding ids and the JSON
// `data` stay exactly as in English.

#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

using maildiag::test::run_maildiag;
using maildiag::test::ndjson;

namespace {

std::string golden_input(const std::string& name) {
  const auto p = std::filesystem::path(MAILDIAG_SOURCE_DIR) / "tests/cli/golden/input" / name;
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  REQUIRE_FALSE(s.str().empty());
  return s.str();
}

/// Runs maildiag in `lang` on a golden input fed through stdin.
maildiag::test::ProcessResult run(const std::string& lang, std::vector<std::string> args, const std::string& input,
                                  bool json = false) {
  std::vector<std::string> all = {json ? "--json" : "--no-color", "--lang", lang};
  all.insert(all.end(), args.begin(), args.end());
  return run_maildiag(all, golden_input(input), {{"LC_ALL", "C.UTF-8"}, {"TZ", "UTC"}, {"COLUMNS", "100"}});
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

/// --json is for scripts: the same run with --lang zh prints the English documents (docs/json.md),
/// while its text view is Chinese (no English finding title in it).
void check_json_matches_english(const std::vector<std::string>& args, const std::string& input) {
  const auto en = run("en", args, input, true);
  const auto zh = run("zh", args, input, true);
  CHECK(en.exit_code == zh.exit_code);
  const auto e = ndjson(en.out);
  const auto z = ndjson(zh.out);
  REQUIRE(e.size() == z.size());
  REQUIRE_FALSE(e.empty());
  const auto text = run("zh", args, input, false).out;
  for (std::size_t i = 0; i < e.size(); ++i) {
    INFO("report " << i);
    CHECK(z[i] == e[i]);
    for (const auto& f : e[i]["findings"]) CHECK_FALSE(has(text, f["title"].get<std::string>()));
  }
}

}  // namespace

TEST_CASE("log --id in Chinese: sections, rows and findings translated, tokens kept", "[cli][log][i18n]") {
  const auto r = run("zh", {"log", "--id", "12BDBE6FEE9", "-"}, "postfix_mail.log");
  CHECK(r.exit_code == 0);
  const auto& o = r.out;
  CHECK(has(o, "== log 12BDBE6FEE9\n"));
  CHECK(has(o, "\n邮件\n"));
  CHECK(has(o, "\n投递尝试\n"));
  CHECK(has(o, "\n日志行\n"));
  CHECK(has(o, "  队列 ID "));
  CHECK(has(o, "12BDBE6FEE9（postfix，主机 mx）"));
  CHECK(has(o, "2048 字节，2 个收件人"));
  CHECK(has(o, "已投递，最后出现于 Nov 23 10:05:01"));
  CHECK(has(o, "下一跳的队列 ID 4F3A2B1C0D"));
  CHECK(has(o, "[OK]   已投递给 bob@example.net"));
  CHECK(has(o, "，dsn=2.0.0，延迟 2.1s"));
  // Header names, Postfix status words and log field names are not translated.
  CHECK(has(o, "  Message-ID "));
  CHECK(has(o, "  From "));
  CHECK(has(o, "  sent "));
  CHECK(has(o, "  deferred "));
  CHECK(has(o, "（delays=299/0.1/0.4/0.5）"));
  CHECK(has(o, "大部分时间花在进入队列管理器之前"));
  // The log lines themselves are evidence: as written.
  CHECK(has(o, "status=sent (250 2.0.0 Ok: queued as 4F3A2B1C0D)"));
  CHECK_FALSE(has(o, "Delivered to"));
  CHECK_FALSE(has(o, "Delivery attempts"));
  CHECK_FALSE(has(o, "before queue manager"));
}

TEST_CASE("log --all in Chinese: bounces, deferrals and rejects keep codes and reason names", "[cli][log][i18n]") {
  const auto r = run("zh", {"log", "--all", "--no-timeline", "-"}, "postfix_mail.log");
  CHECK(r.exit_code == 2);
  const auto& o = r.out;
  CHECK(has(o, "发往 nobody@example.org 的邮件被退信："));
  CHECK(has(o, "已退回给发件人（Nov 23 10:20:01）：mx.example.org[192.0.2.20] 对 RCPT TO 的答复是 550（"));
  CHECK(has(o, "发往 full@example.de 的邮件被延迟："));
  CHECK(has(o, "mx.example.de[192.0.2.55] 对 RCPT TO 的答复"));
  CHECK(has(o, "在 RCPT 阶段被拒绝（收件人 nosuch@example.com）："));
  CHECK(has(o, "已过期：队列放弃投递"));
  CHECK(has(o, "处理中（在此日志中尚未结束）"));
  CHECK(has(o, "NOQUEUE"));
  CHECK(has(o, "  bounced "));  // the Status column: Postfix's own word
  CHECK(has(o, "5.1.1"));
  CHECK_FALSE(has(o, "Bounced for"));
  CHECK_FALSE(has(o, "Still queued after"));
  check_json_matches_english({"log", "--all", "--no-timeline", "-"}, "postfix_mail.log");
}

TEST_CASE("log --summary in Chinese: reason names and domains stay, JSON data as in English", "[cli][log][i18n]") {
  const auto r = run("zh", {"log", "--summary", "-"}, "postfix_mail_iso.log");
  CHECK(r.exit_code == 1);
  const auto& o = r.out;
  CHECK(has(o, "\n总计\n"));
  CHECK(has(o, "\n按收件域统计\n"));
  CHECK(has(o, "\n按原因统计的失败\n"));
  CHECK(has(o, "\n最常见的退信\n"));
  CHECK(has(o, "读取 61 行，57 条邮件事件，2 行不是日志行"));
  CHECK(has(o, "5（占投递尝试的 55.6%）"));
  CHECK(has(o, "1 次投递被退信（11.1%）"));
  CHECK(has(o, "3 次投递尝试被延迟"));
  // Reason class names and protocol texts are untranslated.
  CHECK(has(o, "user-unknown"));
  CHECK(has(o, "network-error"));
  CHECK(has(o, "example.biz (1, network-error)"));
  CHECK(has(o, "452 4.2.2 Mailbox full"));
  CHECK_FALSE(has(o, "Top bounces"));
  CHECK_FALSE(has(o, "deliveries bounced"));
  check_json_matches_english({"log", "--summary", "-"}, "postfix_mail_iso.log");
}

TEST_CASE("log in Chinese: a message not found, and a bad --since", "[cli][log][i18n]") {
  const auto r = run("zh", {"log", "--id", "0000000000", "-"}, "postfix_mail.log");
  CHECK(r.exit_code == 3);
  CHECK(has(r.out, "未找到匹配的邮件：队列 ID 0000000000"));
  CHECK(has(r.out, "stdin 中没有匹配的记录。"));
  check_json_matches_english({"log", "--id", "0000000000", "-"}, "postfix_mail.log");

  const auto bad = run("zh", {"log", "--since", "yesterday-ish", "-"}, "postfix_mail.log");
  CHECK(bad.exit_code == 3);
  CHECK(has(bad.err, "--since：需要一个时长"));
  CHECK(has(bad.err, "yesterday-ish"));
}

TEST_CASE("queue in Chinese: queue ids, queue names and data unchanged", "[cli][queue][i18n]") {
  const auto r = run("zh", {"queue", "--input", "-"}, "exim_bp.txt");
  CHECK(r.exit_code == 2);
  const auto& o = r.out;
  CHECK(has(o, "\n队列\n"));
  CHECK(has(o, "\n按目标域统计\n"));
  CHECK(has(o, "\n邮件（等待最久的在前）\n"));
  CHECK(has(o, "stdin (exim-bp)"));
  CHECK(has(o, "4095 字节"));
  CHECK(has(o, "1 封邮件被挂起或冻结"));
  CHECK(has(o, "1 封邮件在 deferred 队列中等待"));
  CHECK(has(o, "最久的邮件已等待 2d 0h（超过 1d 0h）"));
  CHECK(has(o, "队列 ID 1abcDF-000456-Zz。"));
  // Queue ids, queue names and commands stay as they are.
  CHECK(has(o, "1abcDE-000123-Xy"));
  CHECK(has(o, "  frozen "));
  CHECK(has(o, "postsuper -H ID"));
  CHECK(has(o, "'postqueue -f'"));
  CHECK_FALSE(has(o, "The oldest message"));
  check_json_matches_english({"queue", "--input", "-"}, "exim_bp.txt");
}
