// The English sentences of `maildiag probe`.
// Ids are "probe.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& probe_en() {
  static const Table k{
      // port-25 verdict (probe_verdict.cpp); "{}" is "port 25" (probe.port), capitalised at a title's start
      {"probe.port", "port {}"},
      {"probe.attempts.one", "{} attempt"},
      {"probe.attempts.many", "{} attempts"},
      {"probe.port25.not-probed.title", "{} not probed"},
      {"probe.port25.all-open.title", "{} answers on every address"},
      {"probe.port25.some-open.title", "{} answers on {} of {} addresses"},
      {"probe.port25.some-open.detail", "Senders that pick a silent address (another MX, or IPv6 when IPv4 works) wait for a timeout or fail over to the next host; mail is delayed, not lost, while one address works."},
      {"probe.port25.some-open.fix", "Start the mail server on the silent hosts or remove them (and their MX/A/AAAA records)."},
      {"probe.port25.local-firewall.title", "A firewall rule on this machine blocks outbound {}"},
      {"probe.port25.local-firewall.detail", "connect() failed with EPERM/EACCES: the packet never left this host."},
      {"probe.port25.local-firewall.fix", "Check the local firewall (nft list ruleset / iptables -S OUTPUT) for a rule on {}."},
      {"probe.port25.remote-refused.title", "Nothing listens on {} of the target"},
      {"probe.port25.remote-refused.detail", "The hosts answered with a TCP reset ({}): they are up, but no SMTP server accepts connections, or a firewall there rejects them."},
      {"probe.port25.remote-refused.fix", "Start the SMTP server (or open {} in the server's firewall) on the target hosts."},
      {"probe.port25.undetermined.title", "No answer on {} from any address of the target"},
      {"probe.port25.undetermined.detail.unresolved", "The control hosts could not be resolved, so it is unknown whether the target drops the connections or this side blocks outbound {}."},
      {"probe.port25.undetermined.detail.no-control", "No control host was probed, so it is unknown whether the target drops the connections or this side blocks outbound {}."},
      {"probe.port25.undetermined.fix", "Probe a known-good MX with --control HOST, or try from another network."},
      {"probe.port25.outbound-blocked.title", "Outbound {} looks blocked on this side (firewall or ISP)"},
      {"probe.port25.outbound-blocked.detail", "Neither the target nor any control host answered on {} ({}). Unrelated providers are not all down at once: the block is on this machine's network path. Many ISPs and cloud providers block outbound port 25 for residential and new accounts."},
      {"probe.port25.outbound-blocked.fix", "Test from another network, ask the ISP or cloud provider to lift the port-25 block, or send through a relay on port 587."},
      {"probe.port25.remote-unreachable.title", "The target's hosts are unreachable on {}"},
      {"probe.port25.remote-unreachable.detail", "Routers report no route to the target's addresses, while control hosts answer on port 25 from here: the problem is on the remote side."},
      {"probe.port25.remote-filtered.title", "The target's hosts do not answer on {} (down or filtering)"},
      {"probe.port25.remote-filtered.detail", "Connections to the target get no answer at all (SYNs dropped), while control hosts answer on port 25 from here: the problem is on the remote side."},
      {"probe.port25.remote.fix", "Check that the MX hosts are up and that their firewall admits {} from the Internet."},
      // greetings (probe_banner.cpp)
      {"probe.banner.malformed-smtp", "malformed SMTP greeting ({}): {}"},
      {"probe.banner.more-lines", "{} (+{} lines)"},
      {"probe.banner.malformed-pop3", "malformed POP3 greeting: {}"},
      {"probe.banner.malformed-imap", "malformed IMAP greeting: {}"},
      {"probe.banner.none", "no greeting"},
      {"probe.banner.not-mail", "not a mail greeting: \"{}\""},
      {"probe.banner.wrong-protocol", "{} greeting on a {} port: {}"},
      // report (probe_report.cpp): sections and columns
      {"probe.hosts.title", "Hosts"},
      {"probe.hosts.none", "(none)"},
      {"probe.ports.title", "Ports"},
      {"probe.notes.title", "Greetings and TLS"},
      {"probe.controls.title", "Control hosts (port 25)"},
      {"probe.col.pref", "Pref"},
      {"probe.col.host", "Host"},
      {"probe.col.address", "Address"},
      {"probe.col.addresses", "Addresses"},
      {"probe.col.endpoint", "Endpoint"},
      {"probe.col.result", "Result"},
      {"probe.cell.not-run", "not run"},
      // report: greetings that did not complete; "{}" at the end is probe.banner.partial or nothing
      {"probe.banner.partial", ": \"{}\""},
      {"probe.banner-silent.text", "connection accepted but no greeting within {}"},
      {"probe.banner-incomplete.text", "greeting incomplete after {} ({} bytes, a slow drip?){}"},
      {"probe.banner-closed.text.empty", "server closed the connection without a greeting{}"},
      {"probe.banner-closed.text.partial", "server closed the connection inside the greeting ({} bytes){}"},
      {"probe.banner-line-too-long.text", "greeting line longer than {} bytes{}"},
      {"probe.banner-too-many-lines.text", "greeting does not end (more than {} lines)"},
      {"probe.banner-tls-failed.text", "TLS handshake failed: {}"},
      {"probe.banner-error.text", "read error: {}"},
      {"probe.banner-silent.detail", "A mail server greets within a second or two. Clients give up after their own timeout (RFC 5321 §4.5.3.2 allows 5 minutes; many wait far less): an overloaded server, a tarpit, or a middlebox."},
      {"probe.banner-closed.detail", "Closing before the greeting usually means the server refuses this client (connection limits, access rules, postscreen) or crashed."},
      {"probe.banner-line-too-long.detail", "RFC 5321 §4.5.3.1.5 limits a reply line to 512 octets; this is broken or hostile. Reading stopped at the limit."},
      {"probe.banner-too-many-lines.detail", "A multi-line greeting must end with a \"NNN \" line; this one did not. Reading stopped at the limit."},
      // report: findings
      {"probe.banner.title", "{}: {}"},
      {"probe.banner.sentence-sep", ". "},
      {"probe.banner.listed", "Listed on {}."},
      {"probe.connect-error.title", "Cannot connect to {}"},
      {"probe.plaintext-before-tls.title", "{} sent plaintext on an implicit-TLS port"},
      {"probe.plaintext-before-tls.detail", "Bytes arrived before the TLS handshake began: the port may serve a plaintext protocol."},
      {"probe.null-mx.title", "{} publishes a null MX: it accepts no mail (RFC 7505)"},
      {"probe.dns.title.missing", "{} has no MX and no address ({})"},
      {"probe.dns.title.failed", "DNS lookup for {} failed ({})"},
      {"probe.implicit-mx.title", "{} has no MX records: its own address is used (implicit MX)"},
      {"probe.host-no-address.title", "MX host {} has no address ({})"},
      {"probe.port-silent.title", "Nothing answers on {} ({})"},
      {"probe.port-silent.detail", "No address of the target accepted a connection on this port."},
      {"probe.port-silent.fix", "Check that the service runs and listens on the public addresses, and the firewall in front of it."},
      {"probe.port-partial.title", "{} answers on {} of {} addresses"},
      {"probe.ports-closed.title", "No answer on {}"},
      {"probe.ports-closed.detail", "Normal for a host that does not offer these services."},
      {"probe.interrupted.during", "the probes to finish"},
  };
  return k;
}

}  // namespace maildiag::i18n::detail
