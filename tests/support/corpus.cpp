#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace maildiag::test {

std::optional<std::filesystem::path> corpus_dir(const std::string& name) {
  const char* env = std::getenv("MAILDIAG_SHARED_DIR");
  const std::filesystem::path base = env != nullptr ? std::filesystem::path(env) : std::filesystem::path(MAILDIAG_SHARED_DIR);
  auto p = base / "corpus" / name;
  if (std::filesystem::is_directory(p)) return p;
  WARN("SKIPPED: corpus " << p.string() << " is absent; this test did not run");
  std::cerr << "SKIPPED: corpus " << p.string() << " is absent\n";
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace maildiag::test
