#pragma once
/// One mail-log line read as an event: the common shape the Postfix, Sendmail, Exim and Dovecot
/// readers produce, and the story tracker and the summary consume. Every view points into the
/// caller's line (no allocation per line).

#include "maildiag/codes/classify.hpp"
#include "maildiag/log/syslog.hpp"

#include <string_view>

namespace maildiag::log {

enum class Source { postfix, sendmail, exim, dovecot };
std::string_view to_string(Source s);

enum class EventKind {
  none,          ///< not a line we read (or not a mail line at all)
  connect,       ///< a client connected: client
  disconnect,    ///< the client's session ended: client, detail (Postfix command counters)
  tls,           ///< TLS established: stage = trust ("Anonymous", "Verified"...), client, detail
  tls_failed,    ///< a TLS handshake or TLS library failure: client (when known), text
  auth_failed,   ///< authentication refused: client, stage = mechanism/service, user, text
  login,         ///< a successful IMAP/POP3 login (Dovecot): client, stage = service, user, detail
  received,      ///< the server accepted a message: client, user (SASL), from, size, message_id, detail (TLS)
  reject,        ///< refused at SMTP time: stage (RCPT, MAIL, DATA, CONNECT, header...), client, text, from, to
  message_id,    ///< the Message-ID recorded for a queue id
  queued,        ///< in the queue manager: from, size, nrcpt
  delivery,      ///< one recipient's delivery attempt: to, orig_to, relay, delay, delays, dsn, status, text
  ndr,           ///< a bounce or DSN was created for this message: related = the new message's id
  expired,       ///< the queue gave up (maximal_queue_lifetime): from, text
  removed,       ///< the message left the queue; stage "postsuper" when an admin deleted it
  held,          ///< put on hold (postsuper -h, a "hold" action, Exim frozen): text
  released,      ///< released from hold / thawed
  note,          ///< anything else tied to a queue id (warnings, lost connections to next hops)
};

/// Outcome of one delivery attempt, from status=/stat=/the Exim marker.
enum class DeliveryStatus { none, sent, deferred, bounced, expired, other };
std::string_view to_string(DeliveryStatus s);

struct Event {
  Source source = Source::postfix;
  EventKind kind = EventKind::none;
  std::string_view queue_id;   ///< empty for NOQUEUE and session lines
  std::string_view client;     ///< "host[addr]" / "host [addr]" as logged
  std::string_view user;       ///< SASL / login user
  std::string_view stage;      ///< see EventKind
  std::string_view from;
  std::string_view to;
  std::string_view orig_to;
  std::string_view relay;
  std::string_view message_id;
  std::string_view size;
  std::string_view nrcpt;
  std::string_view delay;      ///< total delay, seconds ("0.52") or Sendmail "00:00:02"
  std::string_view delays;     ///< Postfix "a/b/c/d"
  std::string_view dsn;        ///< enhanced status code
  DeliveryStatus status = DeliveryStatus::none;
  std::string_view text;       ///< the server's reply / reason / warning
  std::string_view related;    ///< another message's id: an NDR child, a parent, "queued as" at the next hop
  std::string_view detail;     ///< TLS protocol and cipher, counters, transport

  void clear() { *this = Event{}; }
};

/// Reads a line already split by parse_syslog into ev. Returns false when no reader knows it
/// (ev.kind stays none). Chooses the reader from the program name (or the Exim mainlog format).
bool parse_event(const SyslogLine& line, Event& ev);

/// The remote server's words inside a delivery status or delay reason:
/// "host mx.example.org[192.0.2.20] said: 550 5.1.1 <x>: User unknown (in reply to RCPT TO command)"
/// -> host "mx.example.org[192.0.2.20]", reply "550 5.1.1 <x>: User unknown", command "RCPT TO".
/// Exim's "SMTP error from remote mail server after RCPT TO:<x>: 550 ..." is read too. Text without
/// a quoted reply comes back whole as `reply` with host and command empty.
struct RemoteReply {
  std::string_view host;
  std::string_view reply;
  std::string_view command;
};
RemoteReply remote_reply(std::string_view text);

/// A status text, delay reason or reject reply from a log or queue, explained by the shared
/// classifier: the remote reply inside it (see remote_reply) with the dsn= code when given.
codes::Classification classify_reason(std::string_view text, std::string_view dsn = {});

/// A domain of an address ("alice@Example.COM" -> "Example.COM"), empty when there is none.
std::string_view domain_of(std::string_view address);
/// The "addr" of "host[addr]", "host [addr]:port" or "[addr]:port"; the input when no brackets.
std::string_view client_address(std::string_view client);

}  // namespace maildiag::log
