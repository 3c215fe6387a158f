// Test helpers for diagnose's verdict: a healthy path's facts and a classified server reply.
#pragma once

#include "maildiag/app/diagnose_verdict.hpp"

#include <catch2/catch.hpp>

namespace maildiag::test {

// An address whose domain resolves, whose MX answers, with verified TLS: every scenario starts here.
inline app::DiagnoseFacts healthy_facts() {
  app::DiagnoseFacts f;
  f.address = "alice@mail.test";
  f.domain = "mail.test";
  f.reach = app::ReachFact::open;
  f.smtp_attempted = true;
  f.smtp_host = "mx1.mail.test";
  f.tls = app::TlsFact::ok;
  return f;
}

inline codes::Classification classified_reply(const char* text) {
  auto r = codes::parse_reply(text);
  REQUIRE(r);
  return codes::classify(*r);
}

}  // namespace maildiag::test
