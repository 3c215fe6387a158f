// Hostile local inputs to the built binary (docs/reliability.md, "Hostile inputs"): a directory
// where a file is expected, an unreadable file, binary bytes, a huge single line, stdout closed
// or full. Each case must end with a documented exit code and a one-line message, never a
// crash, a hang, unbounded memory or raw control bytes on the terminal.

#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

using maildiag::test::ProcessResult;
using maildiag::test::run_maildiag;
using maildiag::test::run_process;

namespace {

namespace fs = std::filesystem;

/// A fresh directory under /tmp, world-traversable (so a test can read it as another user).
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "maildiag-rel-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& bytes) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

 private:
  fs::path path_;
};

/// Deterministic pseudo-random bytes (xorshift), every value 0..255 included.
std::string binary_bytes(std::size_t n, std::uint64_t seed) {
  std::string out(n, '\0');
  for (auto& c : out) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    c = static_cast<char>(seed & 0xFF);
  }
  return out;
}

/// True when text is safe on a terminal: no ESC, no C0 control byte except tab and newline, no DEL.
bool terminal_safe(const std::string& text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return false;
  }
  return true;
}

/// Exactly one line on stderr, starting with "maildiag: ".
bool one_line_error(const std::string& err) {
  return err.rfind("maildiag: ", 0) == 0 && err.find('\n') == err.size() - 1;
}

/// One or more lines on stderr, each a "maildiag: " message (bounce adds a closing summary line).
bool error_lines(const std::string& err) {
  if (err.empty() || err.back() != '\n') return false;
  for (std::size_t at = 0; at < err.size(); at = err.find('\n', at) + 1) {
    if (err.compare(at, 10, "maildiag: ") != 0) return false;
  }
  return true;
}

/// True when text carries no C1 control (U+0080..U+009F, e.g. U+009B, a one-byte CSI for some
/// terminals) and no bidirectional override or isolate (U+202A..U+202E, U+2066..U+2069).
bool no_c1_or_bidi(const std::string& text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[i]);
    const auto b = static_cast<unsigned char>(text[i + 1]);
    if (a == 0xC2 && b >= 0x80 && b <= 0x9F) return false;
    if (a == 0xE2 && i + 2 < text.size()) {
      const auto c = static_cast<unsigned char>(text[i + 2]);
      if (b == 0x80 && c >= 0xAA && c <= 0xAE) return false;
      if (b == 0x81 && c >= 0xA6 && c <= 0xA9) return false;
    }
  }
  return true;
}

/// Runs maildiag with its stdout a pipe whose reading end is already closed: the first write
/// fails with EPIPE (and would raise SIGPIPE if it were not ignored). Returns the wait status.
int run_with_closed_stdout(const std::vector<std::string>& args) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> argv{MAILDIAG_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, MAILDIAG_BIN, &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

/// Runs maildiag as the unprivileged user nobody when we are root (root reads any file), so
/// that a mode-000 file is really unreadable. Empty optional when setpriv cannot do it.
std::optional<ProcessResult> run_as_nobody(const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (::geteuid() == 0) argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  argv.emplace_back(MAILDIAG_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv, {}, {{"NO_COLOR", "1"}});
  if (r.exit_code == 127 || r.err.find("setpriv:") != std::string::npos) return std::nullopt;
  return r;
}

}  // namespace

TEST_CASE("reliability: a directory given where a file is expected", "[cli][reliability]") {
  TempDir dir;
  for (const std::string cmd : {"log", "headers"}) {
    const auto r = run_maildiag({cmd, dir.path().string()});
    INFO(cmd << " stderr: " << r.err << "\nstdout: " << r.out);
    CHECK(r.exit_code == 3);
    CHECK(one_line_error(r.err));
    CHECK(r.err.find(dir.path().string()) != std::string::npos);
  }
}

TEST_CASE("reliability: an empty directory given to bounce", "[cli][reliability]") {
  TempDir dir;
  const auto r = run_maildiag({"bounce", dir.path().string()});
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  CHECK(r.exit_code == 3);
  CHECK(error_lines(r.err));
  CHECK(r.err.find(dir.path().string()) != std::string::npos);
  CHECK(terminal_safe(r.out));
}

TEST_CASE("reliability: an unreadable file is named in a one-line error, exit 3", "[cli][reliability]") {
  TempDir dir;
  const auto file = dir.write("secret.eml", "Subject: x\n\nbody\n");
  fs::permissions(file, fs::perms::none);
  for (const std::string cmd : {"bounce", "log", "headers"}) {
    const auto r = run_as_nobody({cmd, file.string()});
    if (!r) {
      WARN("SKIP: cannot drop privileges with setpriv; unreadable-file case not run");
      return;
    }
    INFO(cmd << " stderr: " << r->err << "\nstdout: " << r->out);
    CHECK(r->exit_code == 3);
    CHECK(r->err.find("secret.eml") != std::string::npos);
    CHECK(error_lines(r->err));
  }
}

TEST_CASE("reliability: a missing file is named in a one-line error, exit 3", "[cli][reliability]") {
  for (const std::string cmd : {"bounce", "log", "headers"}) {
    const auto r = run_maildiag({cmd, "/nonexistent/maildiag-no-such-file"});
    INFO(cmd << " stderr: " << r.err);
    CHECK(r.exit_code == 3);
    CHECK(error_lines(r.err));
    CHECK(r.err.find("maildiag-no-such-file") != std::string::npos);
  }
}

