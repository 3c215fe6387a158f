// Throughput of the header path: reads an mbox (or one message) in 1 MiB chunks through
// message::HeaderStream and, per message, parses the header block, builds the Received trace,
// decodes the Subject (RFC 2047) and parses every Authentication-Results field -- the parsing
// that `maildiag headers` does before it writes a report. One thread. Prints messages/s, MB/s
// (CPU time) and the peak RSS.
//
//   bench_headers FILE.mbox

#include "maildiag/message/auth.hpp"
#include "maildiag/message/charset.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/message/header_stream.hpp"
#include "maildiag/message/trace.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_headers FILE.mbox\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 2;
  }
  using namespace maildiag::message;
  std::size_t hops = 0;
  std::size_t results = 0;
  std::size_t subject_bytes = 0;
  HeaderStream hs([&](const HeaderStream::Message& m) {
    const auto block = parse_headers(m.headers);
    const auto trace = build_trace(block);
    hops += trace.hops.size();
    subject_bytes += decode_rfc2047(block.get("subject")).text.size();
    for (const auto* h : block.find_all("authentication-results")) {
      results += parse_authentication_results(h->value).results.size();
    }
  });
  std::string buf(1u << 20, '\0');
  std::size_t bytes = 0;
  const double t0 = cpu_seconds();
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    bytes += n;
    hs.feed(std::string_view(buf.data(), n));
  }
  hs.finish();
  const double cpu = cpu_seconds() - t0;
  std::fclose(f);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double mb = static_cast<double>(bytes) / 1048576.0;
  std::printf("messages %zu, %.1f MB, CPU %.2f s: %.0f messages/s, %.1f MB/s; peak RSS %ld MB "
              "(hops %zu, auth results %zu, subject bytes %zu)\n",
              hs.messages(), mb, cpu, static_cast<double>(hs.messages()) / cpu, mb / cpu, ru.ru_maxrss / 1024,
              hops, results, subject_bytes);
  return 0;
}
