// mx and probe reports in Simplified Chinese (--lang zh): titles, sections and findings come
// from the message catalog, while finding ids, protocol tokens, evidence and the JSON `data`
// stay exactly as in English. Reports are built from constructed facts: no network.

#include "maildiag/i18n/catalog.hpp"

#include "../../../src/app/mx_internal.hpp"
#include "../../../src/app/probe_engine.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace maildiag;
using namespace maildiag::app;

namespace {

const report::Finding* finding(const report::Report& r, std::string_view id) {
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const report::Finding& f) { return f.id == id; });
  return it == r.findings.end() ? nullptr : &*it;
}

const report::Section* section(const report::Report& r, std::string_view title) {
  auto it = std::find_if(r.sections.begin(), r.sections.end(), [&](const report::Section& s) { return s.title == title; });
  return it == r.sections.end() ? nullptr : &*it;
}

std::vector<std::string> finding_ids(const report::Report& r) {
  std::vector<std::string> ids;
  for (const auto& f : r.findings) ids.push_back(f.id);
  return ids;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

// ---- mx ----------------------------------------------------------------------------------------

/// mail.test: one exchanger on a loopback address without PTR; the policy lookups never finished.
mx_detail::DomainResult mx_facts() {
  mx_detail::DomainResult d;
  d.input = "mail.test";
  d.name = dns::DomainName{"mail.test", "mail.test"};
  d.resolver = "192.0.2.53:53";
  dns::MxHosts mx;
  mx.domain = "mail.test";
  mx.status = dns::Status::ok;
  dns::MxHost h;
  h.preference = 10;
  h.name = "mx1.mail.test";
  h.addresses.host = h.name;
  h.addresses.status = dns::Status::ok;
  h.addresses.addresses = {*dns::Address::parse("127.0.0.11")};
  mx.hosts = {h};
  d.mx = mx;
  mx_detail::AddressCheck ac{*dns::Address::parse("127.0.0.11"), {}, {}};
  ac.ptr.status = dns::Status::nxdomain;
  ac.ptr.done = true;
  d.exchangers = {mx_detail::ExchangerCheck{{ac}, std::nullopt}};
  return d;
}

report::Report mx_report(i18n::Lang lang) {
  i18n::ScopedLanguage guard(lang);
  mx_detail::Settings s;
  s.checks.tlsa = false;
  auto r = mx_detail::build_report(mx_facts(), s);
  report::parse_data_text(r);  // `data` as a tree, as run_mx gives it
  return r;
}

}  // namespace

TEST_CASE("mx report in Chinese: sections and findings translated, ids and tokens kept", "[i18n][mx]") {
  const auto en = mx_report(i18n::Lang::en);
  const auto zh = mx_report(i18n::Lang::zh);

  // English stays as it was.
  REQUIRE(finding(en, "mx.address-not-public"));
  CHECK(finding(en, "mx.address-not-public")->title == "1 exchanger address is not reachable from the Internet");
  CHECK(section(en, "MX records"));

  // Chinese: a translated table whose protocol columns (PTR, FCrDNS) stay.
  const auto* table = section(zh, "MX 记录");
  REQUIRE(table);
  CHECK(table->columns == std::vector<std::string>{"优先级", "MX 主机", "地址", "PTR", "FCrDNS"});
  CHECK(table->rows.at(0).at(1) == "mx1.mail.test");
  CHECK(table->rows.at(0).at(4) == "-");  // no PTR: FCrDNS not applicable
  REQUIRE_FALSE(zh.sections.empty());
  CHECK(zh.sections.front().rows.at(0).at(0) == "域名");
  CHECK(zh.sections.front().rows.at(2).at(0) == "MX 应答");
  CHECK(zh.sections.front().rows.at(3).at(0) == "SPF");  // record names are not translated

  // Same findings, same ids, same severities; the words are Chinese.
  CHECK(finding_ids(zh) == finding_ids(en));
  const auto* scope = finding(zh, "mx.address-not-public");
  REQUIRE(scope);
  CHECK(scope->title == "1 个 MX 主机地址无法从互联网访问");
  CHECK(contains(scope->remediation, "公网 DNS"));
  CHECK(scope->evidence == finding(en, "mx.address-not-public")->evidence);  // evidence is never translated
  const auto* ptr = finding(zh, "ptr.missing");
  REQUIRE(ptr);
  CHECK(contains(ptr->title, "反向解析（PTR）"));
  CHECK(contains(ptr->evidence, "11.0.0.127.in-addr.arpa nxdomain"));
  const auto* spf = finding(zh, "spf.lookup-failed");
  REQUIRE(spf);
  CHECK(spf->title == "SPF 记录查询失败");

  // The JSON data is a stable schema: identical in both languages.
  CHECK(zh.data == en.data);
  CHECK(zh.data["mx"]["hosts"][0]["addresses"][0]["ptr"]["status"] == "nxdomain");
}

TEST_CASE("mx: an input that is not a domain has a Chinese title and an English data error", "[i18n][mx]") {
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  auto r = mx_detail::invalid_domain_report("192.0.2.1", mx_detail::invalid_input("mx.invalid-domain.ip", {"192.0.2.1"}));
  report::parse_data_text(r);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].id == "mx.invalid-domain");
  CHECK(r.findings[0].title == "\"192.0.2.1\" 是 IP 地址，不是邮件域名");
  CHECK(contains(r.findings[0].remediation, "example.com"));
  CHECK(r.data["error"] == "\"192.0.2.1\" is an IP address, not a mail domain");
  CHECK(i18n::language() == i18n::Lang::zh);  // invalid_input gives the language back
}

