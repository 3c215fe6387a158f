// smtp-test policy, part 3: the open-relay probe and MAIL/RCPT/DATA — pipelined (RFC 2920) when
// the server offers it, one command per round trip otherwise — with a verdict per recipient.

#include "maildiag/app/smtp_dialog.hpp"

#include "maildiag/dns/idn.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/smtp/data.hpp"
#include "maildiag/smtp/test_message.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

namespace maildiag::app {

namespace {

using report::Severity;

constexpr std::size_t kMaxDataFile = 64u << 20;

std::string evidence(const codes::Reply& r) { return util::sanitize(r.wire(), 1500); }


/// Why a recipient was not judged: English in `note` (the JSON), the id for the text view.
void set_note(RcptResult& rr, std::string_view english, std::string_view id) {
  rr.note = english;
  rr.note_id = id;
}

std::string make_token() {
  std::random_device rd;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  return fmt::format("md-{:x}-{:08x}", secs, rd());
}

Severity severity_of(const codes::Reply& r) {
  if (r.reply_class() == 2 || r.reply_class() == 3) return Severity::ok;
  return r.reply_class() == 4 ? Severity::warning : Severity::critical;
}

}  // namespace

std::string rcpt_verdict_text(smtp::RcptVerdict verdict) {
  return std::string(i18n::msg_or("smtp.verdict." + std::string(smtp::to_string(verdict)), smtp::describe(verdict)));
}

std::string wire_address(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  const auto local = address.substr(0, at);
  const auto domain = address.substr(at + 1);
  // An IDN domain goes out as A-labels; only a non-ASCII local part really needs SMTPUTF8.
  if (smtp::needs_smtputf8(local) || !smtp::needs_smtputf8(domain)) return std::string(address);
  if (auto d = dns::normalize_domain(domain)) return std::string(local) + "@" + d->ascii;
  return std::string(address);
}

bool SmtpDialog::relay_probe() {
  f_.stage = "rcpt";
  RcptResult rr;
  rr.address = opt_.relay_to;
  rr.relay_probe = true;
  auto mail = smtp::mail_from(opt_.relay_from);
  auto rcpt = smtp::rcpt_to(opt_.relay_to);
  if (!mail || !rcpt || s_.send(*mail)) return false;
  auto mr = reply("the reply to MAIL FROM (relay test)");
  if (!mr) return false;
  if (mr->reply.reply_class() != 2) {
    set_note(rr, "MAIL FROM refused", "smtp.note.mail-refused");
    f_.rcpts.push_back(rr);
    rep_.add(Severity::warning, "smtp.relay.inconclusive",
             i18n::format("smtp.relay.inconclusive.mail.title", {util::sanitize(opt_.relay_from, 200)}), {},
             evidence(mr->reply), i18n::text("smtp.relay.inconclusive.mail.fix"));
  } else {
    if (s_.send(*rcpt)) return false;
    auto r = reply("the reply to RCPT TO (relay test)");
    if (!r) return false;
    rr.reply = r->reply;
    rr.classification = codes::classify(r->reply);
    rr.verdict = smtp::rcpt_verdict(*rr.classification);
    f_.rcpts.push_back(rr);
    const auto shown = fmt::format("<{}> -> <{}>", util::sanitize(opt_.relay_from, 200), util::sanitize(opt_.relay_to, 200));
    if (rr.verdict == smtp::RcptVerdict::accepted) {
      f_.relay_open = true;
      rep_.add(Severity::critical, "smtp.relay.open", i18n::text("smtp.relay.open.title"),
               i18n::format("smtp.relay.open.detail", {shown}), evidence(r->reply), i18n::text("smtp.relay.open.fix"));
    } else if (r->reply.reply_class() == 5) {
      f_.relay_open = false;
      rep_.add(Severity::ok, "smtp.relay.closed", i18n::text("smtp.relay.closed.title"),
               i18n::format("smtp.relay.closed.detail", {shown}), evidence(r->reply));
    } else {
      rep_.add(Severity::warning, "smtp.relay.inconclusive", i18n::text("smtp.relay.inconclusive.rcpt.title"),
               i18n::format("smtp.relay.inconclusive.rcpt.detail", {shown}), evidence(r->reply),
               i18n::text("smtp.relay.inconclusive.rcpt.fix"));
    }
  }
  if (s_.send(smtp::rset())) return false;
  return reply("the reply to RSET").has_value();
}

bool SmtpDialog::transaction() {
  if (opt_.to.empty()) return true;
  f_.stage = "mail";
  const auto& caps = f_.caps_tls ? *f_.caps_tls : f_.caps;
  const bool want_data = opt_.data && final_stage(opt_) == SmtpStage::data;

  // The message first: MAIL FROM carries its SIZE.
  std::string content;
  if (want_data) {
    f_.token = make_token();
    if (opt_.data_file) {
      std::ifstream in(*opt_.data_file, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      content = ss.str().substr(0, kMaxDataFile);
    } else {
      smtp::TestMessageSpec spec;
      spec.from = opt_.from.empty() ? std::string("maildiag@invalid") : opt_.from;
      spec.to = opt_.to;
      spec.token = f_.token;
      spec.id_domain = helo_name_.empty() || helo_name_.front() == '[' ? std::string("maildiag.invalid") : helo_name_;
      spec.unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      spec.headers = opt_.headers;
      spec.body = opt_.body.value_or(std::string());
      content = smtp::compose_test_message(spec);
      f_.message_id = "<" + f_.token + "@" + spec.id_domain + ">";
    }
  }
  const auto encoded = smtp::encode_message(content);
  f_.message_bytes = encoded.bytes;

  // Envelope parameters, only those the server offers.
  const std::string from = wire_address(opt_.from);
  smtp::MailParams mp;
  bool utf8 = smtp::needs_smtputf8(from);
  std::vector<std::string> to;
  for (const auto& t : opt_.to) {
    to.push_back(wire_address(t));
    utf8 = utf8 || smtp::needs_smtputf8(to.back());
  }
  if (utf8 && !caps.smtputf8) {
    rep_.add(Severity::critical, "smtp.smtputf8.missing", i18n::text("smtp.smtputf8.missing.title"),
             i18n::text("smtp.smtputf8.missing.detail"), {}, i18n::text("smtp.smtputf8.missing.fix"));
  }
  if (utf8 && caps.smtputf8) mp.smtputf8 = true;
  if (want_data && caps.size) mp.size = encoded.bytes;
  if (want_data && encoded.eight_bit && caps.eightbitmime) mp.body = "8BITMIME";
  const bool dsn_asked = !opt_.notify.empty() || opt_.ret || opt_.envid;
  if (dsn_asked && !caps.dsn)
    rep_.add(Severity::warning, "smtp.dsn.missing", i18n::text("smtp.dsn.missing.title"), i18n::text("smtp.dsn.missing.detail"));
  if (caps.dsn && want_data) {
    mp.ret = opt_.ret;
    mp.envid = opt_.envid;
  }
  if (smtp::needs_smtputf8(from) && !caps.smtputf8) {
    settle_pending_auth();
    s_.quit();
    return false;
  }
  smtp::CommandError err;
  auto mail = smtp::mail_from(from, mp, &err);
  if (!mail) return false;

  // RCPT commands; addresses the server cannot take are not sent.
  std::vector<std::size_t> sent_index;
  std::vector<smtp::Command> rcpts;
  for (std::size_t i = 0; i < to.size(); ++i) {
    RcptResult rr;
    rr.address = opt_.to[i];
    if (smtp::needs_smtputf8(to[i]) && !caps.smtputf8) {
      set_note(rr, "not sent: needs SMTPUTF8, which the server does not offer", "smtp.note.needs-smtputf8");
      f_.rcpts.push_back(rr);
      continue;
    }
    smtp::RcptParams rp;
    if (caps.dsn && want_data) {
      rp.notify = opt_.notify;
      if (!opt_.notify.empty() || opt_.ret || opt_.envid) rp.orcpt = to[i];
    }
    auto cmd = smtp::rcpt_to(to[i], rp, &err);
    if (!cmd) return false;
    sent_index.push_back(f_.rcpts.size());
    f_.rcpts.push_back(rr);
    rcpts.push_back(*cmd);
  }
  if (rcpts.empty()) {
    settle_pending_auth();
    s_.quit();
    return false;
  }
  const bool pipelined = opt_.pipelining && caps.pipelining;
  if (!pipelined && !settle_pending_auth()) {
    s_.quit();
    return false;
  }
  return pipelined ? pipelined_envelope(*mail, rcpts, sent_index, want_data, content)
                   : stepwise_envelope(*mail, rcpts, sent_index, want_data, content);
}

bool SmtpDialog::mail_result(const codes::Reply& r) {
  f_.mail_reply = r;
  if (r.code == 250) return true;
  const auto c = codes::classify(r);
  const bool deferred = r.reply_class() == 4;
  rep_.add(severity_of(r), deferred ? "smtp.mail.deferred" : "smtp.mail.rejected",
           i18n::format(deferred ? "smtp.mail.deferred.title" : "smtp.mail.rejected.title",
                        {util::sanitize(opt_.from, 200), std::to_string(r.code)}),
           std::string(codes::info(c.reason).description), evidence(r), c.remediation);
  return false;
}

void SmtpDialog::rcpt_result(RcptResult& rr, const codes::Reply& r, bool mail_ok) {
  rr.reply = r;
  if (!mail_ok) {
    set_note(rr, "MAIL FROM was not accepted", "smtp.note.mail-not-accepted");
    return;
  }
  rr.classification = codes::classify(r);
  rr.verdict = smtp::rcpt_verdict(*rr.classification);
  if (rr.verdict == smtp::RcptVerdict::accepted) return;
  rep_.add(severity_of(r), "smtp.rcpt." + std::string(smtp::to_string(rr.verdict)),
           i18n::format("smtp.rcpt.title", {util::sanitize(rr.address, 200), rcpt_verdict_text(rr.verdict),
                                            std::to_string(r.code)}),
           std::string(codes::info(rr.classification->reason).description), evidence(r),
           rr.classification->remediation);
}

}  // namespace maildiag::app

namespace maildiag::app {

bool SmtpDialog::pipelined_envelope(const smtp::Command& mail, const std::vector<smtp::Command>& rcpts,
                                    const std::vector<std::size_t>& index, bool want_data, const std::string& content) {
  // One group: MAIL, every RCPT and DATA (RFC 2920 §3.1); the replies come back in order.
  if (s_.send(mail, false)) return false;
  for (const auto& r : rcpts) {
    if (s_.send(r, false)) return false;
  }
  if (want_data && s_.send(smtp::data(), false)) return false;
  if (!s_.flush()) return false;
  bool auth_ok = true;
  if (auth_pending_) {
    auth_pending_ = false;
    auto ar = reply("the reply to AUTH");
    if (!ar) return false;
    auth_ok = auth_result(ar->reply, {});
  }
  if (!auth_ok) return drain_after_failed_auth(rcpts.size(), index, want_data);
  auto mr = reply("the reply to MAIL FROM");
  if (!mr) return false;
  const bool mail_ok = mail_result(mr->reply);
  f_.stage = "rcpt";
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    auto r = reply("the reply to RCPT TO");
    if (!r) return false;
    rcpt_result(f_.rcpts[index[i]], r->reply, mail_ok);
    if (f_.rcpts[index[i]].verdict == smtp::RcptVerdict::accepted) ++accepted;
  }
  if (!mail_ok) {
    if (want_data) reply("the reply to DATA");  // owed; refused since MAIL was
    f_.stage = "mail";
    s_.quit();
    return false;
  }
  if (!want_data) {
    s_.quit();
    return true;
  }
  f_.stage = "data";
  auto dr = reply("the reply to DATA");
  if (!dr) return false;
  return data_phase(dr->reply, accepted, content, true);
}

bool SmtpDialog::drain_after_failed_auth(std::size_t rcpts, const std::vector<std::size_t>& index, bool want_data) {
  // The rest of the group was sent unauthenticated: read the replies owed, judge none of them.
  f_.stage = "auth";
  const std::size_t owed = 1 + rcpts + (want_data ? 1 : 0);
  bool data_open = false;
  for (std::size_t i = 0; i < owed; ++i) {
    auto r = reply("the replies after the failed AUTH");
    if (!r) return false;
    data_open = r->verb == smtp::Verb::data && r->reply.code == 354;
  }
  for (auto i : index) set_note(f_.rcpts[i], "not judged: AUTH failed", "smtp.note.auth-failed");
  if (data_open) {
    // Never send a message the user did not authenticate for: drop the connection instead of the
    // content (the server discards an unfinished DATA).
    s_.info("AUTH failed but DATA was accepted: closing without sending the message");
    s_.close();
    return false;
  }
  s_.quit();
  return false;
}

bool SmtpDialog::stepwise_envelope(const smtp::Command& mail, const std::vector<smtp::Command>& rcpts,
                                   const std::vector<std::size_t>& index, bool want_data, const std::string& content) {
  if (s_.send(mail)) return false;
  auto mr = reply("the reply to MAIL FROM");
  if (!mr) return false;
  if (!mail_result(mr->reply)) {
    for (auto i : index) set_note(f_.rcpts[i], "not sent: MAIL FROM was not accepted", "smtp.note.mail-not-sent");
    s_.quit();
    return false;
  }
  f_.stage = "rcpt";
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    if (s_.send(rcpts[i])) return false;
    auto r = reply("the reply to RCPT TO");
    if (!r) return false;
    rcpt_result(f_.rcpts[index[i]], r->reply, true);
    if (f_.rcpts[index[i]].verdict == smtp::RcptVerdict::accepted) ++accepted;
  }
  if (!want_data || accepted == 0) {
    s_.quit();
    return !want_data;
  }
  f_.stage = "data";
  if (s_.send(smtp::data())) return false;
  auto dr = reply("the reply to DATA");
  if (!dr) return false;
  return data_phase(dr->reply, accepted, content, false);
}

