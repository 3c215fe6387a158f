// maildiag diagnose: DNS -> reachability -> SMTP up to RCPT, then one verdict.

#include "maildiag/app/diagnose.hpp"

#include "maildiag/app/mx.hpp"
#include "maildiag/app/probe.hpp"
#include "maildiag/app/resolver_config.hpp"
#include "maildiag/app/smtp_test.hpp"
#include "maildiag/bounce/bounce.hpp"
#include "maildiag/dns/mail.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/interrupt.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace maildiag::app {

namespace {

using report::Severity;
using i18n::format;


struct Steps {
  DiagnoseFacts facts;
  std::vector<std::string> unroutable_mx;  ///< DnsFact::no_route: the exchangers, to word the fact again
  std::optional<report::Report> dns;
  std::optional<report::Report> reach;
  std::optional<report::Report> smtp;
};

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.front() == '-') return false;
  for (char ch : d) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 && std::isalnum(c) == 0 && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// ---- step 1: DNS -------------------------------------------------------------------------

std::string no_route_detail(const std::vector<std::string>& mx_names) {
  return mx_names.empty() ? i18n::text("diagnose.no-route.no-mx") : format("diagnose.no-route.mx", {util::sanitize(mx_names.front(), 255)});
}

void dns_step(const DiagnoseOptions& o, Steps& s) {
  MxOptions mo;
  mo.common = o.common;
  mo.allow_private = o.allow_private;
  auto reports = run_mx({s.facts.domain}, mo);
  if (!reports.empty()) s.dns = std::move(reports.front());

  std::string err;
  auto cfg = resolver_config(o.common, &err);
  if (!cfg) {
    s.facts.dns = DnsFact::dns_failure;
    s.facts.dns_detail = err;
    return;
  }
  dns::Families fam;
  fam.v4 = o.common.family != Family::v6;
  fam.v6 = o.common.family != Family::v4;
  const auto mx = dns::resolve_mx_hosts(*cfg, s.facts.domain, fam, o.common.timeout);
  if (mx.null_mx) {
    s.facts.dns = DnsFact::null_mx;
  } else if (mx.status == dns::Status::nxdomain) {
    s.facts.dns = DnsFact::nxdomain;
  } else if (mx.status != dns::Status::ok && mx.status != dns::Status::nodata) {
    s.facts.dns = DnsFact::dns_failure;
    s.facts.dns_detail = mx.error.empty() ? std::string(dns::to_string(mx.status)) : mx.error;
  } else if (!mx.routable()) {
    s.facts.dns = DnsFact::no_route;
    for (const auto& h : mx.hosts) s.unroutable_mx.push_back(h.name);
    s.facts.dns_detail = no_route_detail(s.unroutable_mx);
  } else {
    s.facts.dns = mx.implicit ? DnsFact::implicit_mx : DnsFact::ok;
  }
}

// ---- step 2: reachability of port 25 -----------------------------------------------------

ReachFact reach_of(std::string_view verdict) {
  if (verdict == "all-open" || verdict == "some-open") return ReachFact::open;
  if (verdict == "outbound-blocked" || verdict == "local-firewall") return ReachFact::outbound_blocked;
  if (verdict == "remote-refused") return ReachFact::remote_refused;
  if (verdict == "remote-filtered") return ReachFact::remote_filtered;
  if (verdict == "remote-unreachable") return ReachFact::remote_unreachable;
  if (verdict == "undetermined") return ReachFact::undetermined;
  return ReachFact::not_probed;
}

void reach_step(const DiagnoseOptions& o, Steps& s) {
  ProbeOptions po;
  po.targets = {s.facts.domain};
  po.ports = {PortSpec{o.port, Protocol::smtp}};
  po.reading = TargetReading::mx;
  if (o.controls) po.controls = *o.controls;
  po.source = o.source;
  po.ca_file = o.ca_file;
  po.no_verify = o.no_verify;
  std::string err;
  auto reports = run_probe(po, o.common, &err);
  if (!reports || reports->empty()) {
    s.facts.reach = ReachFact::undetermined;
    s.facts.reach_detail = err;
    return;
  }
  s.reach = std::move(reports->front());
  const auto& p25 = s.reach->data.value("port25", nlohmann::json::object());
  s.facts.reach = reach_of(p25.value("verdict", std::string("not-probed")));
  s.facts.reach_detail = p25.value("title", std::string());
}

// ---- step 3: SMTP up to RCPT -------------------------------------------------------------

bool failed(const report::Finding& f) { return f.severity == Severity::warning || f.severity == Severity::critical; }

