// `probe` reports: the host x port matrix, greetings and certificates, the port-25 verdict, and
// JSON with every attempt.

#include "probe_engine.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <cstdio>
#include <set>

namespace maildiag::app::probe_detail {

namespace {

using i18n::format;
using i18n::msg;
using report::Severity;


std::string fmt_ms(double ms) {
  char buf[32];
  if (ms < 10) std::snprintf(buf, sizeof buf, "%.2fms", ms);
  else if (ms < 1000) std::snprintf(buf, sizeof buf, "%.0fms", ms);
  else std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000);
  return buf;
}

std::string endpoint(const Host& h, const Attempt& a) {
  const auto addr = a.connect.address.to_string(a.port.port);
  return h.name == a.connect.address.to_string() ? addr : h.name + " " + addr;
}

/// Lines of a greeting (sanitised, bounded) for text and JSON.
std::vector<std::string> clean_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lines.size() && i < 20; ++i) out.push_back(util::sanitize(lines[i], 300));
  if (lines.size() > 20) out.push_back("... (" + std::to_string(lines.size()) + " lines in all)");
  return out;
}

/// One line for a greeting that did not complete.
std::string banner_problem(const Attempt& a, std::chrono::milliseconds timeout) {
  const auto& b = a.banner;
  const std::string partial = b.partial.empty() ? "" : format("probe.banner.partial", {util::sanitize(b.partial, 80)});
  const auto bytes = std::to_string(b.bytes);
  switch (b.status) {
    case BannerStatus::timeout_silent:
      return format("probe.banner-silent.text", {fmt_ms(static_cast<double>(timeout.count()))});
    case BannerStatus::timeout_partial: return format("probe.banner-incomplete.text", {fmt_ms(b.ms), bytes, partial});
    case BannerStatus::eof:
      return b.bytes == 0 ? format("probe.banner-closed.text.empty", {partial})
                          : format("probe.banner-closed.text.partial", {bytes, partial});
    case BannerStatus::too_long:
      return format("probe.banner-line-too-long.text", {std::to_string(banner_limits().max_line), partial});
    case BannerStatus::too_many_lines:
      return format("probe.banner-too-many-lines.text", {std::to_string(banner_limits().max_lines)});
    case BannerStatus::tls_failed: return format("probe.banner-tls-failed.text", {b.detail});
    case BannerStatus::error: return format("probe.banner-error.text", {b.detail});
    case BannerStatus::not_read:
    case BannerStatus::complete: return {};
  }
  return {};
}

std::string_view banner_problem_detail(BannerStatus s) {
  switch (s) {
    case BannerStatus::timeout_silent:
    case BannerStatus::timeout_partial: return msg("probe.banner-silent.detail");
    case BannerStatus::eof: return msg("probe.banner-closed.detail");
    case BannerStatus::too_long: return msg("probe.banner-line-too-long.detail");
    case BannerStatus::too_many_lines: return msg("probe.banner-too-many-lines.detail");
    default: return "";
  }
}

nlohmann::json attempt_json(const Run& run, const Attempt& a) {
  const Host& h = a.role == Role::control ? run.control_hosts[a.host] : run.targets[a.target].hosts[a.host];
  nlohmann::json j = {{"host", h.name},
                      {"address", a.connect.address.to_string()},
                      {"port", a.port.port},
                      {"protocol", to_string(a.port.protocol)},
                      {"outcome", a.finished ? std::string(net::to_string(a.connect.outcome)) : "not-run"},
                      {"latency_ms", a.connect.latency_ms()},
                      {"errno", a.connect.error},
                      {"detail", a.connect.detail}};
  if (h.preference) j["preference"] = *h.preference;
  if (a.connect.local) j["local_address"] = a.connect.local->to_string();
  if (a.banner.status != BannerStatus::not_read) {
    nlohmann::json b = {{"status", to_string(a.banner.status)},
                        {"lines", clean_lines(a.banner.lines)},
                        {"bytes", a.banner.bytes},
                        {"ms", a.banner.ms}};
    if (!a.banner.partial.empty()) b["partial"] = util::sanitize(a.banner.partial, 200);
    if (!a.banner.detail.empty()) b["detail"] = a.banner.detail;
    if (a.banner.status == BannerStatus::complete) {
      // The classifier explains in the chosen language; the JSON data keeps the English words.
      i18n::in_english([&] {
        const auto reading = read_banner(a.port.protocol, a.banner.lines);
        b["kind"] = reading.kind;
        b["matches_protocol"] = reading.matches;
        b["severity"] = report::to_string(reading.severity);
        if (reading.classification) b["classification"] = report::to_json(*reading.classification);
      });
    }
    j["banner"] = std::move(b);
  }
  if (a.tls) j["tls"] = tls::to_json(*a.tls);
  if (!a.injected.empty()) j["plaintext_before_tls"] = a.injected;
  return j;
}

