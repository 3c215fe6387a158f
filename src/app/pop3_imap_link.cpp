#include "pop3_imap_link.hpp"

#include "interrupted.hpp"
#include "transcript.hpp"

#include "maildiag/dns/mail.hpp"
#include "maildiag/dns/resolver.hpp"
#include "maildiag/net/connect.hpp"
#include "maildiag/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace maildiag::app::link {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

double ms_between(net::Clock::time_point a, net::Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string seconds(std::chrono::milliseconds d) { return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0); }

using i18n::text;

}  // namespace

std::string waiting_text(std::string_view waiting_for) {
  static constexpr std::pair<std::string_view, std::string_view> kFixed[] = {
      {"the greeting", "pop3.link.wait.greeting"},
      {"the rest of the reply", "pop3.link.wait.rest-of-reply"},
      {"the DNS lookup", "pop3.link.wait.dns"},
      {"the connection", "pop3.link.wait.connection"},
      {"the TLS handshake", "pop3.link.wait.tls-handshake"},
      {"the SASL cancel", "pop3.link.wait.sasl-cancel"},
      {"the SASL response", "pop3.link.wait.sasl-response"},
      {"the continuation", "pop3.link.wait.continuation"},
      {"a literal", "pop3.link.wait.literal"},
      {"the reply to the SASL response", "pop3.link.wait.reply-to-sasl-response"},
      {"the reply to the continuation", "pop3.link.wait.reply-to-continuation"},
  };
  for (const auto& [english, id] : kFixed) {
    if (waiting_for == english) return text(id);
  }
  constexpr std::string_view kReplyTo = "the reply to ";
  if (waiting_for.substr(0, kReplyTo.size()) == kReplyTo)
    return i18n::format("pop3.link.wait.reply-to", {waiting_text(waiting_for.substr(kReplyTo.size()))});
  return std::string(waiting_for);  // a command verb: a protocol token
}

std::optional<StartTls> starttls_from_string(std::string_view s) {
  if (s == "auto") return StartTls::automatic;
  if (s == "never") return StartTls::never;
  if (s == "require") return StartTls::require;
  return std::nullopt;
}

Link::Link(report::Report& rep, LinkOptions options, const Redactor& redactor)
    : rep_(rep), opt_(std::move(options)), redactor_(redactor), t0_(net::Clock::now()) {}

Link::~Link() {
  if (stream_) stream_->close();
}

std::string Link::where() const {
  return net::is_ip_literal(opt_.host) && opt_.host.find(':') != std::string::npos
             ? fmt::format("[{}]:{}", opt_.host, opt_.port)
             : fmt::format("{}:{}", opt_.host, opt_.port);
}

net::Clock::time_point Link::step_deadline() const {
  const auto d = net::Clock::now() + opt_.common.timeout;
  return interrupted_ ? std::min(d, grace_end_) : d;
}

bool Link::check_interrupt(std::string_view waiting_for) {
  if (interrupted_) return true;
  if (!loop_.interrupted() && !util::interrupted()) return false;
  interrupted_ = true;
  grace_end_ = net::Clock::now() + util::kQuitGrace;
  loop_.set_closing(true);  // the loop runs again for the goodbye, bounded by grace_end_
  add_interrupted(rep_, opt_.protocol, waiting_text(waiting_for));
  error(util::interrupt_message() + " while waiting for " + std::string(waiting_for));
  return true;
}

double Link::elapsed_ms() const { return ms_between(t0_, net::Clock::now()); }

bool Link::tls() const { return stream_ && stream_->tls_active(); }

void Link::add_line(report::TranscriptLine::Dir dir, std::string_view text, std::string note, bool unexpected) {
  record_line(rep_, {dir, tls(), unexpected, elapsed_ms(), std::string(text), std::move(note)}, redactor_, live_);
}

void Link::sent(std::string_view line, bool unexpected) {
  add_line(report::TranscriptLine::Dir::sent, line, {}, unexpected);
}
void Link::received(std::string_view line, std::string note, bool unexpected) {
  add_line(report::TranscriptLine::Dir::received, line, std::move(note), unexpected);
}
void Link::info(std::string_view text) { add_line(report::TranscriptLine::Dir::info, text, {}, false); }
void Link::error(std::string_view text) { add_line(report::TranscriptLine::Dir::error, text, {}, false); }

