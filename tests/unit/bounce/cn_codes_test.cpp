// The Chinese providers' documented reply codes (the tables of ../shared/corpus/bounces-cn/README.md,
// read at run time) are known to the shared classifier: every NetEase/Coremail FAMILY:SUB token
// and every documented QQ Mail reply is explained with the provider's meaning and a reason class
// the table's suggested class allows, so `maildiag explain "554 DT:SPM ..."` says what NetEase
// means by it and a bounce carrying it is read right.

#include "maildiag/codes/classify.hpp"

#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using maildiag::codes::Reason;

/// One row of a Markdown table: its cells, trimmed.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      const auto b = cur.find_first_not_of(' ');
      const auto e = cur.find_last_not_of(' ');
      out.push_back(b == std::string::npos ? std::string() : cur.substr(b, e - b + 1));
      cur.clear();
    } else {
      cur.push_back(line[i]);
    }
  }
  return out;
}

/// "HL:REP", "DT:SPM" ... in a cell.
std::vector<std::string> family_tokens(const std::string& cell) {
  std::vector<std::string> out;
  auto up = [](char c) { return c >= 'A' && c <= 'Z'; };
  for (std::size_t i = 0; i + 6 <= cell.size(); ++i) {
    if (up(cell[i]) && up(cell[i + 1]) && cell[i + 2] == ':' && up(cell[i + 3]) && up(cell[i + 4]) && up(cell[i + 5]) &&
        (i == 0 || !up(cell[i - 1])) && (i + 6 == cell.size() || !up(cell[i + 6]))) {
      out.push_back(cell.substr(i, 6));
    }
  }
  return out;
}

/// The reasons a table's suggested class allows. The corpus author's names are coarser than ours
/// in places: auth-failed covers SPF/DKIM/DMARC (our sender-auth-failed) and SMTP AUTH
/// (auth-required); policy-violation covers what we name more sharply (a malformed sender is
/// sender-rejected, relaying refused is relay-denied, too many recipients is exceed-limit, a
/// forbidden attachment is content-rejected); rate-limited covers concurrent connections; a mail
/// loop ("other (loop)") is our network-error like every routing loop.
std::set<Reason> allowed(std::string cls) {
  const auto paren = cls.find(" (");
  const std::string note = paren == std::string::npos ? "" : cls.substr(paren);
  if (paren != std::string::npos) cls = cls.substr(0, paren);
  std::set<Reason> out;
  if (const auto r = maildiag::codes::reason_from_string(cls)) out.insert(*r);
  if (cls == "auth-failed") out.insert({Reason::sender_auth_failed, Reason::auth_required});
  if (cls == "policy-violation") {
    out.insert({Reason::sender_rejected, Reason::relay_denied, Reason::exceed_limit, Reason::content_rejected});
  }
  if (cls == "rate-limited") out.insert({Reason::too_many_connections, Reason::filtered});
  if (cls == "user-unknown") out.insert({Reason::syntax_error, Reason::mailbox_disabled});
  if (cls == "blocked") out.insert(Reason::filtered);
  if (note.find("loop") != std::string::npos) out.insert(Reason::network_error);
  return out;
}

}  // namespace

TEST_CASE("bounces-cn: every documented NetEase/Coremail FAMILY:SUB code is known", "[bounce][corpus][cn]") {
  const auto dir = maildiag::test::corpus_dir("bounces-cn");
  if (!dir) return;
  std::istringstream readme(maildiag::test::read_file(*dir / "README.md"));
  // A token documented by two deployments may mean two things (HL:IHU: NetEase's IP suspended for
  // spam, blocked; other Coremail servers' sending too fast, rate-limited): either class is right.
  std::map<std::string, std::set<Reason>> tokens;
  std::string line;
  while (std::getline(readme, line)) {
    if (line.size() < 2 || line[0] != '|') continue;
    const auto c = cells(line);
    if (c.size() < 3) continue;
    for (const auto& token : family_tokens(c.front())) tokens[token].merge(allowed(c.back()));
  }
  // "450 RP:CCL / 451 RP:CEL" share one row and one class (policy-violation); RP:CCL's text is
  // MI:CCL's ("too many commands"), which the table calls rate-limited in its own row.
  tokens["RP:CCL"].insert(Reason::rate_limited);
  for (const auto& [token, want] : tokens) {
    const auto k = maildiag::codes::classify_text("550 " + token + " 163 mx1,Y8CowABHDZS0MLtb+QOjRQ--.39199S3 1538994358");
    INFO(token << " read as " << to_string(k.reason));
    CHECK(k.provider.has_value());
    CHECK(want.count(k.reason) == 1);
  }
  std::cout << "bounces-cn: " << tokens.size() << " documented NetEase/Coremail codes checked\n";
  CHECK(tokens.size() >= 50);
}