std::string cell(const Attempt& a) {
  if (!a.finished) return i18n::text("probe.cell.not-run");
  std::string s(net::to_string(a.connect.outcome));
  if (a.connect.outcome == net::ConnectOutcome::open || a.connect.outcome == net::ConnectOutcome::refused) {
    s += " " + fmt_ms(a.connect.latency_ms());
  }
  if (a.connect.outcome == net::ConnectOutcome::open && a.banner.status != BannerStatus::not_read &&
      a.banner.status != BannerStatus::complete) {
    s += " !";
  }
  return s;
}

void add_hosts_section(report::Report& r, const Target& t) {
  if (t.reading == "address" || t.hosts.empty()) return;
  auto& s = r.add_section(i18n::text("probe.hosts.title"), {i18n::text("probe.col.pref"), i18n::text("probe.col.host"),
                                                          i18n::text("probe.col.addresses"), "DNS"});
  for (const auto& h : t.hosts) {
    std::string addrs;
    for (const auto& a : h.addresses) addrs += (addrs.empty() ? "" : " ") + a.to_string();
    s.rows.push_back({h.preference ? std::to_string(*h.preference) : "-", h.name, addrs.empty() ? i18n::text("probe.hosts.none") : addrs,
                      // An answer for one family (A without AAAA) is ok; its NODATA for the other is not news.
                      h.dns_status + (h.dns_error.empty() || !h.addresses.empty() ? "" : ": " + h.dns_error)});
  }
}

void add_matrix(report::Report& r, const Run& run, std::size_t ti) {
  const Target& t = run.targets[ti];
  std::vector<std::string> cols = {i18n::text("probe.col.host"), i18n::text("probe.col.address")};
  for (const auto& p : t.ports) cols.push_back(p.label());
  auto& s = r.add_section(i18n::text("probe.ports.title"), cols);
  for (std::size_t hi = 0; hi < t.hosts.size(); ++hi) {
    for (const auto& addr : t.hosts[hi].addresses) {
      std::vector<std::string> row = {t.hosts[hi].name, addr.to_string()};
      bool any = false;
      for (const auto& p : t.ports) {
        std::string c = "-";
        for (const auto& a : run.attempts) {
          if (a.role == Role::target && a.target == ti && a.host == hi && a.port == p && a.connect.address == addr) {
            c = cell(a);
            any = true;
          }
        }
        row.push_back(c);
      }
      if (any) s.rows.push_back(std::move(row));
    }
  }
}

/// Greeting, TLS and error notes per attempt; findings for what is wrong.
void add_notes(report::Report& r, const Run& run, std::size_t ti) {
  report::Section notes{i18n::text("probe.notes.title"), {i18n::text("probe.col.endpoint"), i18n::text("probe.col.result")}, {}};
  std::set<std::string> errors_seen;
  for (const auto& a : run.attempts) {
    if (a.role != Role::target || a.target != ti || !a.finished) continue;
    const Host& h = run.targets[ti].hosts[a.host];
    const std::string where = endpoint(h, a) + " (" + std::string(to_string(a.port.protocol)) + ")";
    if (a.connect.outcome == net::ConnectOutcome::error && errors_seen.insert(a.connect.detail).second) {
      r.add(Severity::warning, "probe.connect-error", format("probe.connect-error.title", {where}), a.connect.detail);
    }
    if (a.connect.outcome != net::ConnectOutcome::open) continue;
    if (a.tls) {
      notes.rows.push_back({where, tls::summary(*a.tls)});
      tls::add_findings(r, *a.tls, "probe.tls", where);
    }
    if (!a.injected.empty()) {
      r.add(Severity::warning, "probe.plaintext-before-tls", format("probe.plaintext-before-tls.title", {where}),
            i18n::text("probe.plaintext-before-tls.detail"), a.injected);
    }
    if (a.banner.status == BannerStatus::complete) {
      const auto reading = read_banner(a.port.protocol, a.banner.lines);
      notes.rows.push_back({where, reading.summary + " [" + fmt_ms(a.banner.ms) + "]"});
      if (reading.severity != Severity::ok) {
        auto& f = r.add(reading.severity, "probe.banner", format("probe.banner.title", {where, reading.summary}),
                        reading.classification ? reading.classification->code_meaning : "",
                        util::sanitize(a.banner.lines.front(), 400),
                        reading.classification ? reading.classification->remediation : "");
        if (reading.classification && reading.classification->blocklist) {
          // English: "<meaning>. Listed on <zone>."; a detail that ends a sentence already takes a space only.
          std::string sep(msg("probe.banner.sentence-sep"));
          if (f.detail.empty() || f.detail.back() == '.') sep = " ";
          else if (std::string_view(f.detail).ends_with("。")) sep.clear();
          f.detail += sep + format("probe.banner.listed", {*reading.classification->blocklist});
        }
      }
    } else if (a.banner.status != BannerStatus::not_read && a.banner.status != BannerStatus::tls_failed) {
      const auto problem = banner_problem(a, run.timeout);
      notes.rows.push_back({where, problem});
      r.add(Severity::warning, "probe.banner-" + std::string(to_string(a.banner.status)),
            format("probe.banner.title", {where, problem}),
            std::string(banner_problem_detail(a.banner.status)));
    }
  }
  if (!notes.rows.empty()) r.sections.push_back(std::move(notes));
}

