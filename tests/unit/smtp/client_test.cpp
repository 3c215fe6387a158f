// The SMTP engine on transcript files (tests/unit/smtp/data/*.txt) fed whole, byte at a time
// and split at every boundary, plus limits and hostile input.

#include "transcript_runner.hpp"

#include "maildiag/smtp/client.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

using namespace maildiag;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check(const test::TranscriptRun& run, const std::string& name, std::size_t chunk) {
  INFO(name << " chunk=" << chunk);
  for (const auto& p : run.problems) FAIL_CHECK(p);
  CHECK(run.events == run.expected);
}

/// Drains every event; returns their count (bounded: the engine must not loop).
std::size_t drain(smtp::Client& c) {
  std::size_t n = 0;
  for (; n < 1000000; ++n) {
    auto ev = c.next_event();
    if (std::holds_alternative<smtp::event::NeedData>(ev) || std::holds_alternative<smtp::event::Closed>(ev)) break;
  }
  return n;
}

smtp::Client ready_client(smtp::Limits limits = {}) {
  smtp::Client c(limits);
  c.receive("220 ok\r\n");
  drain(c);
  return c;
}

}  // namespace

TEST_CASE("smtp engine replays every transcript file whole, byte at a time and split anywhere", "[smtp]") {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::smtp_data_dir())) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    const auto text = slurp(entry.path());
    const auto name = entry.path().filename().string();
    const auto whole = test::run_transcript(text, 0);
    REQUIRE_FALSE(whole.expected.empty());
    check(whole, name, 0);
    const std::size_t biggest = test::largest_block(text);
    for (std::size_t chunk = 1; chunk <= biggest; ++chunk) check(test::run_transcript(text, chunk), name, chunk);
  }
  CHECK(files >= 15);
}

TEST_CASE("smtp engine refuses commands out of turn", "[smtp]") {
  smtp::Client c;
  SECTION("before the greeting") { CHECK(c.send(smtp::quit())); }
  SECTION("the message without DATA") {
    auto r = ready_client();
    REQUIRE(r.send(smtp::message("x")));
  }
  SECTION("a command with a line break") {
    auto r = ready_client();
    smtp::Command bad{smtp::Verb::noop, "NOOP\r\nRSET\r\n", "NOOP"};
    REQUIRE(r.send(bad));
    CHECK(r.take_output().empty());
  }
  SECTION("after QUIT") {
    auto r = ready_client();
    REQUIRE_FALSE(r.send(smtp::quit()));
    CHECK(r.send(smtp::noop()));
  }
}

TEST_CASE("smtp engine: a line over the limit is an error as soon as it arrives", "[smtp]") {
  smtp::Limits lim;
  lim.max_line = 512;
  auto c = ready_client(lim);
  REQUIRE_FALSE(c.send(smtp::noop()));
  c.receive("250 ");
  c.receive(std::string(600, 'x'));  // no newline yet: must not wait for one
  auto ev = c.next_event();
  const auto* err = std::get_if<smtp::event::ProtocolError>(&ev);
  REQUIRE(err != nullptr);
  CHECK(err->kind == smtp::ErrorKind::line_too_long);
  CHECK_THAT(err->message, Catch::Contains("512"));
  CHECK(c.state() == smtp::State::failed);
}

TEST_CASE("smtp engine: a reply with too many lines is an error", "[smtp]") {
  smtp::Limits lim;
  lim.max_lines = 10;
  auto c = ready_client(lim);
  REQUIRE_FALSE(c.send(*smtp::ehlo("x.test")));
  std::string many;
  for (int i = 0; i < 11; ++i) many += "250-LINE" + std::to_string(i) + "\r\n";
  c.receive(many);
  auto ev = c.next_event();
  const auto* err = std::get_if<smtp::event::ProtocolError>(&ev);
  REQUIRE(err != nullptr);
  CHECK(err->kind == smtp::ErrorKind::too_many_lines);
}

TEST_CASE("smtp engine: exactly at the limits is fine", "[smtp]") {
  smtp::Limits lim;
  lim.max_line = 100;
  lim.max_lines = 5;
  auto c = ready_client(lim);
  REQUIRE_FALSE(c.send(*smtp::ehlo("x.test")));
  std::string r;
  for (int i = 0; i < 4; ++i) r += "250-" + std::string(96, 'A') + "\r\n";
  r += "250 " + std::string(96, 'B') + "\r\n";
  c.receive(r);
  auto ev = c.next_event();
  const auto* rep = std::get_if<smtp::event::Reply>(&ev);
  REQUIRE(rep != nullptr);
  CHECK(rep->reply.lines.size() == 5);
}

