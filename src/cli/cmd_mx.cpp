// `maildiag mx DOMAIN...|-`: option binding only; the work is app::run_mx / app::run_mx_bulk.

#include "context.hpp"

#include "maildiag/app/mx.hpp"
#include "maildiag/dns/dnsbl.hpp"
#include "maildiag/dns/resolver.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace maildiag::cli {

namespace {

struct MxArgs {
  std::vector<std::string> domains;
  std::string checks = "all";
  std::string dnsbl;
  bool compare = false;
  bool allow_private = false;
  std::size_t concurrency = 64;
  int tries = 2;
};

app::MxOptions to_options(const MxArgs& a, const Context& ctx) {
  app::MxOptions o;
  o.common = ctx.common;
  std::string error;
  auto checks = app::parse_mx_checks(a.checks, &error);
  if (!checks) throw UsageError("--checks: " + error);
  o.checks = *checks;
  if (!a.dnsbl.empty()) {
    auto zones = dns::parse_dnsbl_list(a.dnsbl, &error);
    if (!zones) throw UsageError("--dnsbl: " + error);
    o.dnsbl_zones = std::move(*zones);
  }
  for (const auto& s : o.common.dns_servers) {
    if (!dns::parse_server_list(s, &error)) throw UsageError("--dns-server: " + error);
  }
  if (a.compare && o.common.dns_servers.size() < 2)
    throw UsageError("--compare needs at least two --dns-server values (one per resolver)");
  o.compare = a.compare;
  o.allow_private = a.allow_private;
  o.concurrency = a.concurrency;
  o.tries = a.tries;
  return o;
}

/// CLI11 takes "-4"/"-6" after a positional for negative numbers, i.e. domains. No domain can
/// start with '-', so they are the global flags given after the domain: apply them here.
void take_family_flags(MxArgs& a, Context& ctx) {
  auto& d = a.domains;
  const bool v4 = std::find(d.begin(), d.end(), "-4") != d.end();
  const bool v6 = std::find(d.begin(), d.end(), "-6") != d.end();
  if (!v4 && !v6) return;
  if ((v4 && ctx.common.family == app::Family::v6) || (v6 && ctx.common.family == app::Family::v4) || (v4 && v6))
    throw UsageError("-4 and -6 exclude each other");
  ctx.common.family = v4 ? app::Family::v4 : app::Family::v6;
  d.erase(std::remove_if(d.begin(), d.end(), [](const std::string& s) { return s == "-4" || s == "-6"; }), d.end());
  if (d.empty()) throw UsageError("mx: no domain given");
}

void run_bulk(const app::MxOptions& o, Context& ctx) {
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::function<void(const std::string&)> progress;
  if (tty) progress = [](const std::string& line) { std::cerr << "\r\x1b[K" << line << std::flush; };
  const auto sum = app::run_mx_bulk(STDIN_FILENO, std::cout, o, progress);
  if (tty) {
    std::cerr << "\r\x1b[K"
              << "mx: " << sum.domains << " domains in " << sum.seconds << " s (" << sum.invalid << " invalid)\n";
  }
  ctx.fold(sum.worst);
}

}  // namespace

void register_mx(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("mx", "MX records, exchanger addresses, reverse DNS, SPF/DMARC/MTA-STS/TLS-RPT, TLSA, DNSBL");
  cmd->footer(
      "Examples:\n"
      "  maildiag mx example.com\n"
      "  maildiag mx bücher.example --dnsbl default\n"
      "  maildiag mx example.com --compare --dns-server 192.0.2.53 --dns-server [2001:db8::53]:5353\n"
      "  maildiag --json mx - --concurrency 128 < domains.txt     # NDJSON, one line per domain\n"
      "Exit code: 2 when a domain cannot receive mail (NXDOMAIN, null MX, no MX and no address, no exchanger\n"
      "with an address), 3 when DNS failed (timeout, SERVFAIL, REFUSED), 1 for warnings, else 0.\n"
      "See docs/mx.md for every finding.");
  auto args = std::make_shared<MxArgs>();
  cmd->add_option("domain", args->domains, "Domains to check ('-' reads one per line from stdin)")->required();
  cmd->add_option("--checks", args->checks,
                  "Lookups beyond MX and addresses: all, none, or a list of ptr,spf,dmarc,mta-sts,tls-rpt,tlsa")
      ->capture_default_str();
  cmd->add_option("--dnsbl", args->dnsbl, "Check exchanger addresses against DNS block lists: ZONE,... or 'default'")
      ->type_name("LIST");
  cmd->add_flag("--compare", args->compare, "Ask each --dns-server separately and show where they disagree");
  cmd->add_flag("--allow-private", args->allow_private,
                "Loopback/private exchanger addresses are informational, not a warning (labs, internal relays)");
  cmd->add_option("--concurrency", args->concurrency, "Domains checked at once (bulk mode)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--tries", args->tries, "DNS tries per query, all within --timeout")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  cmd->callback([&ctx, args] {
    take_family_flags(*args, ctx);
    const bool bulk = std::find(args->domains.begin(), args->domains.end(), "-") != args->domains.end();
    if (bulk && args->domains.size() != 1) throw UsageError("'-' (domains from stdin) cannot be mixed with domain arguments");
    const auto options = to_options(*args, ctx);
    try {
      if (bulk) {
        run_bulk(options, ctx);
        return;
      }
      for (const auto& r : app::run_mx(args->domains, options)) ctx.emit(r);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    } catch (const std::runtime_error& e) {  // no usable resolver (e.g. no /etc/resolv.conf)
      throw UsageError(e.what());
    }
  });
}

}  // namespace maildiag::cli
