// Greetings for `probe`: when a greeting is complete, and what it says (through the shared
// classifier). Pure: bytes in, facts out.

#include "probe_engine.hpp"

#include "maildiag/codes/pop3.hpp"
#include "maildiag/codes/reply.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/imap/classify.hpp"
#include "maildiag/imap/response.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

#include <cctype>

namespace maildiag::app::probe_detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// "NNN-...": an SMTP continuation line (the greeting goes on).
bool smtp_continuation(std::string_view line) {
  return line.size() >= 4 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]) && line[3] == '-';
}

bool looks_smtp(std::string_view line) {
  return line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]) &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '-');
}

std::string_view expected_kind(Protocol p) {
  switch (p) {
    case Protocol::smtp:
    case Protocol::smtps:
    case Protocol::submission: return "smtp";
    case Protocol::pop3:
    case Protocol::pop3s: return "pop3";
    case Protocol::imap:
    case Protocol::imaps: return "imap";
    case Protocol::tcp: return "";
  }
  return "";
}

std::string first_line(const std::vector<std::string>& lines) {
  return lines.empty() ? std::string() : util::sanitize(lines.front(), 200);
}

void classify_smtp(const std::vector<std::string>& lines, BannerReading& r) {
  std::string text;
  for (const auto& l : lines) text += (text.empty() ? "" : "\n") + l;
  codes::ReplyParseError err;
  auto reply = codes::parse_reply(text, &err);
  if (!reply) {
    r.severity = report::Severity::warning;
    r.summary = i18n::format("probe.banner.malformed-smtp", {err.message, first_line(lines)});
    return;
  }
  auto c = codes::classify(*reply);
  r.severity = report::severity_of(c);
  if (reply->code != 220 && c.outcome == codes::Outcome::success) r.severity = report::Severity::warning;
  r.summary = first_line(lines);
  if (lines.size() > 1) r.summary = i18n::format("probe.banner.more-lines", {r.summary, std::to_string(lines.size() - 1)});
  r.classification = std::move(c);
}

void classify_pop3(const std::vector<std::string>& lines, BannerReading& r) {
  auto st = codes::parse_pop3_status(lines.front());
  if (!st) {
    r.severity = report::Severity::warning;
    r.summary = i18n::format("probe.banner.malformed-pop3", {first_line(lines)});
    return;
  }
  auto c = codes::classify_pop3(*st);
  r.severity = report::severity_of(c);
  r.summary = first_line(lines);
  r.classification = std::move(c);
}

void classify_imap(const std::vector<std::string>& lines, BannerReading& r) {
  std::string err;
  auto resp = imap::parse_response(lines.front(), &err);
  if (!resp || resp->kind != imap::Kind::untagged || resp->status == imap::Status::none) {
    r.severity = report::Severity::warning;
    r.summary = i18n::format("probe.banner.malformed-imap", {first_line(lines)});
    return;
  }
  auto c = imap::classify(*resp);
  r.severity = report::severity_of(c);
  if (resp->status == imap::Status::bye) r.severity = report::worst(r.severity, report::Severity::warning);
  r.summary = first_line(lines);
  r.classification = std::move(c);
}

}  // namespace

std::string_view to_string(BannerStatus s) {
  switch (s) {
    case BannerStatus::not_read: return "not-read";
    case BannerStatus::complete: return "complete";
    case BannerStatus::timeout_silent: return "silent";
    case BannerStatus::timeout_partial: return "incomplete";
    case BannerStatus::eof: return "closed";
    case BannerStatus::too_long: return "line-too-long";
    case BannerStatus::too_many_lines: return "too-many-lines";
    case BannerStatus::tls_failed: return "tls-failed";
    case BannerStatus::error: return "error";
  }
  return "error";
}

util::LineLimits banner_limits() {
  util::LineLimits l;
  l.max_line = 2048;
  l.max_lines = 100;
  l.max_bytes = 256 * 1024;
  return l;
}

bool BannerReader::feed(std::string_view bytes) {
  if (done_) return true;
  bytes_ += bytes.size();
  const bool ok = reader_.feed(bytes);
  while (auto line = reader_.next()) {
    lines_.push_back(std::move(line->text));
    const bool more = expected_kind(protocol_) != "pop3" && expected_kind(protocol_) != "imap" &&
                      smtp_continuation(lines_.back());
    if (!more) {
      done_ = true;
      status_ = BannerStatus::complete;
      return true;
    }
  }
  if (!ok) {
    done_ = true;
    status_ = reader_.error() == util::LineReader::Error::too_many_lines ? BannerStatus::too_many_lines
                                                                          : BannerStatus::too_long;
    return true;
  }
  return false;
}

BannerReading read_banner(Protocol protocol, const std::vector<std::string>& lines) {
  BannerReading r;
  if (lines.empty()) {
    r.kind = "unknown";
    r.matches = false;
    r.severity = report::Severity::warning;
    r.summary = i18n::msg("probe.banner.none");
    return r;
  }
  const std::string_view l = lines.front();
  if (looks_smtp(l)) r.kind = "smtp";
  else if (util::istarts_with(l, "+OK") || util::istarts_with(l, "-ERR")) r.kind = "pop3";
  else if (l.size() >= 2 && l[0] == '*' && l[1] == ' ') r.kind = "imap";
  else r.kind = "unknown";
  const auto want = expected_kind(protocol);
  if (r.kind == "smtp") classify_smtp(lines, r);
  else if (r.kind == "pop3") classify_pop3(lines, r);
  else if (r.kind == "imap") classify_imap(lines, r);
  if (r.kind == "unknown") {
    r.matches = false;
    r.severity = report::Severity::warning;
    r.summary = i18n::format("probe.banner.not-mail", {util::sanitize(l, 120)});
    return r;
  }
  r.matches = want.empty() || want == r.kind;
  if (!r.matches) {
    r.severity = report::worst(r.severity, report::Severity::warning);
    std::string kind = r.kind;
    for (auto& ch : kind) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    r.summary = i18n::format("probe.banner.wrong-protocol", {kind, std::string(to_string(protocol)), r.summary});
  }
  return r;
}

}  // namespace maildiag::app::probe_detail
