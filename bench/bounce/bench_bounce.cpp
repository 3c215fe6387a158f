// Throughput of bounce::analyse: reads every message file under the given directories once,
// replicates the set in memory until it holds at least --mb megabytes (default 100), then
// analyses all of it on one thread. Prints messages/s, MB/s and the process's peak RSS.
//
//   bench_bounce [--mb N] DIR...     (e.g. ../shared/corpus/bounces/maildir)

#include "maildiag/bounce/bounce.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::size_t mb = 100;
  std::vector<std::filesystem::path> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mb" && i + 1 < argc) mb = std::strtoul(argv[++i], nullptr, 10);
    else dirs.emplace_back(a);
  }
  std::vector<std::string> corpus;
  std::size_t bytes = 0;
  for (const auto& d : dirs) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(d)) {
      if (!e.is_regular_file() || e.path().extension() != ".eml") continue;
      std::ifstream f(e.path(), std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
      bytes += corpus.back().size();
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "usage: bench_bounce [--mb N] DIR... (no .eml files found)\n");
    return 2;
  }
  const std::size_t rounds = (mb * 1000000 + bytes - 1) / bytes;
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const double load_cpu = static_cast<double>(before.ru_utime.tv_sec + before.ru_stime.tv_sec) +
                          static_cast<double>(before.ru_utime.tv_usec + before.ru_stime.tv_usec) / 1e6;
  std::size_t messages = 0;
  std::size_t recipients = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t r = 0; r < rounds; ++r) {
    for (const auto& m : corpus) {
      const auto a = maildiag::bounce::analyse(m);
      recipients += a.recipients.size();
      ++messages;
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  // CPU time of this process: on a shared, loaded machine wall time overstates the cost.
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6 - load_cpu;
  std::printf("corpus: %zu files, %.2f MB; replicated x%zu = %.1f MB\n", corpus.size(), static_cast<double>(bytes) / 1e6,
              rounds, static_cast<double>(bytes * rounds) / 1e6);
  std::printf("analysed %zu messages (%zu recipients) in %.2f s wall, %.2f s CPU: %.0f messages/s (CPU), "
              "%.0f messages/s (wall), %.1f MB/s (CPU), peak RSS %.1f MB\n",
              messages, recipients, s, cpu, static_cast<double>(messages) / cpu, static_cast<double>(messages) / s,
              static_cast<double>(bytes * rounds) / 1e6 / cpu, static_cast<double>(ru.ru_maxrss) / 1024.0);
  return 0;
}
