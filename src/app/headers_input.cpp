// Reading header sections for `maildiag headers`: files, mboxes and stdin, streamed in large
// chunks through message::HeaderStream so memory stays at one header section.

#include "maildiag/app/headers.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/message/header_block.hpp"
#include "maildiag/message/header_stream.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace maildiag::app {

namespace {

constexpr std::size_t kChunk = 1u << 20;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdin) std::fclose(f);
  }
};

void stream(std::FILE* f, const std::string& source, const std::function<void(const HeaderInput&)>& each,
            const std::function<void(const std::string&)>& error) {
  message::HeaderStream hs([&](const message::HeaderStream::Message& m) {
    HeaderInput in;
    in.source = m.mbox ? source + "#" + std::to_string(m.index) : source;
    in.headers = m.headers;
    in.cut = m.cut;
    in.mbox = m.mbox;
    each(in);
  });
  std::vector<char> buf(kChunk);
  while (true) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n > 0) hs.feed(std::string_view(buf.data(), n));
    if (n < buf.size()) {
      if (std::ferror(f) != 0) error(i18n::format("headers.input.cannot-read", {source, std::strerror(errno)}));
      break;
    }
  }
  hs.finish();
  if (hs.messages() == 0) error(i18n::format("headers.input.empty", {source}));
}

}  // namespace

bool looks_like_junk(std::string_view headers) {
  std::size_t control = 0;
  const std::size_t probe = std::min<std::size_t>(headers.size(), 4096);
  for (std::size_t i = 0; i < probe; ++i) {
    const auto c = static_cast<unsigned char>(headers[i]);
    if (c == 0 || (c < 32 && c != '\t' && c != '\r' && c != '\n')) ++control;
  }
  if (control * 20 > probe) return true;  // more than 5% control bytes: not text
  return message::parse_headers(headers.substr(0, probe)).headers.empty();
}

void for_each_header_section(const std::vector<std::string>& inputs,
                             const std::function<void(const HeaderInput&)>& each,
                             const std::function<void(const std::string&)>& error) {
  const std::vector<std::string> list = inputs.empty() ? std::vector<std::string>{"-"} : inputs;
  for (const auto& path : list) {
    if (path == "-") {
      stream(stdin, "-", each, error);
      continue;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      error(i18n::format("headers.input.directory", {path}));
      continue;
    }
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
      error(i18n::format("headers.input.cannot-read", {path, std::strerror(errno)}));
      continue;
    }
    stream(f.get(), path, each, error);
  }
}

}  // namespace maildiag::app
