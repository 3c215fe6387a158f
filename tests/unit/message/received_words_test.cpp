// Received: keywords and comment markers however they are written and wherever they fall.

#include "maildiag/message/header_block.hpp"
#include "maildiag/message/received.hpp"
#include "maildiag/message/trace.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace maildiag::message;

TEST_CASE("received: clause keywords in any case", "[message][received]") {
  for (const std::string value :
       {"FROM a.example.org ([192.0.2.1]) BY mx.example.net WITH ESMTPS ID abc123 FOR <x@example.net>; "
        "Mon, 1 Jan 2024 00:00:00 +0000",
        "fRoM a.example.org ([192.0.2.1]) bY mx.example.net wItH ESMTPS iD abc123 fOr <x@example.net>; "
        "Mon, 1 Jan 2024 00:00:00 +0000"}) {
    INFO(value);
    const auto r = parse_received(value);
    REQUIRE(r.has_value());
    CHECK(r->from_word == "a.example.org");
    CHECK(r->by == "mx.example.net");
    CHECK(r->protocol == "ESMTPS");
    CHECK(r->id == "abc123");
    CHECK(r->for_addr == "x@example.net");
    CHECK(r->ip == "192.0.2.1");
  }
  // Words one byte from a keyword are none: "fr0m" and "b\xd9" (0xD9 | 0x20 is no letter) stay in
  // the clause before them.
  const auto r = parse_received("from a.example.org fr0m b\xd9 by mx.example.net; Mon, 1 Jan 2024 00:00:00 +0000");
  REQUIRE(r.has_value());
  CHECK(r->from_text == "a.example.org fr0m b\xd9");
  CHECK(r->by == "mx.example.net");
}

TEST_CASE("received: the authenticated protocols name the submission", "[message][received]") {
  for (const std::string p : {"ESMTPA", "ESMTPSA", "LMTPA", "LMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "ASMTP", "HTTP",
                              "HTTPS", "HTTPU", "esmtpsa"}) {
    INFO(p);
    const auto r = parse_received("from a.example.org ([192.0.2.1]) by mx.example.net with " + p +
                                  " id x; Mon, 1 Jan 2024 00:00:00 +0000");
    REQUIRE(r.has_value());
    CHECK(r->auth == p);
  }
  for (const std::string p : {"SMTP", "ESMTP", "ESMTPS", "LMTP", "LMTPS", "UTF8SMTPS", "SMTPS", "IMAP", "LOCAL", "MAPI", "A", "H"}) {
    INFO(p);
    const auto r = parse_received("from a.example.org ([192.0.2.1]) by mx.example.net with " + p +
                                  " id x; Mon, 1 Jan 2024 00:00:00 +0000");
    REQUIRE(r.has_value());
    CHECK(r->auth.empty());
  }
}

TEST_CASE("received: comment markers are found wherever they fall in the comment", "[message][received]") {
  // The markers are searched 16 bytes at a time with a byte-wise tail: each one is moved across
  // those boundaries by a word of padding before it (mixed case, with the marker letters in it).
  for (std::size_t pad = 0; pad < 40; ++pad) {
    const std::string words = std::string(pad, 'q') + (pad % 2 == 0 ? " Tea " : " ");
    INFO("pad " << pad);
    {
      const auto r = parse_received("from a.example.org ([192.0.2.1]) by mx.example.net (" + words +
                                    "envelope-from <s@example.org>) with ESMTP id x; Mon, 1 Jan 2024 00:00:00 +0000");
      REQUIRE(r.has_value());
      CHECK(r->envelope_from == "s@example.org");
    }
    {
      const auto r = parse_received("from a.example.org ([192.0.2.1]) (" + words +
                                    "Authenticated sender: u@example.org) by mx.example.net with ESMTP id x; "
                                    "Mon, 1 Jan 2024 00:00:00 +0000");
      REQUIRE(r.has_value());
      CHECK(r->auth == "Postfix");
    }
    {
      const auto r = parse_received("from a.example.org ([192.0.2.1]) by mx.example.net (Postfix) with ESMTPS id x (" +
                                    words + "version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); "
                                    "Mon, 1 Jan 2024 00:00:00 +0000");
      REQUIRE(r.has_value());
      CHECK(r->tls.version == "TLSv1.3");
      CHECK(r->tls.cipher == "TLS_AES_256_GCM_SHA384");
    }
    // Markers at the end of a comment: in the last bytes, which the 16-byte steps leave to a
    // byte-wise tail for some of the paddings.
    {
      const auto r = parse_received("from a.example.org ([192.0.2.1]) (" + words +
                                    "AUTH: PLAIN) by mx.example.net with ESMTP id x; Mon, 1 Jan 2024 00:00:00 +0000");
      REQUIRE(r.has_value());
      CHECK(r->auth == "PLAIN");
    }
    {
      const auto r = parse_received("from a.example.org ([192.0.2.1]) by mx.example.net (" + words +
                                    "envelope-from e) with ESMTP id x; Mon, 1 Jan 2024 00:00:00 +0000");
      REQUIRE(r.has_value());
      CHECK(r->envelope_from == "e");
    }
    {
      const auto r = parse_received("from a.example.org ([192.0.2.1]) by mx.example.net (Postfix) with ESMTPS id x (" +
                                    words + "using TLSv1.2); Mon, 1 Jan 2024 00:00:00 +0000");
      REQUIRE(r.has_value());
      CHECK(r->tls.version == "TLSv1.2");
    }
  }
}

TEST_CASE("trace: Received fields are named in any case, and only those", "[message][trace]") {
  const auto block = parse_headers(
      "RECEIVED: from a.example.org ([192.0.2.1]) by b.example.org; Mon, 1 Jan 2024 00:00:03 +0000\n"
      "ReCeIvEd: from c.example.org ([192.0.2.2]) by a.example.org; Mon, 1 Jan 2024 00:00:02 +0000\n"
      "X-Received: from d.example.org ([192.0.2.3]) by c.example.org; Mon, 1 Jan 2024 00:00:01 +0000\n"
      "Received-SPF: pass\n"
      "Rece1ved: from e.example.org ([192.0.2.4]) by d.example.org; Mon, 1 Jan 2024 00:00:00 +0000\n"
      "received: from f.example.org ([192.0.2.5]) by c.example.org; Mon, 1 Jan 2024 00:00:00 +0000\n"
      "\n");
  const auto trace = build_trace(block);
  REQUIRE(trace.hops.size() == 3);
  CHECK(trace.hops[0].received.ip == "192.0.2.5");
  CHECK(trace.hops[1].received.ip == "192.0.2.2");
  CHECK(trace.hops[2].received.ip == "192.0.2.1");
}
