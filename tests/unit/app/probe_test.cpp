// probe's pure parts: port specs, the port-25 verdict on constructed scenarios, greetings.

#include "maildiag/app/probe.hpp"

#include "../../../src/app/probe_engine.hpp"

#include <catch2/catch.hpp>

using namespace maildiag;
using namespace maildiag::app;
using probe_detail::BannerReader;
using probe_detail::BannerStatus;
using report::Severity;

TEST_CASE("port lists: numbers, names and NUMBER/NAME", "[probe][ports]") {
  std::string err;
  auto p = parse_ports("25,smtps, 2525/smtp,4465/SMTPS,2110/pop3,imaps,12345,submissions", &err);
  REQUIRE(p);
  std::vector<std::string> labels;
  for (const auto& s : *p) labels.push_back(s.label());
  CHECK(labels == std::vector<std::string>{"25/smtp", "465/smtps", "2525/smtp", "4465/smtps", "2110/pop3",
                                            "993/imaps", "12345/tcp"});
  CHECK(parse_ports("25,25,smtp")->size() == 1);
  CHECK_FALSE(parse_ports("0", &err));
  CHECK(err == "port out of range: 0");
  CHECK_FALSE(parse_ports("70000", &err));
  CHECK_FALSE(parse_ports("smtpx", &err));
  CHECK_THAT(err, Catch::StartsWith("unknown port \"smtpx\""));
  CHECK_FALSE(parse_ports("25/bogus", &err));
  CHECK_THAT(err, Catch::StartsWith("unknown protocol \"bogus\""));
  CHECK_FALSE(parse_ports("smtp/25", &err));
  CHECK_FALSE(parse_ports(",", &err));
  CHECK(default_ports().size() == 7);
  CHECK(implicit_tls(Protocol::imaps));
  CHECK_FALSE(implicit_tls(Protocol::submission));
  CHECK(protocol_for_port(587) == Protocol::submission);
  CHECK(protocol_for_port(2525) == Protocol::smtp);
}

namespace {

Port25Judgement judge(std::vector<Reach> target, std::vector<Reach> control, bool probed = true) {
  Port25Facts f;
  f.target = std::move(target);
  f.control = std::move(control);
  f.controls_probed = probed;
  return judge_port25(f);
}

}  // namespace

TEST_CASE("port-25 verdicts on constructed scenarios", "[probe][verdict]") {
  using R = Reach;
  struct Case {
    const char* name;
    std::vector<Reach> target;
    std::vector<Reach> control;
    bool probed;
    Port25Verdict verdict;
    Severity severity;
  };
  const Case cases[] = {
      {"nothing probed", {}, {}, false, Port25Verdict::not_probed, Severity::ok},
      {"every MX answers", {R::open, R::open}, {}, false, Port25Verdict::all_open, Severity::ok},
      {"one of two answers", {R::open, R::filtered}, {}, false, Port25Verdict::some_open, Severity::warning},
      {"v4 open, v6 unreachable", {R::open, R::unreachable}, {}, false, Port25Verdict::some_open, Severity::warning},
      {"target and every control silent", {R::filtered, R::filtered}, {R::filtered, R::filtered, R::filtered}, true,
       Port25Verdict::outbound_blocked, Severity::critical},
      {"silent target, controls unreachable too", {R::filtered}, {R::unreachable, R::filtered}, true,
       Port25Verdict::outbound_blocked, Severity::critical},
      {"silent target, one control answers", {R::filtered, R::filtered}, {R::filtered, R::open}, true,
       Port25Verdict::remote_filtered, Severity::critical},
      {"silent target, control refuses (path works)", {R::filtered}, {R::refused}, true,
       Port25Verdict::remote_filtered, Severity::critical},
      {"unreachable target, controls answer", {R::unreachable, R::unreachable}, {R::open}, true,
       Port25Verdict::remote_unreachable, Severity::critical},
      {"target refuses: nothing listens", {R::refused, R::refused}, {}, false, Port25Verdict::remote_refused,
       Severity::critical},
      {"refused and filtered mixed", {R::refused, R::filtered}, {}, false, Port25Verdict::remote_refused,
       Severity::critical},
      {"local firewall EPERM", {R::blocked, R::filtered}, {}, false, Port25Verdict::local_firewall, Severity::critical},
      {"silent, controls not probed", {R::filtered}, {}, false, Port25Verdict::undetermined, Severity::critical},
      {"silent, controls did not resolve", {R::filtered}, {}, true, Port25Verdict::undetermined, Severity::critical},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto j = judge(c.target, c.control, c.probed);
    CHECK(j.verdict == c.verdict);
    CHECK(j.severity == c.severity);
    CHECK_FALSE(j.title.empty());
  }
  CHECK(judge({R::filtered}, {R::filtered}).title == "Outbound port 25 looks blocked on this side (firewall or ISP)");
  CHECK_THAT(judge({R::filtered}, {}, true).detail, Catch::StartsWith("The control hosts could not be resolved"));
}

