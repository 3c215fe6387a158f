#include "maildiag/dns/answer.hpp"
#include "maildiag/dns/wire.hpp"

#include "packet.hpp"

#include <catch2/catch.hpp>

#include <random>

using maildiag::dns::decode_answer;
using maildiag::dns::RRType;
using maildiag::dns::Status;
using maildiag::test::dns::Packet;
namespace wire = maildiag::dns::wire;

namespace {

/// example.test MX 10 mx1.example.test, MX 5 mx0.example.test (compressed against the question).
Packet::Bytes mx_packet() {
  Packet p;
  const auto q = p.question("example.test", 15);
  p.record_at(q, 15, [&](Packet& b) {
    b.u16(10);
    b.raw({3, 'm', 'x', '1'});
    b.pointer(q);
  });
  p.record_at(q, 15, [&](Packet& b) {
    b.u16(5);
    b.raw({3, 'm', 'x', '0'});
    b.pointer(q);
  });
  return p.finish();
}

}  // namespace

TEST_CASE("wire: MX answer with compressed names", "[dns][wire]") {
  const auto a = decode_answer(mx_packet(), "example.test", RRType::mx);
  REQUIRE(a.status == Status::ok);
  REQUIRE(a.mx().size() == 2);
  CHECK(a.mx()[0].preference == 5);
  CHECK(a.mx()[0].exchange == "mx0.example.test");
  CHECK(a.mx()[1].exchange == "mx1.example.test");
  CHECK(a.records[0].ttl == 300);
  CHECK_FALSE(a.authentic_data);
  CHECK(a.rcode == 0u);
}

TEST_CASE("wire: every truncation of a valid answer is malformed, never a crash", "[dns][wire]") {
  const auto full = mx_packet();
  for (std::size_t n = 0; n < full.size(); ++n) {
    const Packet::Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    std::string error;
    CHECK_FALSE(wire::Message::parse(cut, &error).has_value());
    CHECK_FALSE(error.empty());
    CHECK(decode_answer(cut, "example.test", RRType::mx).status == Status::malformed);
  }
}

TEST_CASE("wire: compression loops and forward pointers are refused", "[dns][wire]") {
  SECTION("a pointer to itself") {
    Packet p;
    const auto q = p.question("loop.test", 1);
    p.record_at(q, 5, [&](Packet& b) {
      const auto self = b.size();
      b.pointer(self);
    });
    const auto a = decode_answer(p.finish(), "loop.test", RRType::a);
    CHECK(a.status == Status::malformed);
    CHECK(a.error.find("loop") != std::string::npos);
  }
  SECTION("two pointers to each other") {
    // question name at 12 is "x" + pointer to 20, and at 20 a label + pointer back to 12
    Packet::Bytes b{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
                    1,    'x',  0xC0, 20,   0, 1, 0, 1,  // name at 12 (-> 20), type, class
                    1,    'y',  0xC0, 12};
    std::string error;
    std::size_t off = 12;
    CHECK_FALSE(wire::read_name(b, off, &error).has_value());
    CHECK(error.find("loop") != std::string::npos);
  }
  SECTION("a pointer into the header") {
    Packet::Bytes b{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 2, 0, 1, 0, 1};
    std::size_t off = 12;
    std::string error;
    CHECK_FALSE(wire::read_name(b, off, &error).has_value());
  }
}

TEST_CASE("wire: wrong counts", "[dns][wire]") {
  auto b = mx_packet();
  SECTION("more answers claimed than present") {
    b[7] = 3;
    CHECK(decode_answer(b, "example.test", RRType::mx).status == Status::malformed);
  }
  SECTION("fewer answers claimed: bytes left over") {
    b[7] = 1;
    const auto a = decode_answer(b, "example.test", RRType::mx);
    CHECK(a.status == Status::malformed);
    CHECK(a.error.find("counts") != std::string::npos);
  }
  SECTION("impossible counts are rejected before reading") {
    b[6] = 0xFF;
    b[7] = 0xFF;
    b[8] = 0xFF;
    std::string error;
    CHECK_FALSE(wire::Message::parse(b, &error).has_value());
    CHECK(error.find("do not fit") != std::string::npos);
  }
  SECTION("no question") {
    b[5] = 0;
    CHECK(decode_answer(b, "example.test", RRType::mx).status == Status::malformed);
  }
}