/// Which TLS problem names the root cause when several fail at once (an expired certificate
/// usually fails the chain check too): DANE, then expiry, trust, name, the handshake itself.
int tls_rank(TlsFact t) {
  switch (t) {
    case TlsFact::dane_mismatch: return 5;
    case TlsFact::cert_expired: return 4;
    case TlsFact::cert_untrusted: return 3;
    case TlsFact::cert_name_mismatch: return 2;
    case TlsFact::handshake_failed: return 1;
    case TlsFact::ok:
    case TlsFact::not_tried:
    case TlsFact::not_offered: return 0;
  }
  return 0;
}

/// A TLS finding's own detail, without the sentence smtp-test appends about opportunistic TLS or
/// unvalidated TLSA records (the verdict says that in its own words).
std::string core_detail(const report::Finding& fd) {
  std::string d = fd.detail.empty() ? fd.title : fd.detail;
  for (const char* appendix : {" STARTTLS between MTAs is opportunistic", " The TLSA records were not DNSSEC-validated"}) {
    const auto at = d.find(appendix);
    if (at != std::string::npos) d.resize(at);
  }
  // The same sentences in the user's language (smtp-test's catalog ids; English is cut above).
  for (const char* id : {"smtp.tls.opportunistic.note", "smtp.tls.dane-unvalidated.note"}) {
    const std::string_view appendix = i18n::msg_or(id, "");
    const auto at = appendix.empty() ? std::string::npos : d.find(appendix);
    if (at != std::string::npos) d.resize(at);
  }
  return d;
}

/// Whether smtp-test's expiry verdict says "expired": its JSON reason is English in every
/// language, the finding's words are not.
bool expiry_says_expired(const report::Report& r) {
  const auto& tls = r.data.value("tls", nlohmann::json());
  if (!tls.is_object() || !tls.contains("verdicts") || !tls["verdicts"].is_object()) return false;
  const auto& e = tls["verdicts"].value("expiry", nlohmann::json());
  return e.is_object() && util::icontains(e.value("reason", std::string()), "expired");
}

void tls_facts(const report::Report& r, DiagnoseFacts& f) {
  f.tls = r.data.contains("tls") && !r.data["tls"].is_null() ? TlsFact::ok : TlsFact::not_tried;
  const bool english = i18n::language() == i18n::Lang::en;
  for (const auto& fd : r.findings) {
    if (fd.id == "smtp.starttls.missing") f.tls = TlsFact::not_offered;
    if (!failed(fd)) continue;
    TlsFact t = TlsFact::ok;
    if (fd.id == "smtp.tls.handshake" || fd.id == "smtp.starttls.refused") t = TlsFact::handshake_failed;
    else if (fd.id == "smtp.tls.dane" && fd.severity == Severity::critical) t = TlsFact::dane_mismatch;
    else if (fd.id == "smtp.tls.expiry" &&
             (util::icontains(fd.detail + fd.title, "expired") || (!english && expiry_says_expired(r))))
      t = TlsFact::cert_expired;
    else if (fd.id == "smtp.tls.name") t = TlsFact::cert_name_mismatch;
    else if (fd.id == "smtp.tls.chain") t = TlsFact::cert_untrusted;
    if (tls_rank(t) > tls_rank(f.tls)) {
      f.tls = t;
      f.tls_detail = util::sanitize(core_detail(fd), 300);
    }
  }
}

std::optional<codes::Classification> classification_of(const nlohmann::json& reply) {
  if (!reply.is_object()) return std::nullopt;
  const auto text = reply.value("text", std::string());
  const int code = reply.value("code", 0);
  auto parsed = codes::parse_reply(std::to_string(code) + " " + text);
  if (!parsed) return std::nullopt;
  return codes::classify(*parsed);
}

/// The reply's first line as sent ("550 5.1.1 <bob@...>: ..."), enhanced code included.
std::string reply_line(const nlohmann::json& reply) {
  if (!reply.is_object()) return {};
  const auto& lines = reply.value("lines", nlohmann::json::array());
  const std::string first = lines.is_array() && !lines.empty() && lines[0].is_string() ? lines[0].get<std::string>()
                                                                                     : reply.value("text", std::string());
  return std::to_string(reply.value("code", 0)) + " " + first;
}

