#pragma once
// The loopback test bed's env file (written by tests/testbed/up; names in docs/testing.md).
// Integration tests call testbed() first: when the bed cannot run on this machine (not root,
// packages missing) the test skips loudly; when it should run but its env file is missing,
// the test fails — a CI run never passes by silently skipping its integration tests.

#include <map>
#include <optional>
#include <string>

namespace maildiag::test {

struct Testbed {
  std::map<std::string, std::string> vars;  ///< without the MAILDIAG_TB_ prefix: "SMTP_PORT" -> "20005"
  /// The value of MAILDIAG_TB_<key>; fails the test when absent.
  [[nodiscard]] std::string get(const std::string& key) const;
  /// "HOST:PORT" for a port variable on the bed's IPv4 host, e.g. addr("SMTP_PORT").
  [[nodiscard]] std::string addr(const std::string& port_key) const;
  /// The env to pass to a child so it sees the bed (MAILDIAG_TB_* as set).
  [[nodiscard]] std::map<std::string, std::string> env() const;
};

std::optional<Testbed> testbed();

}  // namespace maildiag::test
