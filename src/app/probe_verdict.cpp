// The port-25 verdict of `probe`: pure logic over attempt outcomes, so every scenario (blocked
// outbound, remote down, partial) is unit-tested without a network.

#include "maildiag/app/probe.hpp"

#include "maildiag/i18n/catalog.hpp"

#include <algorithm>
#include <cctype>

namespace maildiag::app {

namespace {

std::size_t count(const std::vector<Reach>& v, Reach r) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), r));
}

bool no_answer(Reach r) { return r == Reach::filtered || r == Reach::unreachable || r == Reach::error; }

bool all_silent(const std::vector<Reach>& v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](Reach r) { return no_answer(r) || r == Reach::blocked; });
}

std::string attempts_text(std::size_t n) {
  return i18n::format(n == 1 ? "probe.attempts.one" : "probe.attempts.many", {std::to_string(n)});
}

}  // namespace

std::string_view to_string(Port25Verdict v) {
  switch (v) {
    case Port25Verdict::not_probed: return "not-probed";
    case Port25Verdict::all_open: return "all-open";
    case Port25Verdict::some_open: return "some-open";
    case Port25Verdict::outbound_blocked: return "outbound-blocked";
    case Port25Verdict::local_firewall: return "local-firewall";
    case Port25Verdict::remote_refused: return "remote-refused";
    case Port25Verdict::remote_filtered: return "remote-filtered";
    case Port25Verdict::remote_unreachable: return "remote-unreachable";
    case Port25Verdict::undetermined: return "undetermined";
  }
  return "undetermined";
}

bool controls_needed(const std::vector<Reach>& target) {
  return !target.empty() && std::all_of(target.begin(), target.end(), no_answer);
}

Port25Judgement judge_port25(const Port25Facts& f) {
  using report::Severity;
  using i18n::format;
  using i18n::msg;
  Port25Judgement j;
  const auto& t = f.target;
  std::string port = f.port;
  if (!port.empty()) port[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(port[0])));
  if (t.empty()) {
    j.title = format("probe.port25.not-probed.title", {port});
    return j;
  }
  const auto open = count(t, Reach::open);
  if (open == t.size()) {
    j.verdict = Port25Verdict::all_open;
    j.title = format("probe.port25.all-open.title", {port});
    return j;
  }
  if (open > 0) {
    j.verdict = Port25Verdict::some_open;
    j.severity = Severity::warning;
    j.title = format("probe.port25.some-open.title", {port, std::to_string(open), std::to_string(t.size())});
    j.detail = msg("probe.port25.some-open.detail");
    j.remediation = msg("probe.port25.some-open.fix");
    return j;
  }
  j.severity = Severity::critical;
  if (count(t, Reach::blocked) > 0) {
    j.verdict = Port25Verdict::local_firewall;
    j.title = format("probe.port25.local-firewall.title", {f.port});
    j.detail = msg("probe.port25.local-firewall.detail");
    j.remediation = format("probe.port25.local-firewall.fix", {f.port});
    return j;
  }
  if (count(t, Reach::refused) > 0) {
    j.verdict = Port25Verdict::remote_refused;
    j.title = format("probe.port25.remote-refused.title", {f.port});
    j.detail = format("probe.port25.remote-refused.detail", {attempts_text(count(t, Reach::refused))});
    j.remediation = format("probe.port25.remote-refused.fix", {f.port});
    return j;
  }
  const bool target_unreachable = count(t, Reach::unreachable) == t.size();
  if (!f.controls_probed || f.control.empty()) {
    j.verdict = Port25Verdict::undetermined;
    j.title = format("probe.port25.undetermined.title", {f.port});
    j.detail = format(f.controls_probed ? "probe.port25.undetermined.detail.unresolved"
                                        : "probe.port25.undetermined.detail.no-control",
                      {f.port});
    j.remediation = msg("probe.port25.undetermined.fix");
    return j;
  }
  if (all_silent(f.control)) {
    j.verdict = Port25Verdict::outbound_blocked;
    j.title = format("probe.port25.outbound-blocked.title", {f.port});
    j.detail = format("probe.port25.outbound-blocked.detail", {f.port, attempts_text(t.size() + f.control.size())});
    j.remediation = msg("probe.port25.outbound-blocked.fix");
    return j;
  }
  j.verdict = target_unreachable ? Port25Verdict::remote_unreachable : Port25Verdict::remote_filtered;
  j.title = format(target_unreachable ? "probe.port25.remote-unreachable.title" : "probe.port25.remote-filtered.title",
                   {f.port});
  j.detail = msg(target_unreachable ? "probe.port25.remote-unreachable.detail" : "probe.port25.remote-filtered.detail");
  j.remediation = format("probe.port25.remote.fix", {f.port});
  return j;
}

}  // namespace maildiag::app
