// Corpus replay for one fuzz target, without libFuzzer: feeds every file under each directory
// given (seeds, regression inputs) to the target's LLVMFuzzerTestOneInput. Registered as a ctest
// test per target (replay.cmake), so every build, plain and sanitized, re-runs each input that
// once mattered. A crash or an invariant violation aborts; a missing or empty seed directory
// fails, so the test cannot pass by replaying nothing.
//
//   fuzz_replay_<target> [--allow-empty] DIR_OR_FILE...

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_under(const fs::path& root) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(root)) return {root};
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
    return false;
  }
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // A copy in a buffer of exactly the input's size, as libFuzzer passes it, so ASan sees
  // any read past the end.
  const std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), exact.size());
  LLVMFuzzerTestOneInput(exact.data(), exact.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool allow_empty = false;
  std::size_t total = 0;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--allow-empty") {
      allow_empty = true;
      continue;
    }
    const fs::path root(arg);
    std::error_code ec;
    if (!fs::exists(root, ec)) {
      if (allow_empty) continue;
      std::fprintf(stderr, "replay: %s does not exist\n", root.c_str());
      return 1;
    }
    const auto files = inputs_under(root);
    if (files.empty() && !allow_empty) {
      std::fprintf(stderr, "replay: no inputs in %s\n", root.c_str());
      status = 1;
    }
    for (const auto& f : files) {
      if (!replay(f)) status = 1;
      ++total;
    }
    allow_empty = false;  // applies to the next argument only
  }
  std::printf("replayed %zu inputs\n", total);
  return status;
}
