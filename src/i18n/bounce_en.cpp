// The English sentences of `maildiag bounce`.
// Ids are "bounce.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& bounce_en() {
  static const Table k{
      {"bounce.section.message", "Message"},
      {"bounce.section.recipients", "Recipients"},
      {"bounce.section.summary", "Summary"},
      {"bounce.section.by-kind", "By kind"},
      {"bounce.section.by-reason", "By reason"},
      {"bounce.section.by-domain", "By recipient domain"},
      {"bounce.row.kind", "Kind"},
      {"bounce.row.kind.read-as", "{} (read as {})"},
      {"bounce.row.reporting-mta", "Reporting MTA"},
      {"bounce.row.original-message-id", "Original Message-ID"},
      {"bounce.row.original-subject", "Original Subject"},
      {"bounce.row.original-to", "Original To"},
      {"bounce.row.messages", "Messages"},
      {"bounce.row.recipients", "Recipients"},
      {"bounce.row.hard", "Hard bounces"},
      {"bounce.row.soft", "Soft bounces / delays"},
      {"bounce.col.recipient", "Recipient"},
      {"bounce.col.code", "Code"},
      {"bounce.col.reason", "Reason"},
      {"bounce.col.hardness", "Hard/soft"},
      {"bounce.col.remote-mta", "Remote MTA"},
      {"bounce.col.kind", "Kind"},
      {"bounce.col.messages", "Messages"},
      {"bounce.col.recipients", "Recipients"},
      {"bounce.col.domain", "Domain"},
      {"bounce.hardness.hard", "hard"},
      {"bounce.hardness.soft", "soft"},
      {"bounce.hardness.delayed", "soft (delayed)"},
      {"bounce.recipient-unknown", "(recipient unknown)"},
      {"bounce.title.auto-reply", "{}: automatic reply (vacation / out of office), not a failure"},
      {"bounce.title.feedback", "{}: feedback report ({}), not a delivery failure"},
      {"bounce.title.delivered", "{}: delivered (positive delivery notification)"},
      {"bounce.title.delayed", "{}: delayed, {}"},
      {"bounce.title.hard", "{}: hard bounce, {}"},
      {"bounce.title.soft", "{}: soft bounce, {}"},
      {"bounce.detail.separator", "; "},
      {"bounce.detail.refused-at", "refused at {}"},
      {"bounce.detail.by", "by {}"},
      {"bounce.next.check-address", "Check the address {} for typos and ask the recipient for a working one; remove it from your lists if it keeps bouncing."},
      {"bounce.next.check-domain", "Check the domain for typos; run 'maildiag mx {}' to see its MX and address records."},
      {"bounce.next.probe", "Run 'maildiag probe {}' to see whether its mail servers answer on port 25; the earlier attempts failed to connect or were deferred."},
      {"bounce.next.blocked", "Check the sending IP against DNS blocklists, its reverse DNS (PTR record matching the HELO name) and the sender domain's SPF record."},
      {"bounce.next.blocked.listed", "The sending IP is listed on {}: request delisting after fixing the cause. Check the sending IP against DNS blocklists, its reverse DNS (PTR record matching the HELO name) and the sender domain's SPF record."},
      {"bounce.next.sender-auth-failed", "Fix the sender domain's authentication: SPF must list the sending IP, DKIM signing must work and align with From, DMARC must pass."},
      {"bounce.next.greylisted", "Wait: the sending server retries and greylisting then lets the message through."},
      {"bounce.not-a-bounce.title", "Not a bounce: this message carries no delivery report"},
      {"bounce.not-a-bounce.detail", "No delivery-status part, no failure notice, no auto-reply or feedback report was found."},
      {"bounce.note.dsn-no-final-recipient", "a recipient group has no Final-Recipient field"},
      {"bounce.note.dsn-too-many", "more than {} recipients; the rest was not read"},
      {"bounce.note.forwarded", "the report was forwarded inside another message; the inner report was read"},
      {"bounce.note.too-large", "the message is larger than the limit; only its start was read"},
      {"bounce.input.cut.title", "The message is longer than {} and was cut"},
      {"bounce.input.cut.detail", "Only the first {} were read; recipients or reasons after that point are missing."},
      {"bounce.input.cut.fix", "Raise --max-message-size if the message is genuine; real bounces are a few kilobytes."},
      {"bounce.input.cannot-read", "cannot read {}"},
      {"bounce.input.no-files", "no message files in {}"},
      {"bounce.input.no-such-file", "no such file or directory: {}"},
      {"bounce.summary.title", "{} message(s), {} hard and {} soft bounce(s)"},
  };
  return k;
}

}  // namespace maildiag::i18n::detail
