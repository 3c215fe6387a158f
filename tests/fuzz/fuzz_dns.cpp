// Fuzz target: DNS answers in wire format, the one parser that sees hostile DNS bytes —
// wire::Message::parse (header, questions, name decompression with loop protection, record
// fixed parts), every rdata decoder (A/AAAA, MX, TXT, TLSA, SOA, names) on every record of
// every section, and decode_answer (the answer walker: question check, RCODE, CNAME chain,
// records of the asked type) for the packet's own question and for a fixed one. The TXT
// strings found are fed to the SPF/DMARC/MTA-STS/TLS-RPT readers, as the checks do.
// Invariants: no exception escapes; names are at most 255 octets (4x escaped); decoded data
// is never larger than the packet; an ok answer has records, all of the asked type; the CNAME
// chain has at most 16 links; mx() is sorted.

#include "fuzz_support.hpp"

#include "maildiag/dns/answer.hpp"
#include "maildiag/dns/policy.hpp"
#include "maildiag/dns/spf.hpp"
#include "maildiag/dns/wire.hpp"

#include <array>
#include <span>
#include <string>
#include <variant>

namespace {

using namespace maildiag;

constexpr std::size_t kMaxPresentation = 4 * dns::wire::kMaxNameOctets + 1;

constexpr std::array<dns::RRType, 9> kTypes = {dns::RRType::mx,  dns::RRType::txt,  dns::RRType::tlsa,
                                                dns::RRType::a,   dns::RRType::aaaa, dns::RRType::ptr,
                                                dns::RRType::soa, dns::RRType::ns,   dns::RRType::cname};

void read_policies(std::string_view txt) {
  if (dns::is_spf_record(txt)) (void)dns::parse_spf(txt);
  if (dns::is_dmarc_record(txt)) (void)dns::parse_dmarc(txt);
  if (dns::is_mta_sts_record(txt)) (void)dns::parse_mta_sts(txt);
  if (dns::is_tls_rpt_record(txt)) (void)dns::parse_tls_rpt(txt);
}

void decode_all(const dns::wire::Message& m, std::size_t packet_size) {
  for (const auto* section : {&m.answers(), &m.authority(), &m.additional()}) {
    for (const auto& rr : *section) {
      FUZZ_CHECK(rr.name.size() <= kMaxPresentation);
      FUZZ_CHECK(rr.rdata_offset + rr.rdlength <= packet_size);
      if (auto n = m.name_rdata(rr)) FUZZ_CHECK(n->size() <= kMaxPresentation);
      (void)m.address_rdata(rr);
      if (auto mx = m.mx_rdata(rr)) FUZZ_CHECK(mx->exchange.size() <= kMaxPresentation);
      if (auto txt = m.txt_rdata(rr)) {
        FUZZ_CHECK(!txt->empty());
        std::string joined;
        for (const auto& s : *txt) joined += s;
        FUZZ_CHECK(joined.size() <= rr.rdlength);
        read_policies(joined);
      }
      (void)m.soa_rdata(rr);
      if (auto t = m.tlsa_rdata(rr)) {
        FUZZ_CHECK(t->data.size() <= rr.rdlength);
        (void)t->data_hex();
      }
    }
  }
}

void check_answer(const dns::Answer& a) {
  FUZZ_CHECK(a.cname_chain.size() <= 16);
  if (a.ok()) FUZZ_CHECK(!a.records.empty());
  for (const auto& r : a.records) FUZZ_CHECK(r.type == a.qtype);
  const auto mx = a.mx();
  for (std::size_t i = 1; i < mx.size(); ++i) FUZZ_CHECK(mx[i - 1].preference <= mx[i].preference);
  (void)a.addresses();
  for (const auto& t : a.txt()) read_policies(t);
  (void)a.names();
  (void)a.tlsa();
  (void)a.soa();
  (void)dns::to_string(a.status);
  (void)dns::describe(a.status);
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  const std::span<const std::uint8_t> packet(data, size);
  std::string error;
  if (const auto m = dns::wire::Message::parse(packet, &error)) {
    decode_all(*m, size);
    (void)dns::rcode_name(m->rcode());
    if (!m->questions().empty()) {
      const auto& q = m->questions().front();
      FUZZ_CHECK(q.name.size() <= kMaxPresentation);
      check_answer(dns::decode_answer(packet, q.name, static_cast<dns::RRType>(q.type)));
      for (auto t : kTypes) check_answer(dns::decode_answer(packet, q.name, t));
    }
  } else {
    FUZZ_CHECK(!error.empty());
  }
  check_answer(dns::decode_answer(packet, "mail.test", dns::RRType::mx));
  return 0;
}
