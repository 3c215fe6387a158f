#include "maildiag/dns/wire.hpp"

#include "maildiag/util/text.hpp"

#include <fmt/format.h>

namespace maildiag::dns::wire {

namespace {

std::uint16_t u16(std::span<const std::uint8_t> p, std::size_t at) {
  return static_cast<std::uint16_t>((p[at] << 8) | p[at + 1]);
}

std::uint32_t u32(std::span<const std::uint8_t> p, std::size_t at) {
  return (std::uint32_t{p[at]} << 24) | (std::uint32_t{p[at + 1]} << 16) | (std::uint32_t{p[at + 2]} << 8) |
         std::uint32_t{p[at + 3]};
}

template <typename T>
std::optional<T> fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return std::nullopt;
}

/// The presentation form of a name being read: at most 255 octets, each written as up to four
/// characters (\DDD), so a fixed buffer holds any name and the string is made once at the end.
class NameText {
 public:
  void append_label(std::span<const std::uint8_t> label) {
    if (size_ > 0) buf_[size_++] = '.';
    for (const std::uint8_t c : label) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '_' || c == '*';
      if (plain) {
        buf_[size_++] = static_cast<char>(c);
      } else if (c == '.' || c == '\\') {
        buf_[size_++] = '\\';
        buf_[size_++] = static_cast<char>(c);
      } else {
        buf_[size_++] = '\\';
        buf_[size_++] = static_cast<char>('0' + c / 100);
        buf_[size_++] = static_cast<char>('0' + c / 10 % 10);
        buf_[size_++] = static_cast<char>('0' + c % 10);
      }
    }
  }
  [[nodiscard]] std::string str() const { return size_ == 0 ? std::string(".") : std::string(buf_, size_); }

 private:
  char buf_[4 * kMaxNameOctets + 4];
  std::size_t size_ = 0;
};

/// Keeps no text: for names that are checked but not needed (only whether it is the root).
struct NoText {
  bool root = true;
  void append_label(std::span<const std::uint8_t>) { root = false; }
  [[nodiscard]] std::string str() const { return root ? std::string(".") : std::string(); }
};

/// Walks the possibly compressed name at `offset` (read_name's checks, in its order, with its
/// messages), giving each label to `text`; moves `offset` past the name. False on a bad name.
template <class Text>
bool walk_name(std::span<const std::uint8_t> p, std::size_t& offset, Text& text, std::string* error) {
  const auto bad = [&](std::string message) {
    if (error != nullptr) *error = std::move(message);
    return false;
  };
  std::size_t pos = offset;
  std::size_t limit = offset;  // a pointer must target strictly before the segment it was found in
  std::size_t octets = 0;
  bool jumped = false;
  while (true) {
    if (pos >= p.size()) return bad("name runs past the end of the message");
    const std::uint8_t len = p[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= p.size()) return bad("truncated compression pointer");
      const std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | p[pos + 1];
      if (target >= limit)
        return bad(fmt::format("compression pointer at offset {} to {} does not point backwards (loop)", pos, target));
      if (target < kHeaderSize) return bad("compression pointer into the header");
      if (!jumped) offset = pos + 2;
      jumped = true;
      pos = target;
      limit = target;
      continue;
    }
    if ((len & 0xC0) != 0) return bad(fmt::format("unsupported label type 0x{:02x}", len));
    octets += std::size_t{len} + 1;
    if (octets > kMaxNameOctets) return bad("name longer than 255 octets");
    if (len == 0) {
      if (!jumped) offset = pos + 1;
      return true;
    }
    if (pos + 1 + len > p.size()) return bad("label runs past the end of the message");
    text.append_label(p.subspan(pos + 1, len));
    pos += 1 + std::size_t{len};
  }
}

}  // namespace

std::optional<std::string> read_name(std::span<const std::uint8_t> p, std::size_t& offset, std::string* error) {
  NameText text;
  if (!walk_name(p, offset, text, error)) return std::nullopt;
  return text.str();
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() > 1 && a.back() == '.') a.remove_suffix(1);
  if (b.size() > 1 && b.back() == '.') b.remove_suffix(1);
  return util::iequals(a, b);  // bytes first: a reply repeats the name as asked
}

