#pragma once
/// The queue ID a server names in its reply to the end of DATA, so the admin can grep the mail
/// log for it (`maildiag log --id QUEUEID`). Formats of the servers seen in the wild:
///   Postfix   "250 2.0.0 Ok: queued as 12BDBE6FEE9"
///   Exim      "250 OK id=1abcDE-000123-Xy"
///   Sendmail  "250 2.0.0 x9KJ1a2b003456 Message accepted for delivery" (OpenSMTPD alike)
///   Exchange  "250 2.6.0 <guid@host> [InternalId=...] Queued mail for delivery"
///   Gmail     "250 2.0.0 OK  1234567890 a1si12345abc.12 - gsmtp"
///   qmail     "250 ok 1234567890 qp 12345"
///   Haraka    "250 Message Queued (F0B9A1C2-...-D5.1)"
/// Pure; the reply text is untrusted, so the ID is bounded to printable characters.

#include "maildiag/codes/reply.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::smtp {

struct QueueId {
  std::string id;
  std::string_view software;  ///< "postfix", "exim", "sendmail", "exchange", "gmail", "qmail", "haraka", "generic"
};

std::optional<QueueId> extract_queue_id(const codes::Reply& reply);
/// The same on reply text alone (after the code and any enhanced code).
std::optional<QueueId> extract_queue_id(std::string_view text);

}  // namespace maildiag::smtp