void smtp_step(const DiagnoseOptions& o, Steps& s) {
  SmtpTestOptions so;
  so.mx_domain = s.facts.domain;
  so.port = o.port;
  so.from = o.from;
  so.helo = o.helo;
  if (!s.facts.address.empty()) so.to = {s.facts.address};
  so.quit_after = s.facts.address.empty() ? SmtpStage::tls : SmtpStage::rcpt;
  so.ca_file = o.ca_file;
  so.no_verify = o.no_verify;
  so.source = o.source;
  so.common = o.common;
  std::string err;
  auto r = run_smtp_test(so, &err);
  s.facts.smtp_attempted = true;
  if (!r) {
    s.facts.smtp_error = err;
    return;
  }
  s.smtp = std::move(*r);
  const auto& d = s.smtp->data;
  s.facts.smtp_host = d.value("host", std::string());
  if (d.contains("banner") && d["banner"].is_object() && d["banner"].value("code", 0) >= 400) {
    s.facts.banner = classification_of(d["banner"]);
    s.facts.banner_text = util::sanitize(reply_line(d["banner"]), 300);
  }
  tls_facts(*s.smtp, s.facts);
  if (d.contains("recipients") && d["recipients"].is_array()) {
    for (const auto& rc : d["recipients"]) {
      if (rc.value("relay_test", false) || !rc.contains("reply") || !rc["reply"].is_object()) continue;
      s.facts.rcpt = classification_of(rc["reply"]);
      s.facts.rcpt_text = util::sanitize(reply_line(rc["reply"]), 300);
      break;
    }
  }
  for (const auto& fd : s.smtp->findings) {
    if (fd.id == "smtp.timeout") s.facts.smtp_timeout = true;
    const bool ended = fd.id == "smtp.timeout" || fd.id == "smtp.connect" || fd.id == "smtp.connection-lost" ||
                       fd.id == "smtp.closed" || fd.id.rfind("smtp.protocol.", 0) == 0;
    if (ended && s.facts.smtp_error.empty()) s.facts.smtp_error = fd.title;
  }
}

// ---- the report --------------------------------------------------------------------------

bool unicode_terminal() {
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return util::icontains(v, "utf-8") || util::icontains(v, "utf8");
  }
  return false;
}

std::string mark(Severity s, bool ran) {
  static const bool uni = unicode_terminal();
  if (!ran) return "-";
  switch (s) {
    case Severity::ok:
    case Severity::info: return uni ? "✔" : "+";
    case Severity::warning: return "!";
    case Severity::critical: return uni ? "✖" : "x";
    case Severity::unknown: return "?";
  }
  return "?";
}

std::string summary_of(const std::optional<report::Report>& r) {
  if (!r) return i18n::text("diagnose.step.skipped");
  std::size_t warn = 0, crit = 0;
  std::string first;
  for (const auto& f : r->findings) {
    if (f.severity == Severity::warning) ++warn;
    if (f.severity == Severity::critical || f.severity == Severity::unknown) ++crit;
    if (first.empty() && (f.severity == Severity::critical || f.severity == Severity::unknown)) first = f.title;
  }
  if (first.empty()) {
    for (const auto& f : r->findings) {
      if (f.severity == Severity::warning) {
        first = f.title;
        break;
      }
    }
  }
  const std::string out =
      crit + warn == 0 ? i18n::text("diagnose.step.fine") : format("diagnose.step.counts", {std::to_string(crit), std::to_string(warn)});
  return first.empty() ? out : format("diagnose.step.first", {out, first});
}

/// The verdict in English for the JSON `data` (a stable schema), whatever the text view's language.
/// The facts the runner worded itself are worded again; details quoted from the steps' findings
/// stay as those findings said them.
DiagnoseVerdict english_verdict(const Steps& s, const DiagnoseVerdict& v) {
  if (i18n::language() == i18n::Lang::en) return v;
  const i18n::ScopedLanguage en(i18n::Lang::en);
  DiagnoseFacts f = s.facts;
  if (f.dns == DnsFact::no_route) f.dns_detail = no_route_detail(s.unroutable_mx);
  return decide(f);
}

