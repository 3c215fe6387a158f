#include "maildiag/message/received.hpp"
#include "maildiag/message/trace.hpp"

#include "jsonl.hpp"
#include "received_corpus.hpp"

#include <catch2/catch.hpp>

#include "maildiag/util/text.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>

using namespace maildiag::message;
using maildiag::test::expect_eq;
using maildiag::test::Mismatches;
using nlohmann::json;

namespace {

/// spamscope/mail-parser: raw clause text; equals/contains/present/exact/raises.
Mismatches check_spamscope(const json& c) {
  Mismatches m;
  const auto& e = c["expected"];
  if (c["kind"] == "received_chain") {
    const auto trace = build_trace(parse_headers(c["input"].get<std::string>()));
    expect_eq(m, "hops", std::to_string(e["len"].get<int>()), std::to_string(trace.hops.size()));
    return m;
  }
  if (c["kind"] == "header_block") {  // get_server_ipaddress(trust): the from-IP of the hop `trust` received
    const auto block = parse_headers(c["input"].get<std::string>());
    for (const auto& [trust, want] : e["server_ip_for_trust"].items()) {
      std::string got = "null";
      const std::string t(maildiag::util::trim(trust));
      for (const auto* h : block.find_all("received")) {
        if (t.empty() || h->value.find(t) == std::string::npos) continue;
        const auto r = parse_received(h->value);
        if (r && !r->ip.empty() && !is_private_ip(r->ip)) got = r->ip;
        break;
      }
      const std::string w = want.is_null() ? "null" : want.get<std::string>();
      if (w == "NOT_NULL") {
        if (got == "null") m.push_back("server_ip(" + trust + "): want an address, got none");
      } else {
        expect_eq(m, "server_ip(" + trust + ")", w, got);
      }
    }
    return m;
  }
  const auto r = parse_received(c["input"].get<std::string>());
  if (e.contains("raises")) {
    if (r) m.push_back("parse: want a failure, maildiag parsed it");
    return m;
  }
  if (!r) return {"parse: nothing parsed"};
  const std::map<std::string, std::string_view> fields = {
      {"from", r->from_text}, {"by", r->by_text},     {"with", r->with_text},
      {"id", r->id_text},     {"for", r->for_text},   {"via", r->via_text},
      {"date", r->date_text}, {"envelope_from", r->envelope_from}, {"envelope_sender", r->envelope_from}};
  auto get = [&](const std::string& k) { return std::string(fields.count(k) ? fields.at(k) : std::string_view("?")); };
  if (e.contains("equals")) {
    for (const auto& [k, v] : e["equals"].items()) expect_eq(m, k, v.get<std::string>(), get(k));
  }
  if (e.contains("contains")) {
    for (const auto& [k, subs] : e["contains"].items()) {
      for (const auto& s : subs) {
        if (get(k).find(s.get<std::string>()) == std::string::npos) m.push_back(k + ": '" + get(k) + "' lacks '" + s.get<std::string>() + "'");
      }
    }
  }
  if (e.contains("present")) {
    for (const auto& k : e["present"]) {
      if (get(k.get<std::string>()).empty()) m.push_back(k.get<std::string>() + ": absent");
    }
  }
  if (e.value("exact", false)) {
    for (const auto& k : {"from", "by", "with", "id", "for", "via", "date"}) {
      if (!e["equals"].contains(k) && !get(k).empty()) m.push_back(std::string(k) + ": unexpected '" + get(k) + "'");
    }
  }
  return m;
}

std::string unangle(std::string s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

/// mailauth: from.value and the client IP it is willing to trust (false = cannot tell safely).
Mismatches check_mailauth(const json& c) {
  Mismatches m;
  const auto r = parse_received(c["input"].get<std::string>());
  if (!r) return {"parse: nothing parsed"};
  const auto& e = c["expected"];
  if (e.contains("from.value")) expect_eq(m, "from.value", e["from.value"].get<std::string>(), r->from_word);
  if (e.contains("client_ip")) {
    const std::string want = e["client_ip"].is_boolean() ? "false" : e["client_ip"].get<std::string>();
    const bool trusted = r->ip_source == IpSource::tcp_info && !r->ambiguous;
    expect_eq(m, "client_ip", want, trusted ? r->ip : "false");
  }
  // Full parses: values only; mailauth's per-clause comment strings are its own presentation.
  auto value = [&](const char* key, std::string_view got) {
    if (e.contains(key) && e[key].is_object() && e[key].contains("value") && !e[key]["value"].get<std::string>().empty()) {
      expect_eq(m, key, unangle(e[key]["value"].get<std::string>()), got);
    }
  };
  value("from", r->from_word);
  value("by", r->by);
  value("with", r->protocol);
  value("id", r->id);
  value("for", r->for_addr);
  value("envelope-from", r->envelope_from);
  if (e.contains("timestamp")) expect_eq(m, "timestamp", e["timestamp"].get<std::string>(), r->date_text);
  return m;
}

Mismatches check_emil(const json& c) {
  Mismatches m;
  const auto r = parse_received(c["input"].get<std::string>());
  if (!r) return {"parse: nothing parsed"};
  const auto& e = c["expected"];
  if (e.contains("id")) expect_eq(m, "id", e["id"].get<std::string>(), r->id);
  if (e.value("id_present", false) && r->id.empty()) m.push_back("id: absent");
  if (e.contains("date_utc")) expect_eq(m, "date", e["date_utc"].get<std::string>(), r->date ? format_utc(r->date->epoch) : "none");
  return m;
}

Mismatches check_mha_chain(const json& c) {
  Mismatches m;
  const auto trace = build_trace(parse_headers(c["input"].get<std::string>()));
  const auto& e = c["expected"];
  if (e.contains("hops_oldest_first")) expect_eq(m, "hops", std::to_string(e["hops_oldest_first"].get<int>()), std::to_string(trace.hops.size()));
  if (e.contains("total_delay")) {
    // MHA rounds to whole seconds after subtracting millisecond times.
    const auto want = maildiag::test::mha_duration_ms(e["total_delay"].get<std::string>());
    expect_eq(m, "total", std::to_string(want / 1000), trace.total_ms ? std::to_string(*trace.total_ms / 1000) : "none");
  }
  if (e.contains("received_hops_oldest_first")) {
    const auto& hops = e["received_hops_oldest_first"];
    expect_eq(m, "hops", std::to_string(hops.size()), std::to_string(trace.hops.size()));
    for (std::size_t i = 0; i < hops.size() && i < trace.hops.size(); ++i) {
      json one = {{"input", trace.hops[i].raw}, {"expected", hops[i]}};
      for (auto& x : maildiag::test::check_mha(one)) m.push_back("hop " + std::to_string(i + 1) + " " + x);
    }
  }
  return m;
}

Mismatches check(const json& c) {
  const std::string suite = c["suite"].get<std::string>();
  const std::string kind = c["kind"].get<std::string>();
  if (suite == "spamassassin-rcvd_parser") return maildiag::test::check_spamassassin(c);
  if (suite == "spamassassin-trust_path") return maildiag::test::check_trust_chain(c);
  if (suite == "stalwart-mail-parser") return maildiag::test::check_stalwart(c);
  if (suite == "mha") return kind == "received" ? maildiag::test::check_mha(c) : check_mha_chain(c);
  if (suite == "spamscope-mail-parser") return check_spamscope(c);
  if (suite == "mailauth") return check_mailauth(c);
  if (suite == "emil") return check_emil(c);
  return {"unknown suite " + suite};
}

/// Cases where maildiag reads the header differently from one suite, by corpus line number "n".
const std::map<int, std::string>& divergences() {
  static const std::map<int, std::string> d = [] {
    std::map<int, std::string> m;
    auto add = [&](std::initializer_list<int> ns, const char* why) {
      for (int n : ns) m[n] = why;
    };
    add({7, 29, 30, 31, 40, 126},
        "stalwart cuts tokens at '/' (its notes flag the ids); SpamAssassin and MHA keep them whole, so does maildiag");
    add({51, 65, 66, 87, 88, 98, 117, 120, 121, 127, 130, 152},
        "stalwart keeps qmail 'user@ip' / sendmail 'user@host' whole as the ident and reads no address from it; "
        "maildiag splits them as SpamAssassin does (ident = user, the address is the connecting IP)");
    add({14, 90, 91, 118, 119, 129},
        "stalwart's expected dates are impossible (years 1903/1910, second 211): it misreads 2-digit years and "
        "ctime order; RFC 5322 4.3 maps 00-49 to 20xx and 50-99 to 19xx");
    add({68, 164}, "stalwart ignores PST/PDT (offset 0); RFC 5322 4.3 defines PST as -0800 and PDT as -0700");
    add({145}, "stalwart drops the seconds when a fraction follows ('07:53:55.516'); maildiag keeps 55.516");
    add({70}, "no ';' before the date: stalwart gives up, maildiag (like MHA) finds the trailing date");
    add({44}, "Exim 3 writes 'rdns (helo) [ip.port]': SpamAssassin and maildiag read rDNS, HELO and IP from it");
    add({79, 81}, "IPv4-mapped IPv6 addresses are folded to IPv4 (as SpamAssassin does) so private/public checks work");
    add({82}, "'[63.251.66.24.63559]' is Exim 3's address.port; SpamAssassin and maildiag read the address");
    add({149}, "IPv6 addresses are kept as written, not canonicalised");
    add({150}, "Gmail API's 'HTTPREST' is kept as written rather than folded into HTTP");
    add({124}, "'by alpha by uid 7791': qmail-scanner's second 'by' names a uid, not a host; the first is kept");
    add({166, 172},
        "stalwart takes 'from' out of a comment ('invoked from network', 'from userid 1002'); these are local "
        "injections without a from clause");
    add({227},
        "SpamAssassin leaves the HELO empty for ecelerity '[ip] ([ip:port])' yet writes '!ip!' for '[ip] by' "
        "elsewhere; maildiag keeps the literal as the HELO in both");
    add({272}, "Yahoo 'from IP (EHLO ) (IP)': SpamAssassin reports the IP as rDNS; no name was looked up");
    add({305}, "GMX '(mp033) with SMTP': SpamAssassin knows GMX authenticates; the header itself does not say so");
    add({349, 350, 351, 352},
        "SpamAssassin turns X-Originating-IP into a pseudo relay; maildiag shows X-Originating-IP as a summary "
        "line, not as a hop");
    add({376}, "MHA puts a comment-only value into 'by'; there is no by clause in '(qmail ... invoked from network)'");
    add({387, 388}, "MHA reuses line 389's input with a mocked clock; maildiag agrees with 389");
    return m;
  }();
  return d;
}

}  // namespace

TEST_CASE("received corpus: public suites agree with maildiag", "[message][received][corpus]") {
  const auto cases = maildiag::test::header_cases("received_cases.jsonl");
  if (cases.empty()) return;
  std::map<std::string, std::array<int, 3>> per_suite;  // agree, documented divergence, total
  for (const auto& c : cases) {
    if (c["suite"] == "spamassassin-authres") {
      // Which Authentication-Results to believe depends on SpamAssassin's trusted_networks
      // configuration; maildiag's rule (results added by the final receiver only) is tested in
      // the headers app tests instead.
      WARN("skipped spamassassin-authres n=" << c["n"] << ": needs SpamAssassin's network configuration");
      continue;
    }
    const auto m = check(c);
    auto& s = per_suite[c["suite"].get<std::string>()];
    ++s[2];
    if (m.empty()) {
      ++s[0];
      continue;
    }
    std::string detail;
    for (const auto& x : m) detail += x + " | ";
    INFO("case n=" << c["n"] << " " << c["suite"].get<std::string>() << ": " << detail);
    const bool known = divergences().count(c["n"].get<int>()) != 0;
    CHECK(known);
    if (known) ++s[1];
  }
  int agree = 0;
  int total = 0;
  for (const auto& [suite, s] : per_suite) {
    WARN(suite << ": " << s[0] << "/" << s[2] << " agree, " << s[1] << " documented divergences");
    agree += s[0];
    total += s[2];
  }
  WARN("received corpus: " << agree << "/" << total << " agree");
  CHECK(total >= 490);  // every case of the file but the skipped one ran
}

TEST_CASE("received: parsed fields outlive the input and survive copies and moves", "[message][received]") {
  // The fields are views: into the block's storage, the trace's store or parse_received's copy.
  // ASan catches a view into bytes that are gone; the values show that nothing was overwritten.
  Trace trace;
  HeaderBlock block_copy;
  std::optional<Received> standalone;
  {
    std::string msg =
        "Received: from  b   (b.example [10.0.0.1])  by   c.example with  esmtp-tls ;  Wed, 8 Mar 2017 11:49:30 -0500\r\n"
        "Received: from a.example (a.example [192.0.2.1])\r\n\tby mx.example.org (Postfix) with ESMTPS id ABC\r\n"
        "\tfor <u@example.org>; Wed, 8 Mar 2017 11:48:30 -0500\r\nSubject: one\r\n two\r\n\r\nbody";
    const auto block = parse_headers(msg);
    msg.assign(msg.size(), 'X');
    block_copy = block;
    trace = build_trace(block);
    std::string value = "from q (q.example [192.0.2.9]) by  r.example  with  SMTP; Thu, 9 Mar 2017 01:00:00 +0000";
    standalone = parse_received(value);
    value.assign(value.size(), 'Y');
  }
  REQUIRE(block_copy.headers.size() == 3);
  CHECK(block_copy.get("subject") == "one two");
  const Trace moved = std::move(trace);
  REQUIRE(moved.hops.size() == 2);
  const Received& oldest = moved.hops[0].received;
  CHECK(moved.hops[0].raw.substr(0, 16) == "from a.example (");
  CHECK(oldest.by_text == "mx.example.org (Postfix)");
  CHECK(oldest.ip == "192.0.2.1");
  CHECK(oldest.for_addr == "u@example.org");
  const Received newest = moved.hops[1].received;  // a copy shares the store
  CHECK(newest.from_text == "b (b.example [10.0.0.1])");  // collapsed: a copy in the store
  CHECK(newest.protocol == "ESMTPS");
  CHECK(newest.date_text == "Wed, 8 Mar 2017 11:49:30 -0500");
  REQUIRE(standalone);
  CHECK(standalone->by_text == "r.example");
  CHECK(standalone->ip == "192.0.2.9");

  // A block built by hand views the caller's bytes: the trace copies them.
  HeaderBlock by_hand;
  {
    std::string value = "from h.example (h.example [192.0.2.7]) by k.example with ESMTP; Thu, 9 Mar 2017 01:00:00 +0000";
    by_hand.headers.push_back({"Received", value, 1});
    trace = build_trace(by_hand);
    value.assign(value.size(), 'Z');
  }
  REQUIRE(trace.hops.size() == 1);
  CHECK(trace.hops[0].received.ip == "192.0.2.7");
  CHECK(trace.hops[0].raw.substr(0, 4) == "from");
}