void add_dns_findings(report::Report& r, const Target& t) {
  if (t.reading == "null-mx") {
    r.add(Severity::critical, "probe.null-mx", format("probe.null-mx.title", {t.name}));
    return;
  }
  if (t.hosts.empty() && t.reading != "address") {
    const bool missing = t.dns_status == "nxdomain" || t.dns_status == "nodata";
    r.add(missing ? Severity::critical : Severity::unknown, "probe.dns",
          format(missing ? "probe.dns.title.missing" : "probe.dns.title.failed", {t.name, t.dns_status}),
          t.dns_error);
    return;
  }
  if (t.reading == "implicit-mx") {
    r.add(Severity::info, "probe.implicit-mx", format("probe.implicit-mx.title", {t.name}));
  }
  for (const auto& h : t.hosts) {
    if (h.addresses.empty()) {
      r.add(Severity::warning, "probe.host-no-address", format("probe.host-no-address.title", {h.name, h.dns_status}),
            h.dns_error);
    }
  }
}

void add_controls(report::Report& r, const Run& run) {
  auto& s = r.add_section(i18n::text("probe.controls.title"),
                          {i18n::text("probe.col.host"), i18n::text("probe.col.address"), i18n::text("probe.col.result")});
  for (const auto& a : run.attempts) {
    if (a.role != Role::control) continue;
    const Host& h = run.control_hosts[a.host];
    std::string res = cell(a);
    if (a.banner.status == BannerStatus::complete) res += "  " + util::sanitize(a.banner.lines.front(), 80);
    s.rows.push_back({h.name, a.connect.address.to_string(a.port.port), res});
  }
  for (const auto& h : run.control_hosts) {
    if (h.addresses.empty()) s.rows.push_back({h.name, "-", "DNS " + h.dns_status + " " + h.dns_error});
  }
}

void add_port25(report::Report& r, const Run& run, std::size_t ti) {
  const Target& t = run.targets[ti];
  std::vector<Reach> control;
  for (const auto& a : run.attempts) {
    if (a.role == Role::control && a.finished) control.push_back(reach_of(a.connect.outcome));
  }
  auto verdicts = nlohmann::json::array();
  bool show_controls = false;
  for (const auto& p : t.ports) {
    if (p.protocol != Protocol::smtp) continue;
    Port25Facts facts;
    facts.control = control;
    facts.controls_probed = run.controls_probed;
    for (const auto& a : run.attempts) {
      if (a.role == Role::target && a.target == ti && a.port == p && a.finished) {
        facts.target.push_back(reach_of(a.connect.outcome));
      }
    }
    // The JSON data keeps the English sentences; the finding speaks the chosen language.
    const auto en = i18n::in_english([&] {
      auto f = facts;
      f.port = format("probe.port", {std::to_string(p.port)});
      return judge_port25(f);
    });
    facts.port = format("probe.port", {std::to_string(p.port)});
    const auto j = judge_port25(facts);
    verdicts.push_back({{"port", p.port}, {"verdict", to_string(j.verdict)}, {"title", en.title}, {"detail", en.detail}});
    if (j.verdict == Port25Verdict::not_probed) continue;
    r.add(j.severity, "probe.port25." + std::string(to_string(j.verdict)), j.title, j.detail, "", j.remediation);
    show_controls = show_controls || (run.controls_probed && j.verdict != Port25Verdict::all_open);
  }
  // "port25": the verdict of the first SMTP port (normally 25); "smtp_verdicts": one per SMTP port.
  r.data["port25"] = verdicts.empty() ? nlohmann::json{{"verdict", "not-probed"}} : verdicts.front();
  r.data["smtp_verdicts"] = std::move(verdicts);
  if (show_controls) add_controls(r, run);
}

