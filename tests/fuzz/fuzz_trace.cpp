// Fuzz target: what `maildiag headers` does after the header block parser — the streaming
// header splitter for messages and mboxes (fed in fuzz-chosen chunks, with a fuzz-chosen
// header-size limit), the Received path (build_trace, tiny and default hop limits), address
// lists with domain alignment, Authentication-Results, ARC-Authentication-Results,
// Received-SPF and DKIM-Signature tag lists.
// Invariants: no exception escapes; header sections within the limit (and flagged when cut);
// hops within max_hops, numbered 1..n; nothing read is longer than the field it came from.

#include "fuzz_support.hpp"

#include "maildiag/message/address.hpp"
#include "maildiag/message/auth.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/message/header_stream.hpp"
#include "maildiag/message/trace.hpp"

#include <string>

namespace {

using namespace maildiag;

void analyse(std::string_view headers, std::size_t max_hops) {
  const auto block = message::parse_headers(headers);
  const auto trace = message::build_trace(block, max_hops);
  FUZZ_CHECK(trace.hops.size() <= max_hops);
  for (std::size_t i = 0; i < trace.hops.size(); ++i) FUZZ_CHECK(trace.hops[i].number == static_cast<int>(i) + 1);
  if (trace.total_ms) (void)message::format_duration(*trace.total_ms);

  const auto from = message::parse_address_list(block.get("From"));
  const std::string from_domain = from.empty() ? std::string() : message::domain_of(from.front().address);
  (void)message::organizational_domain(from_domain);
  for (const char* name : {"To", "Cc", "Reply-To", "Sender", "Return-Path"}) {
    for (const auto* h : block.find_all(name)) {
      for (const auto& m : message::parse_address_list(h->value)) {
        FUZZ_CHECK(m.address.size() <= h->value.size() && m.display.size() <= h->value.size());
        (void)message::alignment(from_domain, message::domain_of(m.address));
      }
    }
  }
  for (const auto* h : block.find_all("Authentication-Results")) {
    const auto ar = message::parse_authentication_results(h->value);
    FUZZ_CHECK(ar.results.size() <= h->value.size());
    for (const auto& r : ar.results) (void)r.property("header.d");
  }
  for (const auto* h : block.find_all("ARC-Authentication-Results")) (void)message::parse_arc_authentication_results(h->value);
  for (const auto* h : block.find_all("Received-SPF")) (void)message::parse_received_spf(h->value);
  for (const auto* h : block.find_all("DKIM-Signature")) {
    const auto tags = message::parse_tag_list(h->value);
    FUZZ_CHECK(tags.tags.size() <= h->value.size());
    (void)tags.get("d");
  }
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  const std::size_t max_header = in.flag() ? in.range(1, 255) * 8 : std::size_t{4} << 20;
  const std::size_t max_hops = in.flag() ? in.range(1, 4) : 200;
  fuzz::Chunker chunks(in);
  const std::size_t total = in.rest().size();
  std::size_t messages = 0;
  message::HeaderStream stream(
      [&](const message::HeaderStream::Message& m) {
        ++messages;
        FUZZ_CHECK(m.index == messages);
        FUZZ_CHECK(m.headers.size() <= max_header);
        FUZZ_CHECK(m.headers.size() <= total);
        analyse(m.headers, max_hops);
      },
      max_header);
  while (!chunks.done()) stream.feed(chunks.next());
  stream.finish();
  FUZZ_CHECK(stream.messages() == messages);
  return 0;
}