namespace {

/// `Text`: NameText for the records' names as text, NoText to check them only.
template <class Text>
bool read_records(std::span<const std::uint8_t> p, std::size_t& pos, std::uint16_t count,
                  std::vector<ResourceRecord>& out, std::string* error) {
  out.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    ResourceRecord rr;
    const std::size_t name_at = pos;
    Text name;
    if (!walk_name(p, pos, name, error)) return false;
    rr.name = name.str();
    if (pos + 10 > p.size()) {
      if (error != nullptr) *error = "record header runs past the end of the message";
      return false;
    }
    rr.type = u16(p, pos);
    rr.klass = u16(p, pos + 2);
    rr.ttl = u32(p, pos + 4);
    rr.rdlength = u16(p, pos + 8);
    pos += 10;
    if (pos + rr.rdlength > p.size()) {
      if (error != nullptr) {
        std::size_t at = name_at;  // the name as text for the message, also when Text kept none
        NameText text;
        walk_name(p, at, text, nullptr);
        *error = fmt::format("rdata of {} record runs past the end of the message", text.str());
      }
      return false;
    }
    rr.rdata_offset = pos;
    pos += rr.rdlength;
    out.push_back(std::move(rr));
  }
  return true;
}

}  // namespace

std::optional<Message> Message::parse(std::span<const std::uint8_t> p, std::string* error, Names names) {
  if (p.size() < kHeaderSize) return fail<Message>(error, fmt::format("message of {} bytes is shorter than a header", p.size()));
  Message m;
  auto& h = m.header_;
  h.id = u16(p, 0);
  h.qr = (p[2] & 0x80) != 0;
  h.opcode = static_cast<std::uint8_t>((p[2] >> 3) & 0x0F);
  h.aa = (p[2] & 0x04) != 0;
  h.tc = (p[2] & 0x02) != 0;
  h.rd = (p[2] & 0x01) != 0;
  h.ra = (p[3] & 0x80) != 0;
  h.ad = (p[3] & 0x20) != 0;
  h.cd = (p[3] & 0x10) != 0;
  h.rcode = static_cast<std::uint8_t>(p[3] & 0x0F);
  h.qdcount = u16(p, 4);
  h.ancount = u16(p, 6);
  h.nscount = u16(p, 8);
  h.arcount = u16(p, 10);
  // Each question takes at least 5 bytes and each record 11: reject impossible counts before
  // reserving anything for them.
  const std::size_t min_size = kHeaderSize + std::size_t{h.qdcount} * 5 +
                               (std::size_t{h.ancount} + h.nscount + h.arcount) * 11;
  if (min_size > p.size())
    return fail<Message>(error, fmt::format("counts ({} questions, {} records) do not fit in {} bytes", h.qdcount,
                                            std::size_t{h.ancount} + h.nscount + h.arcount, p.size()));
  std::size_t pos = kHeaderSize;
  m.questions_.reserve(h.qdcount);
  for (std::uint16_t i = 0; i < h.qdcount; ++i) {
    auto name = read_name(p, pos, error);
    if (!name) return std::nullopt;
    if (pos + 4 > p.size()) return fail<Message>(error, "question runs past the end of the message");
    m.questions_.push_back(Question{std::move(*name), u16(p, pos), u16(p, pos + 2)});
    pos += 4;
  }
  const bool all_names = names == Names::all;
  if (!read_records<NameText>(p, pos, h.ancount, m.answers_, error) ||
      !(all_names ? read_records<NameText>(p, pos, h.nscount, m.authority_, error)
                  : read_records<NoText>(p, pos, h.nscount, m.authority_, error)) ||
      !(all_names ? read_records<NameText>(p, pos, h.arcount, m.additional_, error)
                  : read_records<NoText>(p, pos, h.arcount, m.additional_, error)))
    return std::nullopt;
  if (pos != p.size())
    return fail<Message>(error, fmt::format("{} bytes after the last record: the counts are wrong", p.size() - pos));
  m.rcode_ = h.rcode;
  for (const auto& rr : m.additional_) {
    if (rr.type != static_cast<std::uint16_t>(RRType::opt)) continue;
    if (m.has_opt_) return fail<Message>(error, "more than one OPT record");
    if (rr.name != ".") return fail<Message>(error, "OPT record with an owner name other than the root");
    m.has_opt_ = true;
    m.rcode_ = ((rr.ttl >> 24) << 4) | h.rcode;
  }
  m.packet_.assign(p.begin(), p.end());
  return m;
}

