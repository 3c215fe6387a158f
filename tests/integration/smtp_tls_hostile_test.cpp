// smtp-test TLS cases (valid via the test CA, expired, wrong name, self-signed, broken
// handshake, implicit TLS, DANE match and mismatch) and every hostile server mode: each ends
// with a clear finding and the documented exit code within its timeout.

#include "smtp_support.hpp"

using maildiag::test::at;
using maildiag::test::smtp_test;

TEST_CASE("smtp-test TLS: a valid certificate through the test CA", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = smtp_test(*tb, {at(*tb, "SMTP_PORT"), "--ca-file", tb->get("CA_FILE"), "--starttls", "require"});
  INFO(r.ids());
  CHECK(r.exit_code == 0);
  const auto& t = r.data()["tls"];
  CHECK(t["verdicts"]["chain"]["status"] == "pass");
  CHECK(t["verdicts"]["name"]["status"] == "pass");
  CHECK(r.data()["capabilities"]["starttls"] == true);
  CHECK(r.data()["capabilities_tls"]["starttls"] == false);
  CHECK(r.data()["capability_changes"]["removed"][0] == "STARTTLS");
}

TEST_CASE("smtp-test TLS: broken certificates are WARNING when opportunistic, CRITICAL when required",
          "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  struct Case {
    const char* port;
    const char* finding;
  };
  for (const auto& c : {Case{"SMTP_EXPIRED_PORT", "smtp.tls.expiry"}, Case{"SMTP_WRONGNAME_PORT", "smtp.tls.name"},
                        Case{"SMTP_SELFSIGNED_PORT", "smtp.tls.chain"}}) {
    INFO(c.port);
    auto opportunistic = smtp_test(*tb, {at(*tb, c.port), "--ca-file", tb->get("CA_FILE")});
    INFO(opportunistic.ids());
    CHECK(opportunistic.exit_code == 1);
    CHECK(opportunistic.has(c.finding, "warning"));
    auto required = smtp_test(*tb, {at(*tb, c.port), "--ca-file", tb->get("CA_FILE"), "--starttls", "require"});
    INFO(required.ids());
    CHECK(required.exit_code == 2);
    CHECK(required.has(c.finding, "critical"));
    auto noverify = smtp_test(*tb, {at(*tb, c.port), "--no-verify", "--starttls", "require"});
    INFO(noverify.ids());
    CHECK(noverify.exit_code == 0);
    CHECK(noverify.has("smtp.tls.no-verify", "info"));
  }
}

TEST_CASE("smtp-test TLS: implicit TLS (SMTPS)", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = smtp_test(*tb, {at(*tb, "SMTPS_PORT"), "--tls-on-connect", "--ca-file", tb->get("CA_FILE")});
  INFO(r.ids());
  CHECK(r.exit_code == 0);
  CHECK(r.data()["tls_mode"] == "implicit");
  CHECK(r.data()["tls"]["handshake_ok"] == true);
  CHECK(r.data()["banner"]["code"] == 220);
}

TEST_CASE("smtp-test TLS: DANE match and mismatch from the bed's TLSA records", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto match = smtp_test(*tb, {tb->get("MX1") + ":" + tb->get("SMTP_PORT"), "--ca-file", tb->get("CA_FILE"),
                               "--tlsa-name", "_25._tcp." + tb->get("MX1")});
  INFO(match.ids());
  CHECK(match.exit_code == 0);
  CHECK(match.data()["dane"]["records"].size() == 1);
  CHECK(match.data()["tls"]["verdicts"]["dane"]["status"] == "pass");
  auto mismatch = smtp_test(*tb, {tb->get("MX2") + ":" + tb->get("SMTP_PORT"), "--ca-file", tb->get("CA_FILE"),
                                  "--tlsa-name", "_25._tcp." + tb->get("MX2")});
  INFO(mismatch.ids());
  CHECK(mismatch.data()["tls"]["verdicts"]["dane"]["status"] == "fail");
  // The bed's zones are not signed: DANE senders would ignore the records, hence a warning.
  CHECK(mismatch.has("smtp.tls.dane", "warning"));
  CHECK(mismatch.exit_code == 1);
}

