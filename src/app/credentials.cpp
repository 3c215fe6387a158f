#include "maildiag/app/credentials.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/base64.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace maildiag::app {

namespace {

constexpr std::size_t kMaxSecret = 4096;

std::optional<std::string> from_file(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = i18n::format("smtp.password.file.unreadable", {path});
    return std::nullopt;
  }
  std::string line;
  std::getline(f, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    *error = i18n::format("smtp.password.file.empty", {path});
    return std::nullopt;
  }
  if (line.size() > kMaxSecret) {
    *error = i18n::format("smtp.password.file.too-long", {path});
    return std::nullopt;
  }
  return line;
}

std::optional<std::string> from_tty(const std::string& prompt, std::string* error) {
  const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    *error = i18n::msg("smtp.password.no-terminal");
    return std::nullopt;
  }
  termios old{};
  const bool is_tty = tcgetattr(fd, &old) == 0;
  if (is_tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string secret;
  char c = 0;
  while (secret.size() <= kMaxSecret && ::read(fd, &c, 1) == 1 && c != '\n') {
    if (c != '\r') secret.push_back(c);
  }
  if (is_tty) tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (secret.empty()) {
    *error = i18n::msg("smtp.password.empty");
    return std::nullopt;
  }
  return secret;
}

}  // namespace

std::optional<std::string> read_secret(const SecretSource& source, std::string* error) {
  std::string ignored;
  std::string& err = error != nullptr ? *error : ignored;
  if (source.file) return from_file(*source.file, &err);
  if (const char* v = std::getenv(source.env.c_str()); v != nullptr && *v != '\0') return std::string(v);
  if (!source.allow_prompt) {
    err = i18n::format("smtp.password.none", {source.env});
    return std::nullopt;
  }
  return from_tty(source.prompt.empty() ? std::string(i18n::msg("smtp.password.prompt")) : source.prompt, &err);
}

void Redactor::add_secret(std::string_view secret) {
  if (secret.empty()) return;
  for (std::string s : {std::string(secret), util::base64_encode(secret)}) {
    if (std::find(needles_.begin(), needles_.end(), s) == needles_.end()) needles_.push_back(std::move(s));
  }
  std::sort(needles_.begin(), needles_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void Redactor::add_credentials(std::string_view user, std::string_view secret) {
  add_secret(secret);
  std::string plain;
  plain.push_back('\0');
  plain.append(user);
  plain.push_back('\0');
  plain.append(secret);
  add_secret(plain);
  add_secret(std::string(user) + plain);  // authzid = user
  add_secret("user=" + std::string(user) + "\x01" + "auth=Bearer " + std::string(secret) + "\x01\x01");
}

std::string Redactor::apply(std::string_view text) const {
  std::string out(text);
  for (const auto& n : needles_) {
    for (std::size_t pos = out.find(n); pos != std::string::npos; pos = out.find(n, pos + kMask.size())) {
      out.replace(pos, n.size(), kMask);
    }
  }
  return out;
}

}  // namespace maildiag::app