report::Report build(const DiagnoseOptions& o, Steps& s, const DiagnoseVerdict& v) {
  report::Report r;
  r.command = "diagnose";
  r.target = util::sanitize(o.target, 300);
  auto& sec = r.add_section(i18n::text("diagnose.section.checklist"), {"", i18n::text("diagnose.col.step"), i18n::text("diagnose.col.result")});
  const std::pair<std::string, std::optional<report::Report>*> steps[] = {
      {i18n::text("diagnose.step.dns"), &s.dns},
      {format("diagnose.step.reach", {std::to_string(o.port)}), &s.reach},
      {i18n::text("diagnose.step.smtp"), &s.smtp}};
  for (const auto& [name, rep] : steps) {
    const bool ran = rep->has_value();
    sec.rows.push_back({mark(ran ? (*rep)->status() : Severity::ok, ran), name, summary_of(*rep)});
  }
  auto& vs = r.add_section(i18n::text("diagnose.section.verdict"));
  vs.rows.push_back({mark(v.severity, true), v.sentence});
  vs.rows.push_back({"", format("diagnose.verdict.proved", {v.step, v.next})});

  r.add(v.severity, "diagnose." + v.cause_id, v.sentence, format("diagnose.decided-at", {v.step}), "", v.next);
  const DiagnoseVerdict data_v = english_verdict(s, v);
  nlohmann::json steps_json = nlohmann::json::object();
  for (auto* rep : {&s.dns, &s.reach, &s.smtp}) {
    if (!rep->has_value()) continue;
    for (auto& f : (*rep)->findings) r.findings.push_back(std::move(f));
    steps_json[(*rep)->command] = std::move((*rep)->data);
    for (auto& t : (*rep)->transcript) r.transcript.push_back(std::move(t));
  }
  r.data = {{"target", r.target},
            {"address", s.facts.address.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.facts.address)},
            {"domain", s.facts.domain},
            {"verdict", {{"severity", report::to_string(data_v.severity)}, {"cause", data_v.cause_id},
                         {"sentence", data_v.sentence}, {"step", data_v.step}, {"next", data_v.next}}},
            {"steps", steps_json}};
  return r;
}

bool stops_after_dns(DnsFact d) { return d == DnsFact::nxdomain || d == DnsFact::null_mx || d == DnsFact::no_route || d == DnsFact::dns_failure; }

/// Does today's check agree with what the bounce said? `unknown` when the bounce's reason is
/// not one a check from here can see (content, quota, spam ...).
enum class Agreement { unknown, confirmed, not_seen };

Agreement agreement(bool seen) { return seen ? Agreement::confirmed : Agreement::not_seen; }

Agreement confirms(codes::Reason said, const DiagnoseFacts& f, const DiagnoseVerdict& v) {
  using codes::Reason;
  const auto is = [&](std::initializer_list<const char*> causes) {
    for (const char* c : causes) {
      if (v.cause_id == c) return true;
    }
    return false;
  };
  const bool tls_problem = f.tls != TlsFact::ok && f.tls != TlsFact::not_tried && f.tls != TlsFact::not_offered;
  switch (said) {
    case Reason::user_unknown: return agreement(is({"user-unknown"}));
    case Reason::not_accepting: return agreement(is({"null-mx"}));
    case Reason::host_unknown: return agreement(is({"domain-not-found", "mx-without-address"}));
    case Reason::network_error:
    case Reason::expired:
      return agreement(is({"remote-unreachable", "remote-refused", "outbound-blocked", "reach-undetermined",
                           "smtp-timeout", "smtp-failed", "banner-rejected"}) ||
                       tls_problem);
    case Reason::greylisted: return agreement(is({"greylisted"}));
    case Reason::relay_denied: return agreement(is({"relay-denied"}));
    case Reason::security_error:
    case Reason::tls_required: return agreement(tls_problem || f.tls == TlsFact::not_offered);
    case Reason::blocked:
    case Reason::bad_reputation:
    case Reason::require_ptr: return agreement(is({"sender-blocked", "banner-rejected"}));
    default: return Agreement::unknown;
  }
}

/// The "today" row of a confirmed bounce: the verdict, or the TLS fact when that is what
/// confirms it while another cause is today's root cause.
std::string confirmation(const DiagnoseFacts& f, const DiagnoseVerdict& v) {
  const bool tls_verdict = v.cause_id.rfind("tls-", 0) == 0 || v.cause_id == "dane-mismatch";
  const bool tls_problem = f.tls != TlsFact::ok && f.tls != TlsFact::not_tried;
  if (tls_problem && !tls_verdict && v.step == "rcpt")
    return format("diagnose.bounce.confirmed.tls",
                  {f.tls_detail.empty() ? i18n::text("diagnose.bounce.starttls-missing") : util::sanitize(f.tls_detail, 200), v.sentence});
  return format("diagnose.bounce.confirmed", {v.sentence});
}

