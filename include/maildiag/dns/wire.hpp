#pragma once
/// A bounds-checked reader for DNS messages in wire format (RFC 1035 §4). c-ares sends and
/// retries the queries; every answer is read here, so one parser — tested on crafted packets —
/// sees hostile bytes. Names are decompressed with loop protection: a compression pointer must
/// point strictly before the label that holds it, and a name may not exceed 255 octets.

#include "maildiag/dns/address.hpp"
#include "maildiag/dns/records.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace maildiag::dns::wire {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kMaxNameOctets = 255;

struct Header {
  std::uint16_t id = 0;
  bool qr = false;
  std::uint8_t opcode = 0;
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool ad = false;  ///< authentic data: the resolver claims it validated the answer (RFC 4035)
  bool cd = false;
  std::uint8_t rcode = 0;  ///< the 4 header bits; see Message::rcode() for the EDNS-extended value
  std::uint16_t qdcount = 0;
  std::uint16_t ancount = 0;
  std::uint16_t nscount = 0;
  std::uint16_t arcount = 0;
};

struct Question {
  std::string name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
};

/// A resource record's fixed part; rdata stays in the packet and is decoded on demand.
struct ResourceRecord {
  std::string name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::size_t rdata_offset = 0;
  std::uint16_t rdlength = 0;
};

/// Reads the possibly compressed name at `offset` and moves `offset` past it (past the first
/// pointer when compressed). Returns the presentation form without a trailing dot ("." for the
/// root); bytes outside letters, digits, '-', '_' and '*' are escaped as \DDD, '.' and '\' as \. \\.
std::optional<std::string> read_name(std::span<const std::uint8_t> packet, std::size_t& offset,
                                     std::string* error = nullptr);

class Message {
 public:
  /// Which records' owner names are kept as text. Every name is checked either way (same errors).
  enum class Names {
    all,
    /// questions and answers only; an authority or additional record's name is left empty ("."
    /// for the root): decode_answer reads no more, and a referral's or glue's names cost time.
    answers,
  };
  /// Parses the header, the questions and every record's fixed part. nullopt (and `error`) when
  /// the packet is shorter than its counts claim, a name is malformed, or bytes are left over.
  static std::optional<Message> parse(std::span<const std::uint8_t> packet, std::string* error = nullptr,
                                      Names names = Names::all);

  [[nodiscard]] const Header& header() const { return header_; }
  [[nodiscard]] const std::vector<Question>& questions() const { return questions_; }
  [[nodiscard]] const std::vector<ResourceRecord>& answers() const { return answers_; }
  [[nodiscard]] const std::vector<ResourceRecord>& authority() const { return authority_; }
  [[nodiscard]] const std::vector<ResourceRecord>& additional() const { return additional_; }
  /// RCODE including the EDNS extension bits when an OPT record is present (RFC 6891 §6.1.3).
  [[nodiscard]] unsigned rcode() const { return rcode_; }
  [[nodiscard]] bool has_opt() const { return has_opt_; }

  // Rdata decoders; nullopt (and `error`) when the rdata does not match its type's layout.
  std::optional<std::string> name_rdata(const ResourceRecord& rr, std::string* error = nullptr) const;  ///< PTR CNAME NS
  std::optional<Address> address_rdata(const ResourceRecord& rr, std::string* error = nullptr) const;   ///< A AAAA
  std::optional<Mx> mx_rdata(const ResourceRecord& rr, std::string* error = nullptr) const;
  /// TXT: the character-strings in order (at least one).
  std::optional<std::vector<std::string>> txt_rdata(const ResourceRecord& rr, std::string* error = nullptr) const;
  std::optional<Soa> soa_rdata(const ResourceRecord& rr, std::string* error = nullptr) const;
  std::optional<Tlsa> tlsa_rdata(const ResourceRecord& rr, std::string* error = nullptr) const;

 private:
  std::vector<std::uint8_t> packet_;
  Header header_;
  std::vector<Question> questions_;
  std::vector<ResourceRecord> answers_, authority_, additional_;
  unsigned rcode_ = 0;
  bool has_opt_ = false;
};

/// Compares two presentation-form names ignoring ASCII case and one trailing dot.
bool same_name(std::string_view a, std::string_view b);

}  // namespace maildiag::dns::wire
