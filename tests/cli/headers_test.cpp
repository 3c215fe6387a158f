#include "support/corpus.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using maildiag::test::run_maildiag;
using maildiag::test::ndjson;

namespace {

/// A message whose path is clean: TLS on the public hop, SPF/DKIM/DMARC pass, aligned.
const std::string kClean =
    "Return-Path: <alice@example.org>\n"
    "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=alice@example.org;\n"
    " dkim=pass header.d=example.org header.s=s1; dmarc=pass (p=reject) header.from=example.org\n"
    "Received: from mail.example.org (mail.example.org [192.0.2.10])\n"
    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n"
    "\tby mx.example.net (Postfix) with ESMTPS id 4AbCdEf\n"
    "\tfor <bob@example.net>; Tue, 05 Mar 2024 14:02:11 +0100\n"
    "From: Alice <alice@example.org>\n"
    "To: bob@example.net\n"
    "Subject: =?UTF-8?B?5qyi6L+O?=\n"
    "Date: Tue, 05 Mar 2024 14:02:10 +0100\n"
    "Message-ID: <1@example.org>\n"
    "\n"
    "body\n";

/// The forgery seed: a HELO that is not the host, an injected older hop, DMARC fail under p=reject.
const std::string kForged =
    "Authentication-Results: mx.example.com; spf=softfail smtp.mailfrom=service@paypal.example;\n"
    " dkim=none; dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=paypal.example\n"
    "Received: from hoho88_nserver.cx (p2046-ipbf1903funabasi.chiba.ocn.ppp.odn.ad.jp [219.66.191.46])\n"
    "\tby mx.example.com (Postfix) with SMTP id 3F2E1D0C9B; Tue, 05 Mar 2024 14:02:11 +0100\n"
    "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=paypal.example; dmarc=pass header.from=paypal.example\n"
    "Received: from paypal.example (mail.paypal.example [64.4.250.1]) by hoho88_nserver.cx with ESMTP id AAA;\n"
    " Tue, 05 Mar 2024 14:01:00 +0100\n"
    "From: \"PayPal\" <service@paypal.example>\n"
    "To: victim@example.com\n"
    "Subject: Account suspended\n"
    "Date: Tue, 05 Mar 2024 14:00:50 +0100\n"
    "Message-ID: <123@hoho88_nserver.cx>\n"
    "\n";

std::string temp_file(const std::string& name, const std::string& content) {
  const auto p = std::filesystem::temp_directory_path() / ("maildiag-headers-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

bool has_finding(const nlohmann::json& j, const std::string& id) {
  for (const auto& f : j["findings"]) {
    if (f["id"] == id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("headers: a clean message from stdin is OK, with path and decoded subject", "[cli][headers]") {
  const auto r = run_maildiag({"headers"}, kClean);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("Path (oldest hop first)") != std::string::npos);
  CHECK(r.out.find("TLSv1.3 TLS_AES_256_GCM_SHA384") != std::string::npos);
  CHECK(r.out.find("欢迎") != std::string::npos);
  CHECK(r.out.find("Status: OK") != std::string::npos);
}

TEST_CASE("headers: the forged seed is named, and DMARC fail under p=reject is CRITICAL", "[cli][headers]") {
  const auto r = run_maildiag({"--json", "headers", "-"}, kForged);
  CHECK(r.exit_code == 2);
  const auto lines = ndjson(r.out);
  REQUIRE(lines.size() == 1);
  const auto& j = lines[0];
  CHECK(j["command"] == "headers");
  CHECK(j["status"] == "critical");
  CHECK(has_finding(j, "headers.hop.helo-mismatch"));
  CHECK(has_finding(j, "headers.hop.unverifiable"));
  CHECK(has_finding(j, "headers.auth.dmarc-fail-reject"));
  CHECK(j["data"]["origin"]["ip"] == "219.66.191.46");
  REQUIRE(j["data"]["hops"].size() == 2);
  CHECK(j["data"]["hops"][0]["verified"] == false);
  CHECK(j["data"]["hops"][1]["helo"] == "hoho88_nserver.cx");
  // The injected "pass" results below the receiving hop are not believed.
  for (const auto& res : j["data"]["authentication"]["results"]) {
    if (res["result"] == "pass") CHECK(res["trusted"] == false);
  }
}

TEST_CASE("headers: a file, --all, and an mbox gives one report per message", "[cli][headers]") {
  const auto one = temp_file("one.eml", kClean);
  auto r = run_maildiag({"headers", "--all", one});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("All header fields") != std::string::npos);
  CHECK(r.out.find("Message-ID:") != std::string::npos);

  const std::string mbox = "From alice@example.org Tue Mar  5 14:02:11 2024\n" + kClean +
                           "From x@paypal.example Tue Mar  5 14:02:11 2024\n" + kForged + "body\nFrom here on\n";
  const auto box = temp_file("mail.mbox", mbox);
  r = run_maildiag({"--json", "headers", box});
  CHECK(r.exit_code == 2);
  const auto lines = ndjson(r.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["target"] == box + "#1");
  CHECK(lines[0]["status"] == "ok");
  CHECK(lines[1]["target"] == box + "#2");
  CHECK(lines[1]["status"] == "critical");
  std::filesystem::remove(one);
  std::filesystem::remove(box);
}

TEST_CASE("headers: bad inputs are one-line errors with exit 3", "[cli][headers]") {
  SECTION("a directory") {
    const auto r = run_maildiag({"headers", std::filesystem::temp_directory_path().string()});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("is a directory") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  SECTION("a missing file") {
    const auto r = run_maildiag({"headers", "/nonexistent/message.eml"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cannot read") != std::string::npos);
  }
  SECTION("binary junk") {
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk.push_back(static_cast<char>((i * 37) & 0xFF));
    const auto r = run_maildiag({"headers"}, junk);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("not an email message") != std::string::npos);
  }
  SECTION("empty stdin") {
    const auto r = run_maildiag({"headers"}, "");
    CHECK(r.exit_code == 3);
  }
}

TEST_CASE("headers: every shared sample gives a report without crashing", "[cli][headers][corpus]") {
  const auto dir = maildiag::test::corpus_dir("headers");
  if (!dir) return;
  for (const auto& e : std::filesystem::directory_iterator(*dir / "samples")) {
    if (e.path().extension() != ".eml") continue;
    INFO(e.path().filename().string());
    const auto r = run_maildiag({"--json", "headers", e.path().string()});
    CHECK((r.exit_code >= 0 && r.exit_code <= 2));
    const auto lines = ndjson(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["data"].contains("hops"));
  }
}
