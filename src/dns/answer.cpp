#include "maildiag/dns/answer.hpp"

#include "maildiag/dns/wire.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace maildiag::dns {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::nxdomain: return "nxdomain";
    case Status::nodata: return "nodata";
    case Status::servfail: return "servfail";
    case Status::refused: return "refused";
    case Status::timeout: return "timeout";
    case Status::malformed: return "malformed";
    case Status::conn_refused: return "connection-refused";
    case Status::error: return "error";
  }
  return "error";
}

std::string_view describe(Status s) {
  switch (s) {
    case Status::ok: return "answered";
    case Status::nxdomain: return "the name does not exist (NXDOMAIN)";
    case Status::nodata: return "no record of this type (NODATA)";
    case Status::servfail: return "the resolver failed to answer (SERVFAIL)";
    case Status::refused: return "the resolver refused the query (REFUSED)";
    case Status::timeout: return "no reply from the resolver (timeout)";
    case Status::malformed: return "the reply was malformed";
    case Status::conn_refused: return "the resolver's port is closed (connection refused)";
    case Status::error: return "DNS error";
  }
  return "DNS error";
}

bool is_failure(Status s) { return s != Status::ok && s != Status::nxdomain && s != Status::nodata; }

std::string rcode_name(unsigned rcode) {
  static constexpr std::array<std::string_view, 11> kNames{"NOERROR", "FORMERR",  "SERVFAIL", "NXDOMAIN",
                                                           "NOTIMP",  "REFUSED",  "YXDOMAIN", "YXRRSET",
                                                           "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < kNames.size()) return std::string(kNames[rcode]);
  if (rcode == 16) return "BADVERS";
  return fmt::format("RCODE{}", rcode);
}

std::vector<Mx> Answer::mx() const {
  std::vector<Mx> out;
  for (const auto& r : records) {
    if (const auto* m = std::get_if<Mx>(&r.data)) out.push_back(*m);
  }
  std::stable_sort(out.begin(), out.end(), [](const Mx& a, const Mx& b) {
    return a.preference != b.preference ? a.preference < b.preference : a.exchange < b.exchange;
  });
  return out;
}

std::vector<Address> Answer::addresses() const {
  std::vector<Address> out;
  for (const auto& r : records) {
    if (const auto* a = std::get_if<Address>(&r.data)) out.push_back(*a);
  }
  return out;
}

std::vector<std::string> Answer::txt() const {
  std::vector<std::string> out;
  for (const auto& r : records) {
    if (const auto* t = std::get_if<std::vector<std::string>>(&r.data)) {
      std::string joined;
      for (const auto& s : *t) joined += s;
      out.push_back(std::move(joined));
    }
  }
  return out;
}

std::vector<std::string> Answer::names() const {
  std::vector<std::string> out;
  for (const auto& r : records) {
    if (const auto* n = std::get_if<std::string>(&r.data)) out.push_back(*n);
  }
  return out;
}

std::vector<Tlsa> Answer::tlsa() const {
  std::vector<Tlsa> out;
  for (const auto& r : records) {
    if (const auto* t = std::get_if<Tlsa>(&r.data)) out.push_back(*t);
  }
  return out;
}

std::optional<Soa> Answer::soa() const {
  for (const auto& r : records) {
    if (const auto* s = std::get_if<Soa>(&r.data)) return *s;
  }
  return std::nullopt;
}

namespace {

constexpr std::size_t kMaxChain = 16;

Status status_of_rcode(unsigned rcode) {
  switch (rcode) {
    case 0: return Status::ok;
    case 2: return Status::servfail;
    case 3: return Status::nxdomain;
    case 5: return Status::refused;
    default: return Status::error;
  }
}

template <typename T>
bool store(std::optional<T> value, Record& out) {
  if (!value) return false;
  out.data = std::move(*value);
  return true;
}

bool decode_rdata(const wire::Message& m, const wire::ResourceRecord& rr, Record& out, std::string* error) {
  switch (static_cast<RRType>(rr.type)) {
    case RRType::a:
    case RRType::aaaa: return store(m.address_rdata(rr, error), out);
    case RRType::mx: return store(m.mx_rdata(rr, error), out);
    case RRType::txt: return store(m.txt_rdata(rr, error), out);
    case RRType::ptr:
    case RRType::cname:
    case RRType::ns: return store(m.name_rdata(rr, error), out);
    case RRType::soa: return store(m.soa_rdata(rr, error), out);
    case RRType::tlsa: return store(m.tlsa_rdata(rr, error), out);
    case RRType::opt: break;
  }
  return true;  // a type we do not decode: kept without data
}

/// Follows CNAMEs from qname through the answer section; returns false on a malformed CNAME.
bool follow_chain(const wire::Message& m, std::string_view qname, std::vector<std::string>& chain,
                  std::string* error) {
  std::string_view current = qname;  // then the last target, in `chain`
  for (std::size_t hop = 0; hop < kMaxChain; ++hop) {
    const wire::ResourceRecord* next = nullptr;
    for (const auto& rr : m.answers()) {
      if (rr.type == static_cast<std::uint16_t>(RRType::cname) && wire::same_name(rr.name, current)) {
        next = &rr;
        break;
      }
    }
    if (next == nullptr) return true;
    auto target = m.name_rdata(*next, error);
    if (!target) return false;
    if (std::any_of(chain.begin(), chain.end(), [&](const auto& n) { return wire::same_name(n, *target); }) ||
        wire::same_name(*target, qname)) {
      *error = "CNAME loop at " + *target;
      return false;
    }
    chain.push_back(std::move(*target));
    current = chain.back();
  }
  *error = "CNAME chain longer than 16 links";
  return false;
}

}  // namespace

Answer decode_answer(std::span<const std::uint8_t> packet, std::string_view qname, RRType qtype) {
  Answer a;
  a.qname = std::string(qname);
  a.qtype = qtype;
  auto m = wire::Message::parse(packet, &a.error, wire::Message::Names::answers);
  if (!m) {
    a.status = Status::malformed;
    return a;
  }
  const auto& h = m->header();
  a.rcode = m->rcode();
  a.authentic_data = h.ad;
  a.authoritative = h.aa;
  if (!h.qr || h.opcode != 0) {
    a.status = Status::malformed;
    a.error = "not a response to a standard query";
    return a;
  }
  if (m->questions().size() != 1 || !wire::same_name(m->questions()[0].name, qname) ||
      m->questions()[0].type != static_cast<std::uint16_t>(qtype)) {
    a.status = Status::malformed;
    a.error = "the reply's question does not match the query";
    return a;
  }
  a.status = status_of_rcode(*a.rcode);
  if (a.status == Status::error) a.error = "server answered " + rcode_name(*a.rcode);
  if (a.status != Status::ok && a.status != Status::nxdomain) return a;
  if (qtype != RRType::cname && !follow_chain(*m, qname, a.cname_chain, &a.error)) {
    a.status = Status::malformed;
    return a;
  }
  if (a.status == Status::nxdomain) return a;
  const auto owned = [&](std::string_view owner) {
    if (wire::same_name(owner, qname)) return true;
    return std::any_of(a.cname_chain.begin(), a.cname_chain.end(),
                       [&](const auto& n) { return wire::same_name(owner, n); });
  };
  for (const auto& rr : m->answers()) {
    if (rr.type != static_cast<std::uint16_t>(qtype) || !owned(rr.name)) continue;
    Record rec{rr.name, qtype, rr.ttl, {}};
    if (!decode_rdata(*m, rr, rec, &a.error)) {
      a.status = Status::malformed;
      a.records.clear();
      return a;
    }
    a.records.push_back(std::move(rec));
  }
  if (a.records.empty()) a.status = Status::nodata;
  return a;
}

}  // namespace maildiag::dns
