#pragma once
// Private to `maildiag headers`: what the report's parts (summary, path, authentication) share.

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/message/trace.hpp"
#include "maildiag/report/report.hpp"

#include <optional>
#include <string>

namespace maildiag::app::headers_detail {

struct Facts {
  const message::HeaderBlock& block;
  const message::Trace& trace;
  std::string from_domain;                 ///< domain of the From: address (lower case)
  std::string return_path_domain;          ///< domain of Return-Path
  std::optional<std::int64_t> date_ms;     ///< Date: as parsed
  std::optional<std::size_t> entry;        ///< index (oldest first) of the newest hop from a public address:
                                           ///< where the receiver's network took the message, seen by it
  std::optional<std::size_t> origin;       ///< oldest public hop reached from `entry` through a chain in which
                                           ///< each header was written by the host the next hop saw
  std::optional<std::size_t> broken_at;    ///< hops [0, broken_at] hang below a break in that chain
};

/// A catalog sentence as a std::string (what report::Report::add and the sections take).
using i18n::text;

/// Decides entry, origin and broken_at.
void locate_origin(Facts& f);

/// The hop table, per-hop findings (forged HELO, crafted header, TLS, clock skew, bottleneck),
/// the origin and the transit time; fills data["hops"], data["origin"], data["transit_ms"].
void add_path(report::Report& r, const Facts& f);

/// Authentication-Results (trusted ones only), Received-SPF, DKIM-Signature, ARC and DMARC
/// alignment of the From: domain; fills data["authentication"].
void add_authentication(report::Report& r, const Facts& f);

/// "helo (rdns) [ip]" for people.
std::string describe_peer(const message::Received& rc);

/// The TLS a hop states or implies ("TLSv1.3 TLS_AES_256_GCM_SHA384", "yes (ESMTPS)"), or "".
std::string describe_tls(const message::Received& rc);

}  // namespace maildiag::app::headers_detail