/// Ports other than SMTP: silent everywhere is critical when the user asked for the port,
/// informational when it came from the default list (MX hosts seldom serve POP3/IMAP).
void add_other_ports(report::Report& r, const Run& run, std::size_t ti) {
  const Target& t = run.targets[ti];
  std::string silent_defaults;
  for (const auto& p : t.ports) {
    if (p.protocol == Protocol::smtp) continue;
    std::size_t n = 0;
    std::size_t open = 0;
    std::string outcomes;
    for (const auto& a : run.attempts) {
      if (a.role != Role::target || a.target != ti || !(a.port == p) || !a.finished) continue;
      ++n;
      if (a.connect.outcome == net::ConnectOutcome::open) ++open;
      else if (outcomes.find(net::to_string(a.connect.outcome)) == std::string::npos)
        outcomes += (outcomes.empty() ? "" : ", ") + std::string(net::to_string(a.connect.outcome));
    }
    if (n == 0 || open == n) continue;
    if (!t.explicit_ports) {
      if (open == 0) silent_defaults += (silent_defaults.empty() ? "" : ", ") + p.label();
      continue;
    }
    if (open == 0) {
      r.add(Severity::critical, "probe.port-silent", format("probe.port-silent.title", {p.label(), outcomes}),
            i18n::text("probe.port-silent.detail"), "", i18n::text("probe.port-silent.fix"));
    } else {
      r.add(Severity::warning, "probe.port-partial",
            format("probe.port-partial.title", {p.label(), std::to_string(open), std::to_string(n)}));
    }
  }
  if (!silent_defaults.empty()) {
    r.add(Severity::info, "probe.ports-closed", format("probe.ports-closed.title", {silent_defaults}),
          i18n::text("probe.ports-closed.detail"));
  }
}

}  // namespace

std::vector<report::Report> build_reports(const Run& run) {
  std::vector<report::Report> out;
  for (std::size_t ti = 0; ti < run.targets.size(); ++ti) {
    const Target& t = run.targets[ti];
    report::Report r;
    r.command = "probe";
    r.target = util::sanitize(t.input, 200);
    add_hosts_section(r, t);
    add_matrix(r, run, ti);
    add_dns_findings(r, t);
    add_port25(r, run, ti);
    add_other_ports(r, run, ti);
    add_notes(r, run, ti);
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& p : t.ports) ports.push_back(p.label());
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& h : t.hosts) {
      nlohmann::json addrs = nlohmann::json::array();
      for (const auto& a : h.addresses) addrs.push_back(a.to_string());
      nlohmann::json jh = {{"name", h.name}, {"dns_status", h.dns_status}, {"addresses", addrs}};
      if (h.preference) jh["preference"] = *h.preference;
      if (!h.dns_error.empty()) jh["dns_error"] = h.dns_error;
      hosts.push_back(std::move(jh));
    }
    nlohmann::json attempts = nlohmann::json::array();
    nlohmann::json controls = nlohmann::json::array();
    for (const auto& a : run.attempts) {
      if (a.role == Role::target && a.target == ti) attempts.push_back(attempt_json(run, a));
      if (a.role == Role::control) controls.push_back(attempt_json(run, a));
    }
    r.data["target"] = t.input;
    r.data["name"] = t.name;
    r.data["reading"] = t.reading;
    r.data["dns_status"] = t.dns_status;
    r.data["ports"] = std::move(ports);
    r.data["hosts"] = std::move(hosts);
    r.data["attempts"] = std::move(attempts);
    r.data["controls_probed"] = run.controls_probed;
    r.data["controls"] = std::move(controls);
    r.data["timeout_ms"] = run.timeout.count();
    r.data["elapsed_ms"] = run.elapsed_ms;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace maildiag::app::probe_detail
