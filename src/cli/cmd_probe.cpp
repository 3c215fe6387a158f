// `maildiag probe TARGET...`: option binding only; the work is app::run_probe.

#include "context.hpp"

#include "maildiag/app/probe.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

namespace maildiag::cli {

namespace {

struct ProbeArgs {
  app::ProbeOptions opts;
  std::vector<std::string> ports;
  std::vector<std::string> controls;
  bool mx = false;
  bool host = false;
  bool no_banner = false;
  bool no_control = false;
};

}  // namespace

void register_probe(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("probe", "Which mail ports answer on every address of a host or a domain's MX hosts");
  cmd->footer(
      "TARGET: an IP address, HOST, HOST:PORT, HOST:PORT/PROTO, or a mail DOMAIN (its MX hosts).\n"
      "Ports: numbers or names (smtp smtps submission pop3 pop3s imap imaps); NUMBER/NAME gives a port its\n"
      "protocol, e.g. -p 2525/smtp,4465/smtps. Default: 25,465,587,110,995,143,993.\n"
      "Examples:\n"
      "  maildiag probe example.org                  # every MX host, every mail port\n"
      "  maildiag probe -p 25 --timeout 3 example.org\n"
      "  maildiag probe -p 2525/smtp,4465/smtps 127.0.0.1\n"
      "  maildiag probe --json mx.example.org:587\n"
      "Exit code: 2 (CRITICAL) when no host answers on the SMTP port, 1 (WARNING) when some do not\n"
      "or a greeting/certificate needs attention, 0 otherwise.");
  auto a = std::make_shared<ProbeArgs>();
  cmd->add_option("target", a->opts.targets, "Hosts, addresses, HOST:PORT or mail domains")->required();
  cmd->add_option("-p,--ports", a->ports, "Ports: 25,smtps,2525/smtp ... (repeatable)")->type_name("LIST")->allow_extra_args(false);
  auto* mx = cmd->add_flag("--mx", a->mx, "Read every name as a mail domain: probe its MX hosts (implicit MX if none)");
  cmd->add_flag("--host", a->host, "Read every name as a host: probe its own addresses, no MX lookup")->excludes(mx);
  cmd->add_flag("--no-banner", a->no_banner, "Only connect; do not read greetings or start TLS");
  cmd->add_option("--control", a->controls,
                  "Control MX hosts HOST[:PORT] probed on port 25 when the target gets no answer there "
                  "(repeatable, comma-separated; default: Google, Microsoft and Apple MX hosts)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("HOST");
  cmd->add_flag("--no-control", a->no_control, "Never probe control hosts");
  cmd->add_option("--concurrency", a->opts.concurrency, "Attempts in flight at once")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--source", a->opts.source, "Local IP address to connect from");
  cmd->add_option("--ca-file", a->opts.ca_file, "Trust these PEM certificates instead of the system store")
      ->check(CLI::ExistingFile);
  cmd->add_option("--sni", a->opts.sni, "Server name to send in TLS SNI (default: the host name; none for addresses)");
  cmd->add_flag("--no-verify", a->opts.no_verify, "Certificate problems are reported but not counted");
  cmd->add_option("--warn-days", a->opts.expiry_warn_days, "Warn when a certificate expires within this many days")
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  cmd->callback([&ctx, a] {
    auto o = a->opts;
    for (const auto& p : a->ports) {
      std::string err;
      auto specs = app::parse_ports(p, &err);
      if (!specs) throw UsageError("-p " + err);
      for (const auto& s : *specs) {
        if (std::find(o.ports.begin(), o.ports.end(), s) == o.ports.end()) o.ports.push_back(s);
      }
    }
    o.reading = a->mx ? app::TargetReading::mx : a->host ? app::TargetReading::host : app::TargetReading::automatic;
    o.banner = !a->no_banner;
    if (a->no_control) o.controls.clear();
    else if (!a->controls.empty()) o.controls = a->controls;
    std::string error;
    auto reports = app::run_probe(o, ctx.common, &error);
    if (!reports) throw UsageError(error);
    for (const auto& r : *reports) ctx.emit(r);
  });
}

}  // namespace maildiag::cli
