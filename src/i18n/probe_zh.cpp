// The Simplified Chinese sentences of `maildiag probe`.
// Ids are "probe.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& probe_zh() {
  static const Table k{
      // port-25 verdict (probe_verdict.cpp); "{}" is "25 端口" (probe.port)
      {"probe.port", "{} 端口"},
      {"probe.attempts.one", "{} 次尝试"},
      {"probe.attempts.many", "{} 次尝试"},
      {"probe.port25.not-probed.title", "未探测 {}"},
      {"probe.port25.all-open.title", "{}在每个地址上都有应答"},
      {"probe.port25.some-open.title", "{}只在 {} 个地址上有应答（共 {} 个）"},
      {"probe.port25.some-open.detail", "选中无应答地址（另一台 MX，或 IPv4 正常时的 IPv6）的发件方要等到超时，或转投下一台主机；只要还有一个地址可用，邮件只会延迟，不会丢失。"},
      {"probe.port25.some-open.fix", "在无应答的主机上启动邮件服务器，或将这些主机（连同其 MX/A/AAAA 记录）移除。"},
      {"probe.port25.local-firewall.title", "本机的防火墙规则阻止了出站 {}"},
      {"probe.port25.local-firewall.detail", "connect() 以 EPERM/EACCES 失败：数据包根本没有离开本机。"},
      {"probe.port25.local-firewall.fix", "检查本机防火墙（nft list ruleset / iptables -S OUTPUT）中针对 {}的规则。"},
      {"probe.port25.remote-refused.title", "目标的 {}上没有服务在监听"},
      {"probe.port25.remote-refused.detail", "目标主机以 TCP 复位（RST）作答（{}）：主机在线，但没有 SMTP 服务器接受连接，或对端防火墙拒绝了连接。"},
      {"probe.port25.remote-refused.fix", "在目标主机上启动 SMTP 服务器（或在服务器防火墙上放行 {}）。"},
      {"probe.port25.undetermined.title", "目标的所有地址在 {}上都无应答"},
      {"probe.port25.undetermined.detail.unresolved", "对照主机无法解析，因此无法判断是目标丢弃了连接，还是本方阻止了出站 {}。"},
      {"probe.port25.undetermined.detail.no-control", "没有探测对照主机，因此无法判断是目标丢弃了连接，还是本方阻止了出站 {}。"},
      {"probe.port25.undetermined.fix", "用 --control HOST 探测一台已知正常的 MX，或换一个网络再试。"},
      {"probe.port25.outbound-blocked.title", "本方的出站 {}似乎被封锁（防火墙或 ISP）"},
      {"probe.port25.outbound-blocked.detail", "目标和所有对照主机在 {}上都没有应答（{}）。互不相关的服务商不会同时宕机：封锁发生在本机的网络路径上。许多 ISP 和云服务商会对家庭宽带和新开账号封锁出站 25 端口。"},
      {"probe.port25.outbound-blocked.fix", "换一个网络测试，请 ISP 或云服务商解除 25 端口封锁，或通过 587 端口上的中继发信。"},
      {"probe.port25.remote-unreachable.title", "目标主机的 {}不可达"},
      {"probe.port25.remote-unreachable.detail", "路由器报告没有通往目标地址的路由，而对照主机在本机看来 25 端口有应答：问题出在远端。"},
      {"probe.port25.remote-filtered.title", "目标主机在 {}上没有应答（宕机或被过滤）"},
      {"probe.port25.remote-filtered.detail", "发往目标的连接完全没有回应（SYN 被丢弃），而对照主机在本机看来 25 端口有应答：问题出在远端。"},
      {"probe.port25.remote.fix", "检查 MX 主机是否在线，以及其防火墙是否允许来自互联网的 {}连接。"},
      // greetings (probe_banner.cpp)
      {"probe.banner.malformed-smtp", "SMTP 欢迎信息格式错误（{}）：{}"},
      {"probe.banner.more-lines", "{}（另有 {} 行）"},
      {"probe.banner.malformed-pop3", "POP3 欢迎信息格式错误：{}"},
      {"probe.banner.malformed-imap", "IMAP 欢迎信息格式错误：{}"},
      {"probe.banner.none", "没有欢迎信息"},
      {"probe.banner.not-mail", "不是邮件服务的欢迎信息：\"{}\""},
      {"probe.banner.wrong-protocol", "{} 欢迎信息出现在 {} 端口上：{}"},
      // report (probe_report.cpp): sections and columns
      {"probe.hosts.title", "主机"},
      {"probe.hosts.none", "（无）"},
      {"probe.ports.title", "端口"},
      {"probe.notes.title", "欢迎信息与 TLS"},
      {"probe.controls.title", "对照主机（25 端口）"},
      {"probe.col.pref", "优先级"},
      {"probe.col.host", "主机"},
      {"probe.col.address", "地址"},
      {"probe.col.addresses", "地址"},
      {"probe.col.endpoint", "端点"},
      {"probe.col.result", "结果"},
      {"probe.cell.not-run", "未执行"},
      // report: greetings that did not complete; "{}" at the end is probe.banner.partial or nothing
      {"probe.banner.partial", "：\"{}\""},
      {"probe.banner-silent.text", "连接已建立，但 {} 内没有收到欢迎信息"},
      {"probe.banner-incomplete.text", "{} 后欢迎信息仍不完整（{} 字节，是在逐字节慢速发送？）{}"},
      {"probe.banner-closed.text.empty", "服务器未发送欢迎信息就关闭了连接{}"},
      {"probe.banner-closed.text.partial", "服务器在发送欢迎信息途中关闭了连接（{} 字节）{}"},
      {"probe.banner-line-too-long.text", "欢迎信息的行长超过 {} 字节{}"},
      {"probe.banner-too-many-lines.text", "欢迎信息没有结束（超过 {} 行）"},
      {"probe.banner-tls-failed.text", "TLS 握手失败：{}"},
      {"probe.banner-error.text", "读取错误：{}"},
      {"probe.banner-silent.detail", "邮件服务器通常在一两秒内发出欢迎信息。客户端会在各自的超时后放弃（RFC 5321 §4.5.3.2 允许 5 分钟，许多客户端等得短得多）：可能是服务器过载、tarpit（故意拖延），或中间设备所致。"},
      {"probe.banner-closed.detail", "在欢迎信息之前就关闭连接，通常说明服务器拒绝了本客户端（连接数限制、访问规则、postscreen），或服务器崩溃了。"},
      {"probe.banner-line-too-long.detail", "RFC 5321 §4.5.3.1.5 规定应答行最长 512 字节；这台服务器有故障或带有恶意。已在上限处停止读取。"},
      {"probe.banner-too-many-lines.detail", "多行欢迎信息必须以 \"NNN \" 行结束；这一条没有。已在上限处停止读取。"},
      // report: findings
      {"probe.banner.title", "{}：{}"},
      {"probe.banner.sentence-sep", "。"},
      {"probe.banner.listed", "已被列入 {}。"},
      {"probe.connect-error.title", "无法连接 {}"},
      {"probe.plaintext-before-tls.title", "{} 在隐式 TLS 端口上发送了明文"},
      {"probe.plaintext-before-tls.detail", "TLS 握手开始之前就收到了数据：该端口提供的可能是明文协议。"},
      {"probe.null-mx.title", "{} 发布了空 MX：不接收任何邮件（RFC 7505）"},
      {"probe.dns.title.missing", "{} 既没有 MX 也没有地址（{}）"},
      {"probe.dns.title.failed", "{} 的 DNS 查询失败（{}）"},
      {"probe.implicit-mx.title", "{} 没有 MX 记录：使用其自身地址（隐式 MX）"},
      {"probe.host-no-address.title", "MX 主机 {} 没有地址（{}）"},
      {"probe.port-silent.title", "{} 上没有任何应答（{}）"},
      {"probe.port-silent.detail", "目标的所有地址都没有在该端口上接受连接。"},
      {"probe.port-silent.fix", "检查服务是否在运行、是否监听在公网地址上，以及前面的防火墙。"},
      {"probe.port-partial.title", "{} 只在 {} 个地址上有应答（共 {} 个）"},
      {"probe.ports-closed.title", "{} 无应答"},
      {"probe.ports-closed.detail", "对于不提供这些服务的主机，这属于正常情况。"},
      {"probe.interrupted.during", "探测完成"},
  };
  return k;
}

}  // namespace maildiag::i18n::detail