std::optional<std::vector<net::Address>> Link::resolve() {
  const bool want4 = opt_.common.family != Family::v6;
  const bool want6 = opt_.common.family != Family::v4;
  if (auto a = net::Address::parse(opt_.host)) return std::vector<net::Address>{*a};
  if (util::iequals(opt_.host, "localhost")) {  // RFC 6761 §6.3: never asked of DNS
    std::vector<net::Address> v;
    if (want4) v.push_back(net::Address::loopback_v4());
    if (want6) v.push_back(net::Address::loopback_v6());
    return v;
  }
  dns::ResolverConfig cfg;
  for (const auto& s : opt_.common.dns_servers) {
    if (auto list = dns::parse_server_list(s)) cfg.servers.insert(cfg.servers.end(), list->begin(), list->end());
  }
  const auto found = dns::resolve_host(cfg, opt_.host, dns::Families{want4, want6}, opt_.common.timeout);
  if ((found.status != dns::Status::ok || found.addresses.empty()) && check_interrupt("the DNS lookup"))
    return std::nullopt;
  if (found.status != dns::Status::ok || found.addresses.empty()) {
    const bool missing = found.status == dns::Status::nxdomain || found.status == dns::Status::nodata;
    rep_.add(missing ? report::Severity::critical : report::Severity::unknown, opt_.protocol + ".dns",
             i18n::format("pop3.link.dns.title", {util::sanitize(opt_.host, 200)}),
             found.error.empty() ? std::string(dns::describe(found.status)) : util::sanitize(found.error, 300), {},
             text(missing ? "pop3.link.dns.fix" : "pop3.link.dns.fix.no-answer"));
    error("cannot resolve " + opt_.host + ": " + std::string(dns::to_string(found.status)));
    return std::nullopt;
  }
  std::vector<net::Address> out;
  for (const auto& a : found.addresses) {
    if (auto n = net::Address::parse(a.to_string())) out.push_back(*n);
  }
  return out;
}

bool Link::open() {
  // OpenSSL's set-up (trust store, algorithm fetches) overlaps the lookups, the connect and the
  // first round trips.
  if (opt_.tls_expected) tls::prepare_client_context(tls_options());
  auto addrs = resolve();
  if (!addrs) return false;
  net::ConnectOptions co;
  if (opt_.source) co.source = net::Address::parse(*opt_.source);
  co.attempt_timeout = opt_.common.timeout;
  const auto started = net::Clock::now();
  auto result = net::connect_sync(loop_, *addrs, opt_.port, co, started + opt_.common.timeout);
  connect_ms_ = ms_between(started, net::Clock::now());
  if (!result.ok() && check_interrupt("the connection")) return false;
  auto& sec = rep_.add_section(i18n::text("pop3.link.section.connection"),
                               {i18n::text("pop3.link.column.address"), i18n::text("pop3.link.column.outcome"),
                                i18n::text("pop3.link.column.time"), i18n::text("pop3.link.column.detail")});
  for (const auto& a : result.attempts) {
    sec.rows.push_back({a.address.to_string(a.port), std::string(net::to_string(a.outcome)),
                        fmt::format("{:.1f} ms", a.latency_ms()), a.detail});
  }
  if (!result.ok()) {
    const auto outcome = result.summary();
    const std::string how(net::to_string(outcome));
    rep_.add(report::Severity::critical, opt_.protocol + ".connect",
             i18n::format("pop3.link.connect.title", {where(), how}),
             outcome == net::ConnectOutcome::refused    ? i18n::text("pop3.link.connect.refused")
             : outcome == net::ConnectOutcome::filtered ? i18n::format("pop3.link.connect.filtered",
                                                                       {seconds(opt_.common.timeout)})
                                                        : i18n::text("pop3.link.connect.failed"),
             result.attempts.empty() ? std::string() : result.attempts.back().detail, i18n::text("pop3.link.connect.fix"));
    error("connection failed: " + how);
    return false;
  }
  stream_ = std::make_unique<net::Stream>(loop_, result.fd);
  address_ = result.attempts.at(*result.winner).address.to_string();
  std::uint16_t lport = 0;
  const auto local = stream_->local_address(&lport);
  info(fmt::format("connected to {} ({}) from {} in {:.1f} ms", where(), address_,
                   local ? local->to_string(lport) : std::string("?"), connect_ms_));
  if (opt_.implicit_tls) return handshake(true);
  return true;
}

tls::TlsOptions Link::tls_options() const {
  tls::TlsOptions to;
  to.sni = opt_.sni.value_or(tls::default_sni(opt_.host));
  to.names = {opt_.host};
  to.verify = opt_.verify;
  to.ca_file = opt_.ca_file;
  to.expiry_warn_days = opt_.expiry_warn_days;
  return to;
}

