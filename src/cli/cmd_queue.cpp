// `maildiag queue`: option binding only; the reading is app::run_queue.

#include "context.hpp"

#include "maildiag/app/queue.hpp"
#include "maildiag/log/time.hpp"

#include <CLI/CLI.hpp>

namespace maildiag::cli {

namespace {

struct QueueArgs {
  app::QueueOptions opts;
  std::string older_than;
  std::string critical_age = "1d";
};

std::int64_t duration_option(const std::string& name, const std::string& v) {
  const auto d = log::parse_duration(v);
  if (!d) throw UsageError(name + ": expected a duration such as 30m, 4h, 1d, got \"" + v + "\"");
  return *d;
}

void run(Context& ctx, QueueArgs& a) {
  auto& o = a.opts;
  if (!a.older_than.empty()) o.older_than = duration_option("--older-than", a.older_than);
  o.critical_age = duration_option("--critical-age", a.critical_age);
  if (!o.input.empty() && !o.config_dir.empty()) throw UsageError("--input reads a listing; --config-dir is for postqueue");
  std::string error;
  auto r = app::run_queue(o, ctx.common, &error);
  if (!r) throw UsageError(error);
  ctx.emit(*r);
}

}  // namespace

void register_queue(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("queue", "What waits in the mail queue, for how long, and why (read-only)");
  cmd->footer(
      "Examples:\n"
      "  maildiag queue\n"
      "  maildiag queue --config-dir /etc/postfix-out --older-than 4h\n"
      "  maildiag queue --domain example.net --critical-age 12h\n"
      "  mailq | maildiag queue --input -            (Postfix, Sendmail or Exim 'exim -bp' listings)\n"
      "Runs 'postqueue -j' (Postfix 3.1+; '-p' on older versions) and never changes the queue.\n"
      "Exit code: 0 nothing deferred, 1 messages deferred or on hold, 2 the oldest message is older than\n"
      "--critical-age, 3 the queue could not be read.");
  auto a = std::make_shared<QueueArgs>();
  auto& o = a->opts;
  cmd->add_option("--input", o.input, "Read a mailq / postqueue -p / postqueue -j / exim -bp listing ('-' = stdin)")
      ->type_name("FILE");
  cmd->add_option("-c,--config-dir", o.config_dir, "Postfix configuration directory (postqueue -c DIR)")->type_name("DIR");
  cmd->add_option("--postqueue", o.postqueue, "The postqueue program")->type_name("PATH")->capture_default_str();
  cmd->add_option("--older-than", a->older_than, "Only messages queued at least this long (30m, 4h, 2d)")
      ->type_name("DURATION");
  cmd->add_option("--domain", o.domains, "Only recipients in this domain (repeatable)")->type_name("DOMAIN")->allow_extra_args(false);
  cmd->add_option("--critical-age", a->critical_age, "CRITICAL when the oldest message is older")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--limit", o.limit, "Message rows in the text view")->check(CLI::Range(1, 1'000'000))->capture_default_str();
  cmd->callback([&ctx, a] { run(ctx, *a); });
}

}  // namespace maildiag::cli