TEST_CASE("controls are needed only while nothing answered", "[probe][verdict]") {
  CHECK(controls_needed({Reach::filtered}));
  CHECK(controls_needed({Reach::filtered, Reach::unreachable, Reach::error}));
  CHECK_FALSE(controls_needed({Reach::filtered, Reach::open}));
  CHECK_FALSE(controls_needed({Reach::refused}));
  CHECK_FALSE(controls_needed({Reach::blocked}));
  CHECK_FALSE(controls_needed({}));
}

TEST_CASE("banner reader: SMTP multi-line greeting at any split", "[probe][banner]") {
  const std::string in = "220-mx.test ESMTP\r\n220-second\r\n220 ready\r\nEXTRA";
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    BannerReader r(Protocol::smtp);
    const bool a = r.feed(std::string_view(in).substr(0, cut));
    const bool b = a || r.feed(std::string_view(in).substr(cut));
    CHECK(b);
    CHECK(r.status() == BannerStatus::complete);
    CHECK(r.lines() == std::vector<std::string>{"220-mx.test ESMTP", "220-second", "220 ready"});
  }
}

TEST_CASE("banner reader: limits end hostile greetings", "[probe][banner]") {
  BannerReader longline(Protocol::smtp);
  std::string chunk(4096, 'A');
  CHECK(longline.feed("220 " + chunk));
  CHECK(longline.status() == BannerStatus::too_long);
  CHECK(longline.partial().size() == probe_detail::banner_limits().max_line);

  BannerReader endless(Protocol::smtp);
  bool done = false;
  for (int i = 0; i < 1000 && !done; ++i) done = endless.feed("220-hostile.test endless line\r\n");
  CHECK(done);
  CHECK(endless.status() == BannerStatus::too_many_lines);

  BannerReader pop(Protocol::pop3);
  CHECK(pop.feed("+OK ready\r\n"));
  CHECK(pop.lines().size() == 1);
  BannerReader partial(Protocol::smtp);
  CHECK_FALSE(partial.feed("220 hos"));
  CHECK(partial.partial() == "220 hos");
}

TEST_CASE("greetings through the shared classifier", "[probe][banner]") {
  using probe_detail::read_banner;
  auto ok = read_banner(Protocol::smtp, {"220 mx1.mail.test ESMTP Postfix"});
  CHECK(ok.kind == "smtp");
  CHECK(ok.matches);
  CHECK(ok.severity == Severity::ok);

  auto busy = read_banner(Protocol::smtp, {"421 4.3.2 hostile.test Service not available, closing transmission channel"});
  CHECK(busy.severity == Severity::warning);
  REQUIRE(busy.classification);
  CHECK(busy.classification->code == 421);

  auto listed = read_banner(Protocol::smtp, {"554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using "
                                             "zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1"});
  CHECK(listed.severity == Severity::critical);
  REQUIRE(listed.classification);
  CHECK(listed.classification->blocklist == std::optional<std::string>("zen.spamhaus.org"));

  auto pop_err = read_banner(Protocol::pop3, {"-ERR [SYS/TEMP] hostile.test POP3 service unavailable"});
  CHECK(pop_err.kind == "pop3");
  CHECK(pop_err.severity == Severity::warning);

  auto imap = read_banner(Protocol::imaps, {"* OK [CAPABILITY IMAP4rev1] Dovecot ready."});
  CHECK(imap.kind == "imap");
  CHECK(imap.severity == Severity::ok);

  auto garbage = read_banner(Protocol::smtp, {std::string("\x16\x03\x01?? this is not SMTP", 22)});
  CHECK(garbage.kind == "unknown");
  CHECK_FALSE(garbage.matches);
  CHECK(garbage.severity == Severity::warning);
  CHECK(garbage.summary.find('\x16') == std::string::npos);  // sanitised

  auto wrong = read_banner(Protocol::smtp, {"+OK Dovecot ready."});
  CHECK_FALSE(wrong.matches);
  CHECK_THAT(wrong.summary, Catch::StartsWith("POP3 greeting on a smtp port"));

  auto any = read_banner(Protocol::tcp, {"* OK ready"});
  CHECK(any.matches);
}
