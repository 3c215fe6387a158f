#include "maildiag/dns/idn.hpp"

#include "maildiag/util/text.hpp"

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace maildiag::dns {

namespace {

struct FreeDeleter {
  void operator()(char* p) const { idn2_free(p); }
};

bool has_non_ascii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

/// Host-name syntax on the ASCII form; returns an error message or empty.
std::string check_ldh(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.size() > 253) return "longer than 253 characters";
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    const auto label = name.substr(start, dot - start);
    if (label.empty()) return "empty label (two dots in a row?)";
    if (label.size() > 63) return "a label is longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "a label starts or ends with '-'";
    for (const char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) return std::string("invalid character '") + util::sanitize(std::string_view(&c, 1)) + "'";
    }
    start = dot + 1;
  }
  return {};
}

}  // namespace

std::string DomainName::display() const { return is_idn() ? unicode + " (" + ascii + ")" : ascii; }

std::optional<DomainName> normalize_domain(std::string_view input, std::string* error) {
  const auto fail = [&](std::string_view why) -> std::optional<DomainName> {
    if (error != nullptr) *error = "invalid domain \"" + util::sanitize(input, 80) + "\": " + std::string(why);
    return std::nullopt;
  };
  auto s = util::trim(input);
  if (s.size() > 1 && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s == ".") return fail("empty name");
  if (s.size() > 1024) return fail("too long");
  DomainName d;
  if (has_non_ascii(s)) {
    if (!util::is_clean_text(s)) return fail("not valid UTF-8");
    char* out = nullptr;
    const std::string in(s);
    const int rc = idn2_to_ascii_8z(in.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    std::unique_ptr<char, FreeDeleter> guard(out);
    if (rc != IDN2_OK) return fail(idn2_strerror(rc));
    d.ascii = util::to_lower(out);
  } else {
    d.ascii = util::to_lower(s);
  }
  if (auto why = check_ldh(d.ascii); !why.empty()) return fail(why);
  d.unicode = to_unicode(d.ascii);
  return d;
}

bool has_a_label(std::string_view ascii_name) { return util::ifind(ascii_name, "xn--") != std::string_view::npos; }

std::string to_unicode(std::string_view ascii_name) {
  if (!has_a_label(ascii_name)) return std::string(ascii_name);
  char* out = nullptr;
  const std::string in(ascii_name);
  const int rc = idn2_to_unicode_8z8z(in.c_str(), &out, 0);
  std::unique_ptr<char, FreeDeleter> guard(out);
  if (rc != IDN2_OK || out == nullptr || !util::is_clean_text(out)) return std::string(ascii_name);
  return out;
}

}  // namespace maildiag::dns
