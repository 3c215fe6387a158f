#pragma once
// Reads the shared header corpus (JSON lines) for the message tests; skips loudly when absent.

#include "support/corpus.hpp"

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace maildiag::test {

/// Every case in ../shared/corpus/headers/<file>, or empty (after a loud skip) when absent.
inline std::vector<nlohmann::json> header_cases(const std::string& file) {
  std::vector<nlohmann::json> out;
  const auto dir = corpus_dir("headers");
  if (!dir) return out;
  std::istringstream in(read_file(*dir / file));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

/// Decodes the corpus' "input_bytes_hex" fields.
inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace maildiag::test
