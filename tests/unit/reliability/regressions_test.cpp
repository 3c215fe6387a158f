// One test per fuzzing finding (docs/reliability.md, "Findings"): the input that exposed it, in
// a readable form, and the behaviour now expected. The raw fuzz inputs are replayed as well
// (tests/fuzz/regressions/, ctest fuzz_replay.*).

#include "maildiag/message/header_block.hpp"

#include <catch2/catch.hpp>

#include <string>

using maildiag::message::parse_headers;

TEST_CASE("regression F1: stray continuation lines do not grow the problem list without bound",
          "[reliability][regression][message]") {
  // 200 000 lines of " x" before any field: each used to add one sentence (2 million sentences,
  // hundreds of MiB, for a 4 MiB header block).
  std::string block;
  for (int i = 0; i < 200'000; ++i) block += " x\n";
  block += "Subject: after the noise\n\nbody\n";
  const auto b = parse_headers(block);
  CHECK(b.problems.size() <= 100);
  CHECK_FALSE(b.problems.empty());
  CHECK(b.problems.front().find("line 1 ") != std::string::npos);
  REQUIRE(b.headers.size() == 1);
  CHECK(b.headers.front().name == "Subject");
  CHECK(b.get("subject") == "after the noise");
}
