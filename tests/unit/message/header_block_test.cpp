#include "maildiag/message/header_block.hpp"

#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

using namespace maildiag::message;

TEST_CASE("header block: fields, folding and the body offset", "[message][headers]") {
  for (const std::string eol : {"\r\n", "\n", "\r"}) {
    INFO("line ending " << (eol == "\r\n" ? "CRLF" : eol == "\n" ? "LF" : "CR"));
    const std::string msg = "From: a@example.org" + eol + "Subject: one" + eol + "\ttwo" + eol +
                            "  three  " + eol + "X-Empty:" + eol + eol + "body" + eol;
    const auto b = parse_headers(msg);
    REQUIRE(b.headers.size() == 3);
    CHECK(b.headers[0].name == "From");
    CHECK(b.headers[0].value == "a@example.org");
    CHECK(b.headers[0].line == 1);
    CHECK(b.headers[1].value == "one\ttwo  three");
    CHECK(b.headers[2].name == "X-Empty");
    CHECK(b.headers[2].value.empty());
    CHECK(b.headers[2].line == 5);
    CHECK(msg.substr(b.body_offset) == "body" + eol);
    CHECK_FALSE(b.truncated);
    CHECK(b.problems.empty());
  }
}

TEST_CASE("header block: lookups are case-insensitive and ordered", "[message][headers]") {
  const auto b = parse_headers("Received: one\nRECEIVED: two\nreceived : three\nTo: x\n\n");
  CHECK(b.find_all("received").size() == 3);
  CHECK(b.find_all("Received")[2]->value == "three");  // obsolete WSP before the colon
  CHECK(b.get("to") == "x");
  CHECK(b.get("cc").empty());
  CHECK(b.find("cc") == nullptr);
}

TEST_CASE("header block: mbox From line, headers-only input, missing blank line", "[message][headers]") {
  SECTION("the mbox separator is skipped and lines count from it") {
    const auto b = parse_headers("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\nTo: x\n\nbody");
    REQUIRE(b.headers.size() == 1);
    CHECK(b.headers[0].line == 2);
  }
  SECTION("headers only, no final newline") {
    const std::string msg = "To: x\nSubject: y";
    const auto b = parse_headers(msg);
    REQUIRE(b.headers.size() == 2);
    CHECK(b.headers[1].value == "y");
    CHECK(b.body_offset == msg.size());
  }
  SECTION("a line without a colon ends the block, reported") {
    const std::string msg = "To: x\nthis is body text\nFrom: not-a-header\n";
    const auto b = parse_headers(msg);
    REQUIRE(b.headers.size() == 1);
    CHECK(msg.substr(b.body_offset, 4) == "this");
    REQUIRE(b.problems.size() == 1);
    CHECK(b.problems[0].find("line 2 has no colon") != std::string::npos);
  }
  SECTION("a continuation line before any field is reported and skipped") {
    const auto b = parse_headers(" stray\nTo: x\n\n");
    REQUIRE(b.headers.size() == 1);
    CHECK(b.problems.size() == 1);
  }
  SECTION("8-bit bytes in values are kept as they are") {
    const auto b = parse_headers("Subject: \xC4\xE3\xBA\xC3\n\n");
    CHECK(b.get("subject") == "\xC4\xE3\xBA\xC3");
  }
  SECTION("empty input") {
    const auto b = parse_headers("");
    CHECK(b.headers.empty());
    CHECK(b.body_offset == 0);
  }
}

TEST_CASE("header block: binary junk and truncated input never crash", "[message][headers]") {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xFF));
  const auto b = parse_headers(junk);
  CHECK(b.headers.size() <= 1);
  const std::string full = "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: x\r\n\r\nbody";
  for (std::size_t cut = 0; cut <= full.size(); ++cut) {
    const auto t = parse_headers(std::string_view(full).substr(0, cut));
    CHECK(t.body_offset <= cut);
  }
}

TEST_CASE("header block: every limit is enforced and reported", "[message][headers]") {
  SECTION("a 50 MB header line is bounded, reported and fast") {
    std::string msg = "Subject: ";
    msg.append(50u << 20, 'x');
    msg += "\n\nbody";
    const auto start = std::chrono::steady_clock::now();
    const auto b = parse_headers(msg);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    CHECK(b.truncated);
    REQUIRE(b.headers.size() == 1);
    CHECK(b.headers[0].value.size() <= HeaderLimits{}.max_value);
    CHECK(b.problems.size() == 2);  // the value was cut and the block exceeded 4 MiB
    CHECK(ms.count() < 1000);
  }
  SECTION("too many fields") {
    std::string msg;
    for (int i = 0; i < 50; ++i) msg += "X-N: " + std::to_string(i) + "\n \tcontinued\n";
    msg += "\nbody";
    const auto b = parse_headers(msg, HeaderLimits{1u << 20, 10, 1024});
    CHECK(b.headers.size() == 10);
    CHECK(b.truncated);
    CHECK(b.problems.size() == 1);
    CHECK(msg.substr(b.body_offset) == "body");
  }
  SECTION("a long folded value") {
    std::string msg = "X-Long: a";
    for (int i = 0; i < 100; ++i) msg += "\n bbbbbbbbbb";
    msg += "\n\n";
    const auto b = parse_headers(msg, HeaderLimits{1u << 20, 100, 64});
    REQUIRE(b.headers.size() == 1);
    CHECK(b.headers[0].value.size() == 64);
    CHECK(b.truncated);
  }
}

TEST_CASE("header block: every shared sample parses cleanly", "[message][headers][corpus]") {
  const auto dir = maildiag::test::corpus_dir("headers");
  if (!dir) return;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*dir / "samples")) {
    if (entry.path().extension() != ".eml") continue;
    ++files;
    const std::string text = maildiag::test::read_file(entry.path());
    INFO(entry.path().filename().string());
    const auto b = parse_headers(text);
    CHECK(b.problems.empty());
    CHECK_FALSE(b.headers.empty());
    CHECK(b.body_offset == text.size());  // samples are header sections ending in the blank line
  }
  CHECK(files == 18);
}
