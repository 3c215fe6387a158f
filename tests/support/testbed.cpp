#include "support/testbed.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>

namespace maildiag::test {

std::string Testbed::get(const std::string& key) const {
  auto it = vars.find(key);
  if (it == vars.end()) FAIL("test bed env has no MAILDIAG_TB_" << key);
  return it->second;
}

std::string Testbed::addr(const std::string& port_key) const {
  auto host = vars.count("HOST") != 0 ? vars.at("HOST") : std::string("127.0.0.1");
  return host + ":" + get(port_key);
}

std::map<std::string, std::string> Testbed::env() const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : vars) out["MAILDIAG_TB_" + k] = v;
  return out;
}

std::optional<Testbed> testbed() {
  const char* override_path = std::getenv("MAILDIAG_TESTBED_ENV");
  const std::string path = override_path != nullptr ? override_path : MAILDIAG_TESTBED_ENV;
  std::ifstream f(path);
  if (!f) {
    if (MAILDIAG_TESTBED_AVAILABLE != 0)
      FAIL("the test bed should run on this machine but " << path << " is missing: did testbed.up fail?");
    WARN("SKIPPED: the loopback test bed cannot run here (needs root and scripts/setup-testbed)");
    std::cerr << "SKIPPED: test bed unavailable (" << path << ")\n";
    return std::nullopt;
  }
  Testbed tb;
  std::string line;
  while (std::getline(f, line)) {
    const auto eq = line.find('=');
    if (line.rfind("MAILDIAG_TB_", 0) != 0 || eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    tb.vars[line.substr(12, eq - 12)] = value;
  }
  return tb;
}

}  // namespace maildiag::test