bool Link::handshake(bool implicit) {
  const std::string how = implicit ? "implicit TLS" : "STARTTLS";  // the transcript's words
  const tls::TlsOptions to = tls_options();
  auto r = stream_->start_tls(to, step_deadline());
  if (!r.ok && check_interrupt("the TLS handshake")) {
    stream_->close();  // a half-done handshake leaves no usable channel
    eof_ = true;
    return false;
  }
  if (!r.injected.empty() && opt_.implicit_tls) {
    // No upgrade was asked for: a greeting before our ClientHello is a plaintext server on a TLS port.
    r.ok = false;
    r.error = "the server spoke plain text instead of TLS: " + util::sanitize(r.injected, 200);
    r.report.handshake_ok = false;
    r.report.error = r.error;
  } else if (!r.injected.empty()) {
    rep_.add(report::Severity::critical, opt_.protocol + ".starttls.injection",
             i18n::text("pop3.link.injection.title"), i18n::text("pop3.link.injection.detail"), util::sanitize(r.injected, 300),
             i18n::text("pop3.link.injection.fix"));
    error("plaintext after the TLS upgrade reply: " + util::sanitize(r.injected, 200));
    return false;
  }
  tls_report_ = r.report;
  auto& sec = rep_.add_section(i18n::format("pop3.link.section.tls", {implicit ? i18n::text("pop3.link.implicit-tls") : how}));
  tls::add_rows(sec, r.report);
  tls::add_findings(rep_, r.report, opt_.protocol + ".tls", where());
  rep_.data["tls"] = tls::to_json(r.report);
  if (!r.ok) {
    error(how + " handshake failed: " + r.error);
    return false;
  }
  info(how + ": " + tls::summary(r.report));
  return true;
}

bool Link::start_tls() { return handshake(false); }

Link::Read Link::read(std::string& out, std::string_view waiting_for) {
  if (!stream_) return Read::failed;
  const auto st = stream_->read_some(out, kReadChunk, step_deadline());
  switch (st.kind) {
    case net::IoStatus::Kind::ok:
      return Read::data;
    case net::IoStatus::Kind::eof:
      eof_ = true;
      return Read::eof;
    case net::IoStatus::Kind::timeout:
      if (interrupted_ || check_interrupt(waiting_for)) return Read::failed;  // Ctrl-C, or its grace ran out
      rep_.add(report::Severity::unknown, opt_.protocol + ".timeout",
               i18n::format("pop3.link.timeout.title", {seconds(opt_.common.timeout), waiting_text(waiting_for)}),
               i18n::text("pop3.link.timeout.detail"), {}, i18n::text("pop3.link.timeout.fix"));
      error("timeout waiting for " + std::string(waiting_for));
      return Read::failed;
    case net::IoStatus::Kind::error:
      break;
  }
  if (closing_) {
    error("connection error while closing: " + st.detail);
    return Read::failed;
  }
  rep_.add(report::Severity::critical, opt_.protocol + ".io",
           i18n::format("pop3.link.io.title", {waiting_text(waiting_for)}), util::sanitize(st.detail, 300));
  error("connection error: " + st.detail);
  return Read::failed;
}

bool Link::write(std::string_view bytes, std::string_view shown, std::string_view what) {
  if (!stream_) return false;
  if (!shown.empty()) sent(shown);
  const auto st = stream_->write_all(bytes, step_deadline());
  if (st.ok()) return true;
  if (st.kind == net::IoStatus::Kind::timeout && check_interrupt(what)) return false;
  if (closing_ && st.kind == net::IoStatus::Kind::error) {
    error("write failed while closing: " + st.detail);
    return false;
  }
  rep_.add(st.kind == net::IoStatus::Kind::timeout ? report::Severity::unknown : report::Severity::critical,
           opt_.protocol + ".io", i18n::format("pop3.link.write.title", {waiting_text(what)}),
           util::sanitize(st.detail, 300));
  error("write failed: " + std::string(net::to_string(st.kind)));
  return false;
}

void report_missing_greeting(Link& link, report::Report& rep) {
  if (link.interrupted()) return;
  const auto& proto = link.options().protocol;
  const auto key = [&](std::string_view rest) { return i18n::text(proto + ".greeting." + std::string(rest)); };
  if (link.eof())
    rep.add(report::Severity::critical, proto + ".greeting.closed", key("closed.title"), {}, {}, key("closed.fix"));
  else if (!link.options().implicit_tls)
    rep.add(report::Severity::info, proto + ".greeting.maybe-tls", key("maybe-tls.title"), key("maybe-tls.detail"), {},
            key("maybe-tls.fix"));
}

void LivePrinter::line(const report::TranscriptLine& l) {
  out_ << report::marker(l) << ' ' << l.text;
  if (!l.note.empty()) out_ << "   (" << l.note << ")";
  out_ << '\n' << std::flush;
}

void LivePrinter::new_findings(const report::Report& rep) {
  for (; seen_ < rep.findings.size(); ++seen_) {
    const auto& f = rep.findings[seen_];
    if (f.severity == report::Severity::ok) continue;
    out_ << "*** " << report::label(f.severity) << ": " << f.title << '\n';
  }
  out_ << std::flush;
}

void Link::abort() {
  if (stream_) stream_->close();
}

}  // namespace maildiag::app::link