TEST_CASE("wire: names are escaped and bounded", "[dns][wire]") {
  Packet::Bytes b{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 'b', 2, ' ', 0xFF, 0};
  std::size_t off = 12;
  auto n = wire::read_name(b, off);
  REQUIRE(n);
  CHECK(*n == "a\\.b.\\032\\255");
  CHECK(off == b.size());

  Packet::Bytes root{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  off = 12;
  CHECK(wire::read_name(root, off) == std::string("."));

  Packet::Bytes longname(12, 0);
  for (int i = 0; i < 5; ++i) {
    longname.push_back(63);
    longname.insert(longname.end(), 63, 'a');
  }
  longname.push_back(0);
  off = 12;
  std::string error;
  CHECK_FALSE(wire::read_name(longname, off, &error));
  CHECK(error.find("255") != std::string::npos);

  Packet::Bytes ext{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0};
  off = 12;
  CHECK_FALSE(wire::read_name(ext, off, &error));
  CHECK(error.find("label type") != std::string::npos);
}

TEST_CASE("wire: RCODEs map to distinct statuses", "[dns][wire]") {
  struct Case {
    unsigned rcode;
    Status status;
  };
  const Case cases[] = {{3, Status::nxdomain}, {2, Status::servfail}, {5, Status::refused}, {1, Status::error},
                        {4, Status::error}};
  for (const auto& c : cases) {
    Packet p(c.rcode);
    p.question("x.test", 15);
    const auto a = decode_answer(p.finish(), "x.test", RRType::mx);
    CHECK(a.status == c.status);
    CHECK(a.rcode == c.rcode);
  }
  Packet empty;
  empty.question("x.test", 15);
  CHECK(decode_answer(empty.finish(), "x.test", RRType::mx).status == Status::nodata);
}

TEST_CASE("wire: EDNS extended RCODE and the AD bit", "[dns][wire]") {
  Packet p;
  p.flags3(0x20);
  p.question("x.test", 1);
  p.add_opt(1232, 1);  // extended rcode 1 << 4 = 16, BADVERS
  const auto a = decode_answer(p.finish(), "x.test", RRType::a);
  CHECK(a.rcode == 16u);
  CHECK(a.status == Status::error);
  CHECK(a.error.find("BADVERS") != std::string::npos);
  CHECK(a.authentic_data);
}

TEST_CASE("wire: CNAME chains are followed, loops refused, strangers ignored", "[dns][wire]") {
  Packet p;
  const auto q = p.question("alias.test", 1);
  std::size_t target = 0;
  p.record_at(q, 5, [&](Packet& b) { target = b.name("real.test"); });
  p.record_at(target, 1, [](Packet& b) { b.raw({192, 0, 2, 7}); });
  // an A record for an unrelated owner must not be taken as an answer
  Packet::Bytes bytes = p.finish();
  const auto a = decode_answer(bytes, "alias.test", RRType::a);
  REQUIRE(a.status == Status::ok);
  CHECK(a.cname_chain == std::vector<std::string>{"real.test"});
  REQUIRE(a.addresses().size() == 1);
  CHECK(a.addresses()[0].to_string() == "192.0.2.7");
  Packet cq;
  const auto cqn = cq.question("alias.test", 5);
  cq.record_at(cqn, 5, [](Packet& b) { b.name("real.test"); });
  const auto c = decode_answer(cq.finish(), "alias.test", RRType::cname);
  CHECK(c.names() == std::vector<std::string>{"real.test"});
  CHECK(c.cname_chain.empty());

  Packet loop;
  const auto lq = loop.question("a.test", 1);
  std::size_t b_at = 0;
  loop.record_at(lq, 5, [&](Packet& b) { b_at = b.name("b.test"); });
  loop.record_at(b_at, 5, [&](Packet& b) { b.pointer(lq); });
  const auto l = decode_answer(loop.finish(), "a.test", RRType::a);
  CHECK(l.status == Status::malformed);
  CHECK(l.error.find("loop") != std::string::npos);

  Packet stranger;
  stranger.question("mine.test", 1);
  stranger.record_named("other.test", 1, [](Packet& b) { b.raw({192, 0, 2, 9}); });
  CHECK(decode_answer(stranger.finish(), "mine.test", RRType::a).status == Status::nodata);
}

TEST_CASE("wire: question must match", "[dns][wire]") {
  const auto a = decode_answer(mx_packet(), "other.test", RRType::mx);
  CHECK(a.status == Status::malformed);
  CHECK(decode_answer(mx_packet(), "EXAMPLE.test.", RRType::mx).status == Status::ok);
  CHECK(decode_answer(mx_packet(), "example.test", RRType::a).status == Status::malformed);
}

TEST_CASE("wire: TXT, TLSA, SOA and address rdata", "[dns][wire]") {
  SECTION("TXT strings are joined per record") {
    Packet p;
    const auto q = p.question("t.test", 16);
    p.record_at(q, 16, [](Packet& b) {
      b.raw({5});
      b.raw("v=spf");
      b.raw({6});
      b.raw("1 -all");
    });
    const auto a = decode_answer(p.finish(), "t.test", RRType::txt);
    REQUIRE(a.status == Status::ok);
    CHECK(a.txt() == std::vector<std::string>{"v=spf1 -all"});
  }
  SECTION("TXT string longer than its rdata") {
    Packet p;
    const auto q = p.question("t.test", 16);
    p.record_at(q, 16, [](Packet& b) {
      b.raw({9});
      b.raw("abc");
    });
    CHECK(decode_answer(p.finish(), "t.test", RRType::txt).status == Status::malformed);
  }
  SECTION("TLSA 3 1 1") {
    Packet p;
    const auto q = p.question("_25._tcp.mx.test", 52);
    p.record_at(q, 52, [](Packet& b) {
      b.raw({3, 1, 1});
      for (int i = 0; i < 32; ++i) b.raw({static_cast<std::uint8_t>(i)});
    });
    const auto a = decode_answer(p.finish(), "_25._tcp.mx.test", RRType::tlsa);
    REQUIRE(a.status == Status::ok);
    const auto t = a.tlsa();
    REQUIRE(t.size() == 1);
    CHECK(t[0].usage == 3);
    CHECK(t[0].selector == 1);
    CHECK(t[0].matching_type == 1);
    CHECK(t[0].data_hex().substr(0, 8) == "00010203");
  }
  SECTION("TLSA too short") {
    Packet p;
    const auto q = p.question("_25._tcp.mx.test", 52);
    p.record_at(q, 52, [](Packet& b) { b.raw({3, 1}); });
    CHECK(decode_answer(p.finish(), "_25._tcp.mx.test", RRType::tlsa).status == Status::malformed);
  }
  SECTION("A with 5 bytes") {
    Packet p;
    const auto q = p.question("a.test", 1);
    p.record_at(q, 1, [](Packet& b) { b.raw({1, 2, 3, 4, 5}); });
    CHECK(decode_answer(p.finish(), "a.test", RRType::a).status == Status::malformed);
  }
  SECTION("AAAA and PTR") {
    Packet p;
    const auto q = p.question("a.test", 28);
    p.record_at(q, 28, [](Packet& b) { b.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}); });
    const auto a = decode_answer(p.finish(), "a.test", RRType::aaaa);
    REQUIRE(a.addresses().size() == 1);
    CHECK(a.addresses()[0].to_string() == "2001:db8::1");
  }
  SECTION("SOA") {
    Packet p;
    const auto q = p.question("z.test", 6);
    p.record_at(q, 6, [&](Packet& b) {
      b.name("ns.z.test");
      b.pointer(q);
      b.u32(2024010101);
      b.u32(3600);
      b.u32(600);
      b.u32(86400);
      b.u32(300);
    });
    const auto a = decode_answer(p.finish(), "z.test", RRType::soa);
    REQUIRE(a.soa());
    CHECK(a.soa()->mname == "ns.z.test");
    CHECK(a.soa()->rname == "z.test");
    CHECK(a.soa()->serial == 2024010101u);
    CHECK(a.soa()->minimum == 300u);
  }
  SECTION("MX with bytes after the name") {
    Packet p;
    const auto q = p.question("m.test", 15);
    p.record_at(q, 15, [&](Packet& b) {
      b.u16(1);
      b.pointer(q);
      b.raw({0});
    });
    CHECK(decode_answer(p.finish(), "m.test", RRType::mx).status == Status::malformed);
  }
}