/// Binary noise with mail- and log-looking pieces in it, so the parsers go past their first checks.
std::string noise() {
  std::string bytes = "From: \x1b[31mMAILER-DAEMON\x07\r\nSubject: \x1b]0;owned\x07 failure \xc2\x9b" "2J "
                      "\xe2\x80\xae" "fdp.exe\r\nContent-Type: multipart/report; boundary=b\r\n\r\n--b\r\n" +
                      binary_bytes(64 * 1024, 7) + "\r\n550 5.1.1 \x1b[2J user";
  bytes += '\0';
  bytes += "unknown\r\n--b--\r\n";
  bytes += "Nov 23 05:10:01 vm postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[1.2.3.4]: 550 \x1b[2J\xc2\x9b" +
           binary_bytes(4096, 11) + "\n";
  return bytes;
}

const std::vector<std::vector<std::string>> kFileCommands = {{"bounce"}, {"log", "--all"}, {"log", "--summary"}, {"headers"}};

TEST_CASE("reliability: binary input never reaches the terminal raw", "[cli][reliability]") {
  TempDir dir;
  const auto file = dir.write("noise.bin", noise());
  for (auto args : kFileCommands) {
    args.push_back(file.string());
    const auto r = run_maildiag(args, {}, {}, std::chrono::seconds(60));
    INFO(args[0] << " exit " << r.exit_code << "\nstderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code >= 0);
    CHECK(r.exit_code <= 3);
    CHECK(terminal_safe(r.out));
    CHECK(terminal_safe(r.err));
  }
  for (const std::string cmd : {"bounce", "headers"}) {
    const auto j = run_maildiag({"--json", cmd, file.string()});
    INFO(cmd << " stderr: " << j.err);
    CHECK(j.exit_code >= 0);
    CHECK(j.exit_code <= 3);
    CHECK_NOTHROW(nlohmann::json::parse(j.out.substr(0, j.out.find('\n'))));
  }
}

// F2 (fixed): the text renderer passes every string through util::terminal_safe, which replaces
// C1 controls and bidi controls as well as C0 controls and invalid UTF-8.
TEST_CASE("reliability: C1 controls and bidi overrides in input are not printed raw",
          "[cli][reliability]") {
  TempDir dir;
  const auto file = dir.write("noise.bin", noise());
  for (auto args : kFileCommands) {
    args.push_back(file.string());
    const auto r = run_maildiag(args);
    INFO(args[0] << " stdout: " << r.out.substr(0, 2000));
    CHECK(no_c1_or_bidi(r.out));
  }
}

TEST_CASE("reliability: a reply with control bytes given to explain is printed sanitised", "[cli][reliability]") {
  const auto r = run_maildiag({"explain", "-"}, "550 5.7.1 \x1b[31mred\x1b[0m \x07 blocked \x9b\r\n");
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK(terminal_safe(r.out));
  CHECK(r.out.find("red") != std::string::npos);
}

TEST_CASE("reliability: stdout closed by the reader: exit 3, not killed by SIGPIPE", "[cli][reliability]") {
  const int status = run_with_closed_stdout({"explain", "550", "5.1.1"});
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
}

TEST_CASE("reliability: stdout on a full device: exit 3", "[cli][reliability]") {
  if (::access("/dev/full", W_OK) != 0) {
    WARN("SKIP: /dev/full is not available");
    return;
  }
  const auto r = run_process({"sh", "-c", "exec \"$0\" explain 550 5.1.1 >/dev/full", MAILDIAG_BIN});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 3);
}

/// Peak RSS (KiB) of maildiag CMD FILE, measured with GNU time; -1 when it cannot be read.
long peak_rss_kb(const std::string& cmd, const fs::path& file, ProcessResult& r) {
  r = run_process({"/usr/bin/time", "-f", "maxrss_kb=%M", MAILDIAG_BIN, cmd, file.string()}, {}, {},
                  std::chrono::seconds(120));
  const auto at = r.err.rfind("maxrss_kb=");
  return at == std::string::npos ? -1 : std::strtol(r.err.c_str() + at + 10, nullptr, 10);
}

/// 1 GiB without a single newline after the first line, as a sparse file (no disk space used):
/// a reader that buffers "the line" whole needs a gigabyte.
fs::path huge_file(const TempDir& dir) {
  const auto file = dir.path() / "huge.eml";
  std::ofstream(file) << "Subject: huge\n";
  fs::resize_file(file, std::uintmax_t{1} << 30);
  return file;
}

constexpr long kHugeRssBoundKb = 768 * 1024;  // limits allow tens of MiB (ASan adds its share)

TEST_CASE("reliability: a huge single-line input is read within bounded memory", "[cli][reliability]") {
  TempDir dir;
  const auto file = huge_file(dir);
  for (const std::string cmd : {"log", "headers"}) {
    ProcessResult r;
    const long rss_kb = peak_rss_kb(cmd, file, r);
    INFO(cmd << " exit " << r.exit_code << "\nstderr: " << r.err.substr(0, 2000));
    CHECK_FALSE(r.timed_out);
    REQUIRE(rss_kb > 0);
    CHECK(rss_kb < kHugeRssBoundKb);
    CHECK(r.exit_code == 3);  // nothing usable in it: UNKNOWN, with a finding or a one-line error
  }
}

// F4 (fixed): the bounce reader reads lines in 64 KiB pieces, keeps at most --max-message-size
// (64 MiB) of a message and reports the cut.
TEST_CASE("reliability: bounce reads a huge single-line input within bounded memory",
          "[cli][reliability]") {
  TempDir dir;
  const auto file = huge_file(dir);
  ProcessResult r;
  const long rss_kb = peak_rss_kb("bounce", file, r);
  INFO("exit " << r.exit_code << "\nstderr: " << r.err.substr(0, 2000));
  CHECK_FALSE(r.timed_out);
  REQUIRE(rss_kb > 0);
  CHECK(rss_kb < kHugeRssBoundKb);
  CHECK(r.out.find("64") != std::string::npos);  // the cut is reported ("... first 64 MiB ...")
}