// ---- probe -------------------------------------------------------------------------------------

namespace {

using probe_detail::Attempt;
using probe_detail::BannerStatus;

/// 127.0.0.1: port 25 refuses, port 110 (POP3) answers with an SMTP greeting.
probe_detail::Run probe_facts() {
  probe_detail::Run run;
  run.controls_probed = false;
  const auto addr = *net::Address::parse("127.0.0.1");
  const std::vector<PortSpec> ports{{25, Protocol::smtp}, {110, Protocol::pop3}};
  probe_detail::Target t;
  t.input = "127.0.0.1";
  t.name = "127.0.0.1";
  t.reading = "address";
  t.ports = ports;
  t.explicit_ports = true;
  t.dns_status = "literal";
  t.resolved = true;
  t.hosts = {probe_detail::Host{"127.0.0.1", std::nullopt, "literal", "", {addr}, ports}};
  run.targets = {t};

  Attempt refused;
  refused.port = ports[0];
  refused.connect.address = addr;
  refused.connect.port = 25;
  refused.connect.outcome = net::ConnectOutcome::refused;
  refused.connect.error = 111;
  refused.connect.detail = "Connection refused";
  refused.started = refused.finished = true;

  Attempt open;
  open.port = ports[1];
  open.connect.address = addr;
  open.connect.port = 110;
  open.connect.outcome = net::ConnectOutcome::open;
  open.started = open.finished = true;
  open.banner.status = BannerStatus::complete;
  open.banner.lines = {"220 mx.test ESMTP ready"};
  open.banner.bytes = 25;
  open.banner.ms = 3;
  run.attempts = {refused, open};
  return run;
}

report::Report probe_report(i18n::Lang lang) {
  i18n::ScopedLanguage guard(lang);
  auto reports = probe_detail::build_reports(probe_facts());
  REQUIRE(reports.size() == 1);
  return reports.front();
}

}  // namespace

TEST_CASE("probe report in Chinese: verdict and greetings translated, data and tokens kept", "[i18n][probe]") {
  const auto en = probe_report(i18n::Lang::en);
  const auto zh = probe_report(i18n::Lang::zh);

  REQUIRE(finding(en, "probe.port25.remote-refused"));
  CHECK(finding(en, "probe.port25.remote-refused")->title == "Nothing listens on port 25 of the target");
  CHECK(section(en, "Ports"));

  // The port matrix: translated titles, port labels and outcomes as they are.
  const auto* ports = section(zh, "端口");
  REQUIRE(ports);
  CHECK(ports->columns == std::vector<std::string>{"主机", "地址", "25/smtp", "110/pop3"});
  REQUIRE(ports->rows.size() == 1);
  CHECK(contains(ports->rows[0][2], "refused"));
  CHECK(contains(ports->rows[0][3], "open"));

  CHECK(finding_ids(zh) == finding_ids(en));
  const auto* verdict = finding(zh, "probe.port25.remote-refused");
  REQUIRE(verdict);
  CHECK(verdict->title == "目标的 25 端口上没有服务在监听");
  CHECK(contains(verdict->detail, "1 次尝试"));
  CHECK(contains(verdict->detail, "SMTP"));

  // A greeting of the wrong protocol: the words are Chinese, the server's line is not.
  const auto* banner = finding(zh, "probe.banner");
  REQUIRE(banner);
  CHECK(contains(banner->title, "SMTP 欢迎信息出现在 pop3 端口上"));
  CHECK(contains(banner->title, "220 mx.test ESMTP ready"));
  CHECK(banner->evidence == "220 mx.test ESMTP ready");
  const auto* notes = section(zh, "欢迎信息与 TLS");
  REQUIRE(notes);
  CHECK(notes->columns == std::vector<std::string>{"端点", "结果"});

  // JSON data: the English verdict sentences, identical to an English run.
  CHECK(zh.data == en.data);
  CHECK(zh.data["port25"]["verdict"] == "remote-refused");
  CHECK(zh.data["port25"]["title"] == "Nothing listens on port 25 of the target");
}

TEST_CASE("probe: greetings and verdicts read in Chinese", "[i18n][probe]") {
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  CHECK(probe_detail::read_banner(Protocol::smtp, {}).summary == "没有欢迎信息");
  const auto garbage = probe_detail::read_banner(Protocol::imap, {"HTTP/1.1 400 Bad Request"});
  CHECK(garbage.kind == "unknown");
  CHECK(garbage.summary == "不是邮件服务的欢迎信息：\"HTTP/1.1 400 Bad Request\"");

  Port25Facts f;
  f.port = i18n::format("probe.port", {"25"});
  f.target = {Reach::filtered};
  f.control = {Reach::filtered, Reach::filtered};
  f.controls_probed = true;
  const auto j = judge_port25(f);
  CHECK(j.verdict == Port25Verdict::outbound_blocked);
  CHECK(j.title == "本方的出站 25 端口似乎被封锁（防火墙或 ISP）");
  CHECK(contains(j.detail, "3 次尝试"));
  CHECK(contains(j.remediation, "587"));
}