std::optional<report::Report> diagnose_one(const DiagnoseOptions& o, const DiagnoseProgress& progress,
                                           std::string* error, DiagnoseFacts* facts_out) {
  Steps s;
  const auto t = util::trim(o.target);
  const auto at = t.rfind('@');
  s.facts.domain = util::to_lower(at == std::string_view::npos ? t : t.substr(at + 1));
  if (at != std::string_view::npos) s.facts.address = std::string(t);
  if (!valid_domain(s.facts.domain)) {
    if (error != nullptr) *error = format("diagnose.error.bad-target", {util::sanitize(t, 80)});
    return std::nullopt;
  }
  auto note = [&](const std::string& m) {
    if (progress) progress(m);
  };
  // Ctrl-C (util/interrupt.hpp) cuts the step in progress short; no later step starts.
  const auto cut = [&](const char* step) {
    if (util::interrupted()) s.facts.interrupted_step = step;
    return util::interrupted();
  };
  note(format("diagnose.progress.dns", {s.facts.domain}));
  dns_step(o, s);
  if (!cut("dns") && !stops_after_dns(s.facts.dns)) {
    note(format("diagnose.progress.reach", {std::to_string(o.port)}));
    reach_step(o, s);
    if (!cut("reach") && s.facts.reach == ReachFact::open) {
      note(i18n::text("diagnose.progress.smtp"));
      smtp_step(o, s);
      cut("smtp");
    }
  }
  const auto v = decide(s.facts);
  if (facts_out != nullptr) *facts_out = s.facts;
  return build(o, s, v);
}

}  // namespace

std::optional<report::Report> run_diagnose(const DiagnoseOptions& o, const DiagnoseProgress& progress, std::string* error) {
  return diagnose_one(o, progress, error, nullptr);
}

std::optional<std::vector<report::Report>> run_diagnose_bounce(const std::string& file, const DiagnoseOptions& o,
                                                               const DiagnoseProgress& progress, std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in || std::filesystem::is_directory(file)) {
    if (error != nullptr) *error = format("diagnose.error.bounce-unreadable", {util::sanitize(file, 200)});
    return std::nullopt;
  }
  std::string bytes;
  constexpr std::size_t kMax = 64u << 20;
  bytes.resize(kMax + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kMax) bytes.resize(kMax);
  const auto analysis = bounce::analyse(bytes);
  std::vector<report::Report> out;
  for (const auto& rc : analysis.recipients) {
    if (util::interrupted()) break;  // Ctrl-C: the recipients diagnosed so far are reported
    if (rc.action == "delivered" || rc.action == "relayed" || rc.action == "expanded") continue;
    DiagnoseOptions each = o;
    each.target = rc.address;
    DiagnoseFacts facts;
    auto r = diagnose_one(each, progress, error, &facts);
    if (!r) continue;  // an address the bounce mangled: not diagnosable
    std::string said = rc.status ? rc.status->str() : std::string();
    if (rc.reply_code) said = std::to_string(*rc.reply_code) + (said.empty() ? "" : " " + said);
    auto& sec = r->add_section(i18n::text("diagnose.section.bounce"));
    sec.rows.push_back({i18n::text("diagnose.bounce.reason"),
                        std::string(codes::to_string(rc.reason)) + i18n::text(rc.hard ? "diagnose.bounce.hard" : "diagnose.bounce.soft")});
    if (!said.empty()) sec.rows.push_back({i18n::text("diagnose.bounce.status"), said});
    if (!rc.diagnostic.empty()) sec.rows.push_back({i18n::text("diagnose.bounce.diagnostic"), util::sanitize(rc.diagnostic, 300)});
    if (!rc.remote_mta.empty()) sec.rows.push_back({i18n::text("diagnose.bounce.remote-mta"), util::sanitize(rc.remote_mta, 200)});
    const auto verdict = decide(facts);
    const auto agreed = facts.interrupted_step.empty() ? confirms(rc.reason, facts, verdict) : Agreement::unknown;
    sec.rows.push_back({i18n::text("diagnose.bounce.today"), agreed == Agreement::unknown
                                                          ? format("diagnose.bounce.unknown", {verdict.cause_id})
                                                      : agreed == Agreement::confirmed
                                                          ? confirmation(facts, verdict)
                                                          : format("diagnose.bounce.not-seen", {verdict.cause_id})});
    // The bounce's sections first, then the checklist.
    std::rotate(r->sections.begin(), r->sections.end() - 1, r->sections.end());
    r->data["bounce"] = {{"file", util::sanitize(file, 300)}, {"reason", codes::to_string(rc.reason)},
                         {"status", said}, {"diagnostic", util::sanitize(rc.diagnostic, 1000)},
                         {"hard", rc.hard},
                         {"confirmed", agreed == Agreement::unknown ? nlohmann::json(nullptr)
                                                                    : nlohmann::json(agreed == Agreement::confirmed)}};
    out.push_back(std::move(*r));
  }
  if (out.empty() && error != nullptr) {
    *error = format(analysis.recipients.empty() ? "diagnose.error.no-failed-recipient" : "diagnose.error.none-diagnosed",
                    {util::sanitize(file, 200)});
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace maildiag::app