TEST_CASE("smtp engine: the STARTTLS switch drops later plaintext", "[smtp]") {
  auto c = ready_client();
  REQUIRE_FALSE(c.send(smtp::starttls()));
  c.receive("220 go ahead\r\n");
  CHECK(std::holds_alternative<smtp::event::Reply>(c.next_event()));
  CHECK(std::holds_alternative<smtp::event::ReadyForTls>(c.next_event()));
  CHECK(c.state() == smtp::State::tls_pending);
  // Bytes read after the 220 but before the handshake (a separate segment) are refused too.
  c.receive("250 injected\r\n");
  auto ev = c.next_event();
  const auto* err = std::get_if<smtp::event::ProtocolError>(&ev);
  REQUIRE(err != nullptr);
  CHECK(err->kind == smtp::ErrorKind::data_after_starttls);
  CHECK_THAT(err->message, Catch::Contains("CVE-2021-22947"));
}

TEST_CASE("smtp engine: tls_established forgets capabilities", "[smtp]") {
  auto c = ready_client();
  REQUIRE_FALSE(c.send(*smtp::ehlo("x.test")));
  c.receive("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
  drain(c);
  CHECK(c.capabilities().pipelining);
  REQUIRE_FALSE(c.send(smtp::starttls()));
  c.receive("220 go\r\n");
  drain(c);
  c.tls_established();
  CHECK(c.tls());
  CHECK(c.capabilities().empty());
  CHECK_FALSE(c.capabilities().pipelining);
  CHECK(c.state() == smtp::State::ready);
}

TEST_CASE("smtp engine: the trace hook sees every state change", "[smtp]") {
  std::vector<std::string> trace;
  smtp::Client c;
  c.set_trace([&](std::string_view s) { trace.emplace_back(s); });
  c.receive("220 ok\r\n");
  drain(c);
  REQUIRE_FALSE(c.send(smtp::quit()));
  c.receive("221 bye\r\n");
  c.receive_eof();
  drain(c);
  CHECK(std::find(trace.begin(), trace.end(), "smtp state greeting -> ready") != trace.end());
  CHECK(std::find(trace.begin(), trace.end(), "smtp state ready -> closing") != trace.end());
  CHECK(std::find(trace.begin(), trace.end(), "smtp state closing -> closed") != trace.end());
}

TEST_CASE("smtp engine survives random bytes in random chunks", "[smtp][fuzz]") {
  std::mt19937 rng(12345);
  static constexpr char kAlphabet[] = "0123456789 -\r\n25045ABCxyz\0\x80\xff";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);  // keeps the NUL and the high bytes
  for (int round = 0; round < 2000; ++round) {
    smtp::Limits lim;
    lim.max_line = 64;
    lim.max_lines = 8;
    smtp::Client c(lim);
    std::size_t sent = 0;
    const auto len = std::uniform_int_distribution<std::size_t>(0, 600)(rng);
    std::string bytes;
    for (std::size_t i = 0; i < len; ++i) bytes += alphabet[rng() % alphabet.size()];
    std::size_t pos = 0;
    while (pos < bytes.size()) {
      const auto n = std::min<std::size_t>(1 + rng() % 40, bytes.size() - pos);
      c.receive(std::string_view(bytes).substr(pos, n));
      pos += n;
      drain(c);
      if (c.can_send(smtp::Verb::noop) && sent < 50) {
        ++sent;
        CHECK_FALSE(c.send(smtp::noop()));
      }
    }
    c.receive_eof();
    drain(c);
    CHECK(c.state() == smtp::State::closed);
  }
}

TEST_CASE("smtp engine: a long stream without a newline costs no more than the line limit", "[smtp]") {
  auto c = ready_client();
  REQUIRE_FALSE(c.send(smtp::noop()));
  const std::string mb(1 << 20, 'A');
  for (int i = 0; i < 8; ++i) c.receive(mb);
  auto ev = c.next_event();
  REQUIRE(std::holds_alternative<smtp::event::ProtocolError>(ev));
  CHECK(drain(c) == 0);
}