std::optional<std::string> Message::name_rdata(const ResourceRecord& rr, std::string* error) const {
  std::size_t pos = rr.rdata_offset;
  const std::size_t end = rr.rdata_offset + rr.rdlength;
  auto name = read_name(std::span(packet_).first(end), pos, error);
  if (!name) return std::nullopt;
  if (pos != end) return fail<std::string>(error, fmt::format("{} bytes after the name in the rdata", end - pos));
  return name;
}

std::optional<Address> Message::address_rdata(const ResourceRecord& rr, std::string* error) const {
  const auto* d = packet_.data() + rr.rdata_offset;
  if (rr.type == static_cast<std::uint16_t>(RRType::a) && rr.rdlength == 4) return Address::v4({d[0], d[1], d[2], d[3]});
  if (rr.type == static_cast<std::uint16_t>(RRType::aaaa) && rr.rdlength == 16) {
    std::array<std::uint8_t, 16> b{};
    std::copy(d, d + 16, b.begin());
    return Address::v6(b);
  }
  return fail<Address>(error, fmt::format("address rdata of {} bytes for type {}", rr.rdlength, rr.type));
}

std::optional<Mx> Message::mx_rdata(const ResourceRecord& rr, std::string* error) const {
  if (rr.rdlength < 3) return fail<Mx>(error, "MX rdata shorter than 3 bytes");
  Mx mx;
  mx.preference = u16(packet_, rr.rdata_offset);
  std::size_t pos = rr.rdata_offset + 2;
  const std::size_t end = rr.rdata_offset + rr.rdlength;
  auto name = read_name(std::span(packet_).first(end), pos, error);
  if (!name) return std::nullopt;
  if (pos != end) return fail<Mx>(error, "bytes after the exchange name in MX rdata");
  mx.exchange = std::move(*name);
  return mx;
}

std::optional<std::vector<std::string>> Message::txt_rdata(const ResourceRecord& rr, std::string* error) const {
  if (rr.rdlength == 0) return fail<std::vector<std::string>>(error, "empty TXT rdata");
  std::vector<std::string> out;
  std::size_t pos = rr.rdata_offset;
  const std::size_t end = rr.rdata_offset + rr.rdlength;
  while (pos < end) {
    const std::size_t len = packet_[pos];
    if (pos + 1 + len > end) return fail<std::vector<std::string>>(error, "TXT character-string runs past its rdata");
    out.emplace_back(reinterpret_cast<const char*>(packet_.data() + pos + 1), len);
    pos += 1 + len;
  }
  return out;
}

std::optional<Soa> Message::soa_rdata(const ResourceRecord& rr, std::string* error) const {
  std::size_t pos = rr.rdata_offset;
  const std::size_t end = rr.rdata_offset + rr.rdlength;
  const auto bounded = std::span(packet_).first(end);
  Soa soa;
  auto mname = read_name(bounded, pos, error);
  if (!mname) return std::nullopt;
  auto rname = read_name(bounded, pos, error);
  if (!rname) return std::nullopt;
  if (pos + 20 != end) return fail<Soa>(error, "SOA rdata does not end with five 32-bit fields");
  soa.mname = std::move(*mname);
  soa.rname = std::move(*rname);
  soa.serial = u32(packet_, pos);
  soa.refresh = u32(packet_, pos + 4);
  soa.retry = u32(packet_, pos + 8);
  soa.expire = u32(packet_, pos + 12);
  soa.minimum = u32(packet_, pos + 16);
  return soa;
}

std::optional<Tlsa> Message::tlsa_rdata(const ResourceRecord& rr, std::string* error) const {
  if (rr.rdlength < 4) return fail<Tlsa>(error, "TLSA rdata shorter than 4 bytes");
  const auto* d = packet_.data() + rr.rdata_offset;
  Tlsa t;
  t.usage = d[0];
  t.selector = d[1];
  t.matching_type = d[2];
  t.data.assign(d + 3, d + rr.rdlength);
  return t;
}

}  // namespace maildiag::dns::wire