TEST_CASE("smtp-test hostile: every fault mode ends with a finding, an exit code, in time", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  struct Case {
    const char* port;
    const char* finding;
    int exit_code;
    const char* stage;
  };
  const Case cases[] = {
      {"HOSTILE_SMTP_SILENT_PORT", "smtp.timeout", 3, "banner"},
      {"HOSTILE_SMTP_DRIP_PORT", "smtp.timeout", 3, "banner"},
      {"HOSTILE_SMTP_GARBAGE_PORT", "smtp.protocol.malformed-line", 2, "banner"},
      {"HOSTILE_SMTP_ENDLESS_BANNER_PORT", "smtp.protocol.too-many-lines", 2, "banner"},
      {"HOSTILE_SMTP_ENDLESS_EHLO_PORT", "smtp.protocol.too-many-lines", 2, "ehlo"},
      {"HOSTILE_SMTP_LONGLINE_PORT", "smtp.protocol.line-too-long", 2, "banner"},
      {"HOSTILE_SMTP_MIDREPLY_PORT", "smtp.protocol.eof-mid-reply", 2, "ehlo"},
      {"HOSTILE_SMTP_421_PORT", "smtp.banner.rejected", 2, "banner"},
      {"HOSTILE_SMTP_554_PORT", "smtp.banner.rejected", 2, "banner"},
      // Plain text in answer to the ClientHello: the handshake fails on it.
      {"HOSTILE_STARTTLS_GARBAGE_PORT", "smtp.tls.handshake", 2, "tls"},
      {"HOSTILE_STARTTLS_INJECT_PORT", "smtp.starttls.injection", 2, "tls"},
  };
  for (const auto& c : cases) {
    auto r = smtp_test(*tb, {at(*tb, c.port)}, {}, 2);
    INFO(c.port << ": " << r.ids() << " in " << r.elapsed_ms << " ms");
    const std::string f = c.finding;
    const auto bar = f.find('|');
    CHECK((r.has(f.substr(0, bar)) || (bar != std::string::npos && r.has(f.substr(bar + 1)))));
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.data()["stage"] == c.stage);
    CHECK(r.elapsed_ms < 2000 + 1500);  // within the 2 s step timeout (plus start-up)
  }
}

TEST_CASE("smtp-test hostile: a server that answers QUIT with a reset after a 554 banner", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto r = smtp_test(*tb, {at(*tb, "HOSTILE_SMTP_554_RESET_PORT")}, {}, 2);
  INFO(r.ids());
  CHECK(r.exit_code == 2);
  CHECK(r.has("smtp.banner.rejected", "critical"));
  CHECK(r.json["findings"].size() == 1);  // the hang-up is not a second problem
  bool reset_noted = false;
  for (const auto& l : r.json["transcript"]) {
    if (l["dir"] == "error" && l["text"].get<std::string>().find("reset") != std::string::npos) reset_noted = true;
  }
  CHECK(reset_noted);
}

TEST_CASE("smtp-test hostile: --timeout-state decides what a timeout is", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto crit = smtp_test(*tb, {at(*tb, "HOSTILE_SMTP_SILENT_PORT"), "--timeout-state", "critical"}, {}, 1);
  CHECK(crit.exit_code == 2);
  CHECK(crit.has("smtp.timeout", "critical"));
  auto warn = smtp_test(*tb, {at(*tb, "HOSTILE_SMTP_SILENT_PORT"), "--connect-timeout", "0.5"}, {}, 5);
  CHECK(warn.exit_code == 3);
  CHECK(warn.elapsed_ms < 2500);
}

TEST_CASE("smtp-test: connection refused is CRITICAL, filtered follows --timeout-state", "[integration][smtp]") {
  auto tb = maildiag::test::testbed();
  if (!tb) return;
  auto refused = smtp_test(*tb, {at(*tb, "REFUSED_PORT")});
  CHECK(refused.exit_code == 2);
  CHECK(refused.has("smtp.connect", "critical"));
  CHECK(refused.data()["stage"] == "connect");
  auto filtered = smtp_test(*tb, {at(*tb, "FILTERED_PORT")}, {}, 1);
  CHECK(filtered.exit_code == 3);
  CHECK(filtered.has("smtp.connect", "unknown"));
}
