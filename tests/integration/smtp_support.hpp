#pragma once
// Helpers for the smtp-test integration tests: run `maildiag --json smtp-test ...` against the
// test bed and look at the JSON report.

#include "support/process.hpp"
#include "support/testbed.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace maildiag::test {

struct SmtpRun {
  int exit_code = -1;
  nlohmann::json json;
  std::string out;
  std::string err;
  double elapsed_ms = 0;

  /// True when a finding with this id (and severity, when given) is in the report.
  [[nodiscard]] bool has(const std::string& id, const std::string& severity = {}) const {
    for (const auto& f : json["findings"]) {
      if (f.value("id", "") == id && (severity.empty() || f.value("severity", "") == severity)) return true;
    }
    return false;
  }
  [[nodiscard]] std::string ids() const {
    std::string s;
    for (const auto& f : json["findings"]) s += f.value("severity", "") + ":" + f.value("id", "") + " ";
    return s;
  }
  [[nodiscard]] const nlohmann::json& data() const { return json["data"]; }
  /// The verdict of the n-th recipient in the JSON.
  [[nodiscard]] std::string verdict(std::size_t n) const { return data()["recipients"].at(n).value("verdict", ""); }
};

/// `maildiag --json --timeout T [--dns-server bed] smtp-test ARGS...`
inline SmtpRun smtp_test(const Testbed& tb, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {}, int timeout_s = 5) {
  std::vector<std::string> argv{"--json", "--timeout", std::to_string(timeout_s), "--dns-server",
                                tb.get("DNS_SERVERS"), "smtp-test"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_maildiag(argv, {}, env, std::chrono::seconds(120));
  SmtpRun out;
  out.exit_code = r.exit_code;
  out.out = r.out;
  out.err = r.err;
  out.elapsed_ms = r.elapsed_ms;
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.out.rfind('{', 0) == 0);
  out.json = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  return out;
}

/// The bed's IPv4 host and a port variable: "127.0.0.1:PORT".
inline std::string at(const Testbed& tb, const std::string& port_key) { return tb.addr(port_key); }

}  // namespace maildiag::test
