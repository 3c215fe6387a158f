// The Simplified Chinese sentences of `maildiag bounce`.
// Ids are "bounce.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& bounce_zh() {
  static const Table k{
      {"bounce.section.message", "邮件"},
      {"bounce.section.recipients", "收件人"},
      {"bounce.section.summary", "汇总"},
      {"bounce.section.by-kind", "按类型"},
      {"bounce.section.by-reason", "按原因"},
      {"bounce.section.by-domain", "按收件域名"},
      {"bounce.row.kind", "类型"},
      {"bounce.row.kind.read-as", "{}（按 {} 格式解析）"},
      {"bounce.row.reporting-mta", "报告方 MTA"},
      {"bounce.row.original-message-id", "原邮件 Message-ID"},
      {"bounce.row.original-subject", "原邮件 Subject"},
      {"bounce.row.original-to", "原邮件 To"},
      {"bounce.row.messages", "邮件数"},
      {"bounce.row.recipients", "收件人数"},
      {"bounce.row.hard", "硬退信"},
      {"bounce.row.soft", "软退信/延迟"},
      {"bounce.col.recipient", "收件人"},
      {"bounce.col.code", "应答码"},
      {"bounce.col.reason", "原因"},
      {"bounce.col.hardness", "硬/软"},
      {"bounce.col.remote-mta", "远端 MTA"},
      {"bounce.col.kind", "类型"},
      {"bounce.col.messages", "邮件数"},
      {"bounce.col.recipients", "收件人数"},
      {"bounce.col.domain", "域名"},
      {"bounce.hardness.hard", "硬退信"},
      {"bounce.hardness.soft", "软退信"},
      {"bounce.hardness.delayed", "软退信（延迟）"},
      {"bounce.recipient-unknown", "（收件人不明）"},
      {"bounce.title.auto-reply", "{}：自动回复（休假/外出），并非投递失败"},
      {"bounce.title.feedback", "{}：反馈报告（{}），并非投递失败"},
      {"bounce.title.delivered", "{}：已投递（成功投递通知）"},
      {"bounce.title.delayed", "{}：投递延迟，{}"},
      {"bounce.title.hard", "{}：硬退信，{}"},
      {"bounce.title.soft", "{}：软退信，{}"},
      {"bounce.detail.separator", "；"},
      {"bounce.detail.refused-at", "在 {} 阶段被拒"},
      {"bounce.detail.by", "应答方 {}"},
      {"bounce.next.check-address", "检查地址 {} 是否拼写错误，并向收件人索取可用的地址；若持续退信，请将其从发送列表中删除。"},
      {"bounce.next.check-domain", "检查域名是否拼写错误；运行 'maildiag mx {}' 查看其 MX 和地址记录。"},
      {"bounce.next.probe", "运行 'maildiag probe {}' 查看其邮件服务器是否在 25 端口响应；之前的投递尝试未能连接或被延后。"},
      {"bounce.next.blocked", "检查发送 IP 是否在 DNS 黑名单中、其反向解析（PTR 记录应与 HELO 名称一致）以及发件域名的 SPF 记录。"},
      {"bounce.next.blocked.listed", "发送 IP 被列入 {}：排除原因后申请移除。检查发送 IP 是否在 DNS 黑名单中、其反向解析（PTR 记录应与 HELO 名称一致）以及发件域名的 SPF 记录。"},
      {"bounce.next.sender-auth-failed", "修正发件域名的身份认证：SPF 必须包含发送 IP，DKIM 签名必须有效并与 From 对齐，DMARC 必须通过。"},
      {"bounce.next.greylisted", "请等待：发送服务器会重试，之后灰名单就会放行该邮件。"},
      {"bounce.not-a-bounce.title", "不是退信：这封邮件不含投递报告"},
      {"bounce.not-a-bounce.detail", "未发现 delivery-status 部分、失败通知、自动回复或反馈报告。"},
      {"bounce.note.dsn-no-final-recipient", "有一组收件人字段缺少 Final-Recipient"},
      {"bounce.note.dsn-too-many", "收件人超过 {} 个；其余未读取"},
      {"bounce.note.forwarded", "该报告被包在另一封邮件中转发；已读取内层的报告"},
      {"bounce.note.too-large", "邮件超出大小限制；只读取了开头部分"},
      {"bounce.input.cut.title", "邮件超过 {}，已被截断"},
      {"bounce.input.cut.detail", "只读取了前 {}；此后的收件人或退信原因均缺失。"},
      {"bounce.input.cut.fix", "如果邮件是真实的，请调大 --max-message-size；正常的退信只有几 KB。"},
      {"bounce.input.cannot-read", "无法读取 {}"},
      {"bounce.input.no-files", "{} 中没有邮件文件"},
      {"bounce.input.no-such-file", "没有这个文件或目录：{}"},
      {"bounce.summary.title", "{} 封邮件，{} 个硬退信，{} 个软退信"},
  };
  return k;
}

}  // namespace maildiag::i18n::detail