TEST_CASE("wire: random corruption never crashes", "[dns][wire]") {
  const auto base = mx_packet();
  std::mt19937 rng(12345);
  std::size_t ok = 0;
  for (int i = 0; i < 20000; ++i) {
    auto b = base;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 4 == 0) b.resize(rng() % (b.size() + 8), 0xC0);
    const auto a = decode_answer(b, "example.test", RRType::mx);
    if (a.status == Status::ok) ++ok;
  }
  CHECK(ok < 20000);
}

TEST_CASE("wire: parsing with the answers' names only checks the other names the same way", "[dns][wire]") {
  // Base: the MX packet with its second record moved to the additional section and an OPT
  // record after it; then random corruption. Names::answers must accept and refuse exactly what
  // Names::all does, with the same error, the same answers and the same EDNS reading.
  Packet p;
  const auto q = p.question("example.test", 15);
  for (const char* host : {"mx1", "mx0"}) {
    p.record_at(q, 15, [&](Packet& b) {
      b.u16(10);
      b.raw({3, static_cast<std::uint8_t>(host[0]), static_cast<std::uint8_t>(host[1]), static_cast<std::uint8_t>(host[2])});
      b.pointer(q);
    });
  }
  p.add_opt(1232, 1);
  auto base = p.finish();
  REQUIRE(base[7] == 2);   // ancount: the two MX
  REQUIRE(base[11] == 1);  // arcount: the OPT
  base[7] = 1;             // one answer ...
  base[11] = 2;            // ... and two additional records (an MX and the OPT)
  {
    const auto m = wire::Message::parse(base, nullptr, wire::Message::Names::answers);
    REQUIRE(m);
    CHECK(m->answers().size() == 1);
    REQUIRE(m->additional().size() == 2);
    CHECK(m->additional()[0].name.empty());   // not kept as text
    CHECK(m->additional()[1].name == ".");    // the root is
    CHECK(m->has_opt());
    CHECK(m->rcode() == 16u);
  }
  std::mt19937 rng(4242);
  for (int i = 0; i < 20000; ++i) {
    auto b = base;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 4 == 0) b.resize(rng() % (b.size() + 8), 0xC0);
    std::string error_all, error_answers;
    const auto all = wire::Message::parse(b, &error_all);
    const auto answers = wire::Message::parse(b, &error_answers, wire::Message::Names::answers);
    INFO("case " << i);
    REQUIRE(all.has_value() == answers.has_value());
    REQUIRE(error_all == error_answers);
    if (!all) continue;
    REQUIRE(all->answers().size() == answers->answers().size());
    for (std::size_t k = 0; k < all->answers().size(); ++k) {
      CHECK(all->answers()[k].name == answers->answers()[k].name);
      CHECK(all->answers()[k].rdata_offset == answers->answers()[k].rdata_offset);
    }
    CHECK(all->rcode() == answers->rcode());
    CHECK(all->has_opt() == answers->has_opt());
  }
}