TEST_CASE("bounces-cn: every documented QQ Mail reply is read as its class", "[bounce][corpus][cn]") {
  const auto dir = maildiag::test::corpus_dir("bounces-cn");
  if (!dir) return;
  std::istringstream readme(maildiag::test::read_file(*dir / "README.md"));
  std::string line;
  bool in_qq = false;
  int checked = 0;
  while (std::getline(readme, line)) {
    if (line.rfind("## ", 0) == 0) in_qq = line.find("QQ Mail") != std::string::npos;
    if (!in_qq || line.size() < 2 || line[0] != '|' || line.find("---") != std::string::npos) continue;
    const auto c = cells(line);
    if (c.size() != 3 || c[0] == "reply") continue;
    // "550 Mailbox not found. (no=1000728)" / "550 Connection denied / Connection frequency limited"
    const std::string code = c[0].substr(0, 4);
    std::string rest = c[0].substr(4);
    std::vector<std::string> replies;
    for (std::size_t p; (p = rest.find(" / ")) != std::string::npos; rest = rest.substr(p + 3)) {
      replies.push_back(code + rest.substr(0, p));
    }
    replies.push_back(code + rest);
    for (const auto& reply : replies) {
      ++checked;
      const auto k = maildiag::codes::classify_text(reply);
      INFO(reply << " (" << c[2] << ") read as " << to_string(k.reason));
      CHECK(allowed(c[2]).count(k.reason) == 1);
    }
  }
  std::cout << "bounces-cn: " << checked << " documented QQ Mail replies checked\n";
  CHECK(checked >= 12);
}

TEST_CASE("bounces-cn: NetEase's and Alibaba's documented plain replies and bounce wording", "[bounce][cn]") {
  // NetEase 企业退信的常见问题 (replies without a FAMILY:SUB token) and Alibaba enterprise mail's
  // bounce wording, as the bounces-cn README quotes them.
  struct Case {
    const char* text;
    Reason want;
  };
  const Case cases[] = {
      {"554 IP in blacklist", Reason::blocked},
      {"550 Invalid User", Reason::user_unknown},
      {"550 User not found: <user@163.com>", Reason::user_unknown},
      {"550 User in blacklist", Reason::blocked},
      {"550 User suspended", Reason::mailbox_disabled},
      {"550 Requested mail action not taken: too much recipient", Reason::exceed_limit},
      {"552 Illegal Attachment", Reason::content_rejected},
      {"552 Requested mail action aborted: exceeded mailsize limit", Reason::message_too_big},
      {"553 Requested action not taken: NULL sender is not allowed", Reason::sender_rejected},
      {"553 Requested action not taken: Local user only,163 smtp5", Reason::policy_violation},
      {"553 Requested action not taken: no smtp MX only,163 mx14", Reason::policy_violation},
      {"553 authentication is required,163 smtp9", Reason::auth_required},
      {"451 Requested action aborted: too much fail authentication", Reason::auth_failed},
      {"554 IP is rejected, smtp auth error limit exceed", Reason::auth_failed},
      {"451 Requested action aborted: local error in processing", Reason::system_error},
      {"451 Time Out", Reason::network_error},
      {"550 收件人邮件地址不存在，邮件无法送达", Reason::user_unknown},
      {"550 主机或者对方域名有错误，无法被系统解析", Reason::host_unknown},
      {"552 收信人收件箱已满，无法收信", Reason::mailbox_full},
      {"554 对方服务器连接被拒绝", Reason::network_error},
      {"555 无法识别的错误命令", Reason::syntax_error},
      {"554 Reject by behaviour spam at Rcpt State ANTISPAM_BAT[01201311R1]: too frequently sending", Reason::rate_limited},
  };
  for (const auto& c : cases) {
    const auto k = maildiag::codes::classify_text(c.text);
    INFO(c.text << " read as " << to_string(k.reason));
    CHECK(k.reason == c.want);
  }
}
