// `maildiag log [FILE...]`: option binding only; the reading is app::run_log.

#include "context.hpp"

#include "maildiag/app/log.hpp"
#include "maildiag/log/time.hpp"

#include <CLI/CLI.hpp>

namespace maildiag::cli {

namespace {

struct LogArgs {
  app::LogOptions opts;
  std::string follow_for;
  bool no_timeline = false;
  bool timeline = false;
};

void run(Context& ctx, LogArgs& a) {
  auto& o = a.opts;
  const bool filtering = !o.ids.empty() || !o.message_ids.empty() || !o.to.empty();
  if (!filtering && !o.all && !o.follow) o.summary = true;  // a bare `maildiag log` summarises
  if (o.summary && (filtering || o.all)) throw UsageError("--summary counts everything; it takes no --id/--message-id/--to/--all");
  o.timeline = a.timeline || (filtering && !a.no_timeline);
  if (!a.follow_for.empty()) {
    const auto d = log::parse_duration(a.follow_for);
    if (!d || *d <= 0) throw UsageError("--follow-for: expected a duration such as 30s, 10m, 2h");
    o.follow_for = std::chrono::seconds(*d);
    o.follow = true;
  }
  std::string error;
  if (!app::run_log(o, ctx.common, [&ctx](const report::Report& r) { ctx.emit(r); }, &error)) throw UsageError(error);
}

}  // namespace

void register_log(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("log", "Follow a message through the server's own log, or summarise the log");
  cmd->footer(
      "Examples:\n"
      "  maildiag log --id 12BDBE6FEE9 /var/log/mail.log\n"
      "  maildiag log --to bob@example.net /var/log/mail.log.1 /var/log/mail.log\n"
      "  maildiag log --message-id '<abc@example.com>' /var/log/mail.log*\n"
      "  maildiag log --summary --since 24h\n"
      "  maildiag log -f --id 12BDBE6FEE9           (waits until that message is delivered or bounced)\n"
      "  journalctl -u postfix -o short-iso | maildiag log --summary -\n"
      "Reads Postfix (syslog or maillog_file), Sendmail, Exim mainlog and Dovecot lines; gzip rotations are\n"
      "read directly and rotations of one log are put in time order. Without --id/--message-id/--to/--all it\n"
      "prints the summary. Default FILE: /var/log/mail.log, /var/log/maillog or /var/log/mail.\n"
      "Exit code: per story 0 delivered, 1 deferred/aborted/removed, 2 bounced/expired/rejected; summary 1 when\n"
      "anything was deferred, bounced or expired; 3 when the message is not in the log or the input is unreadable.");
  auto a = std::make_shared<LogArgs>();
  auto& o = a->opts;
  cmd->add_option("file", o.files, "Log files in time order ('-' = stdin; .gz read directly)");
  cmd->add_option("--id", o.ids, "Queue id to follow (Postfix, Sendmail or Exim; repeatable)")->type_name("QUEUE_ID")->allow_extra_args(false);
  cmd->add_option("--message-id", o.message_ids, "Message-ID to follow, with or without <> (repeatable)")->type_name("ID")->allow_extra_args(false);
  cmd->add_option("--to", o.to, "Recipient address, or @domain, to follow (repeatable)")->type_name("ADDRESS")->allow_extra_args(false);
  cmd->add_flag("--summary", o.summary, "Counts by recipient domain and reason, top rejects, auth and TLS failures");
  cmd->add_flag("--all", o.all, "Tell every message's story");
  cmd->add_flag("-f,--follow", o.follow, "Follow a growing log (handles rotation); stories print as they complete");
  cmd->add_option("--follow-for", a->follow_for, "Stop following after this long (implies --follow)")->type_name("DURATION");
  cmd->add_option("--since", o.since, "Only lines from this time on: 2h (ago), 2026-11-23, '2026-11-23 10:00'")->type_name("WHEN");
  cmd->add_option("--until", o.until, "Only lines up to this time (same forms as --since)")->type_name("WHEN");
  cmd->add_option("--top", o.top, "Rows of each summary table")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--max-open", o.max_open, "Open messages kept in memory before the oldest is dropped")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  cmd->add_flag("--timeline", a->timeline, "Show each story's log lines (default with --id/--message-id/--to)");
  cmd->add_flag("--no-timeline", a->no_timeline, "Hide the log lines of each story");
  cmd->callback([&ctx, a] { run(ctx, *a); });
}

}  // namespace maildiag::cli
