// The port-25 verdict of `probe`: pure logic over attempt outcomes, so every scenario (blocked
// outbound, remote down, partial) is unit-tested without a network.

#include "maildiag/app/probe.hpp"

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

std::string attempts_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " attempt" : " attempts"); }

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
  Port25Judgement j;
  const auto& t = f.target;
  std::string port = f.port;
  if (!port.empty()) port[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(port[0])));
  if (t.empty()) {
    j.title = port + " not probed";
    return j;
  }
  const auto open = count(t, Reach::open);
  if (open == t.size()) {
    j.verdict = Port25Verdict::all_open;
    j.title = port + " answers on every address";
    return j;
  }
  if (open > 0) {
    j.verdict = Port25Verdict::some_open;
    j.severity = Severity::warning;
    j.title = port + " answers on " + std::to_string(open) + " of " + std::to_string(t.size()) + " addresses";
    j.detail = "Senders that pick a silent address (another MX, or IPv6 when IPv4 works) wait for a timeout "
               "or fail over to the next host; mail is delayed, not lost, while one address works.";
    j.remediation = "Start the mail server on the silent hosts or remove them (and their MX/A/AAAA records).";
    return j;
  }
  j.severity = Severity::critical;
  if (count(t, Reach::blocked) > 0) {
    j.verdict = Port25Verdict::local_firewall;
    j.title = "A firewall rule on this machine blocks outbound " + f.port;
    j.detail = "connect() failed with EPERM/EACCES: the packet never left this host.";
    j.remediation = "Check the local firewall (nft list ruleset / iptables -S OUTPUT) for a rule on " + f.port + ".";
    return j;
  }
  if (count(t, Reach::refused) > 0) {
    j.verdict = Port25Verdict::remote_refused;
    j.title = "Nothing listens on " + f.port + " of the target";
    j.detail = "The hosts answered with a TCP reset (" + attempts_text(count(t, Reach::refused)) +
               "): they are up, but no SMTP server accepts connections, or a firewall there rejects them.";
    j.remediation = "Start the SMTP server (or open " + f.port + " in the server's firewall) on the target hosts.";
    return j;
  }
  const bool target_unreachable = count(t, Reach::unreachable) == t.size();
  if (!f.controls_probed || f.control.empty()) {
    j.verdict = Port25Verdict::undetermined;
    j.title = "No answer on " + f.port + " from any address of the target";
    j.detail = std::string(f.controls_probed ? "The control hosts could not be resolved, so"
                                             : "No control host was probed, so") +
               " it is unknown whether the target drops the connections or this side blocks outbound " + f.port + ".";
    j.remediation = "Probe a known-good MX with --control HOST, or try from another network.";
    return j;
  }
  if (all_silent(f.control)) {
    j.verdict = Port25Verdict::outbound_blocked;
    j.title = "Outbound " + f.port + " looks blocked on this side (firewall or ISP)";
    j.detail = "Neither the target nor any control host answered on " + f.port + " (" +
               attempts_text(t.size() + f.control.size()) +
               "). Unrelated providers are not all down at once: the block is on this machine's network path. "
               "Many ISPs and cloud providers block outbound port 25 for residential and new accounts.";
    j.remediation = "Test from another network, ask the ISP or cloud provider to lift the port-25 block, or "
                    "send through a relay on port 587.";
    return j;
  }
  j.verdict = target_unreachable ? Port25Verdict::remote_unreachable : Port25Verdict::remote_filtered;
  j.title = target_unreachable ? "The target's hosts are unreachable on " + f.port
                               : "The target's hosts do not answer on " + f.port + " (down or filtering)";
  j.detail = std::string(target_unreachable ? "Routers report no route to the target's addresses"
                                            : "Connections to the target get no answer at all (SYNs dropped)") +
             ", while control hosts answer on port 25 from here: the problem is on the remote side.";
  j.remediation = "Check that the MX hosts are up and that their firewall admits " + f.port + " from the Internet.";
  return j;
}

}  // namespace maildiag::app