bool SmtpDialog::data_phase(const codes::Reply& data_reply, std::size_t accepted, const std::string& content,
                            bool pipelined) {
  f_.data_reply = data_reply;
  if (data_reply.code != 354) {
    // With every recipient refused a pipelined DATA is expected to fail; the RCPT findings say why.
    if (accepted > 0) {
      const auto c = codes::classify(data_reply);
      rep_.add(severity_of(data_reply), "smtp.data.refused",
               i18n::format("smtp.data.refused.title", {std::to_string(data_reply.code)}),
               std::string(codes::info(c.reason).description), evidence(data_reply), c.remediation);
    }
    s_.quit();
    return false;
  }
  // RFC 2920 §3.1: DATA accepted although no recipient was: send an empty message (just the dot).
  const auto body = smtp::message(accepted > 0 ? std::string_view(content) : std::string_view());
  if (pipelined) {
    if (s_.send(body, false) || s_.send(smtp::quit(), false) || !s_.flush()) return false;
  } else if (s_.send(body)) {
    return false;
  }
  auto r = reply("the reply to the end of the message");
  if (!r) return false;
  f_.message_reply = r->reply;
  if (r->reply.code == 250 && accepted > 0) {
    f_.queue_id = smtp::extract_queue_id(r->reply);
    const std::string queue_id = f_.queue_id ? util::sanitize(f_.queue_id->id, 128) : std::string();
    rep_.add(Severity::ok, "smtp.data.accepted",
             f_.queue_id ? i18n::format("smtp.data.accepted.title.queued", {queue_id})
                         : i18n::text("smtp.data.accepted.title"),
             f_.token.empty() ? std::string() : i18n::format("smtp.data.accepted.detail", {f_.token, f_.message_id}),
             evidence(r->reply),
             f_.queue_id ? i18n::format("smtp.data.accepted.fix", {queue_id}) : std::string());
  } else if (r->reply.code != 250) {
    const auto c = codes::classify(r->reply);
    rep_.add(severity_of(r->reply), "smtp.data.rejected",
             i18n::format("smtp.data.rejected.title", {std::to_string(r->reply.code)}),
             std::string(codes::info(c.reason).description), evidence(r->reply), c.remediation);
  }
  s_.quit();
  return r->reply.code == 250;
}

}  // namespace maildiag::app
