// Fuzz target: the Received: trace header parser (parse_received) and the IP literal helpers.
// Invariants: no exception escapes; a connecting address, when reported, is a valid IP literal
// and has a source; nothing read is longer than the header it came from.

#include "fuzz_support.hpp"

#include "maildiag/message/received.hpp"

MAILDIAG_FUZZ_TARGET {
  using namespace maildiag;
  const auto text = fuzz::as_text(data, size);
  (void)message::is_ip_literal(text);
  (void)message::is_private_ip(text);
  const auto r = message::parse_received(text);
  if (!r) return 0;
  if (!r->ip.empty()) {
    FUZZ_CHECK(message::is_ip_literal(r->ip));
    FUZZ_CHECK(r->ip_source != message::IpSource::none);
    (void)message::is_private_ip(r->ip);
  } else {
    FUZZ_CHECK(r->ip_source == message::IpSource::none);
  }
  for (const std::string_view* s : {&r->from_text, &r->by_text, &r->with_text, &r->id_text, &r->for_text,
                               &r->date_text, &r->helo, &r->rdns, &r->by, &r->software, &r->id,
                               &r->for_addr, &r->envelope_from, &r->ident, &r->tls.cipher}) {
    FUZZ_CHECK(s->size() <= text.size());
  }
  FUZZ_CHECK(r->protocol.size() <= text.size() + 16);
  (void)message::to_string(r->ip_source);
  return 0;
}
