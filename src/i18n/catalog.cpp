#include "maildiag/i18n/catalog.hpp"

#include "catalog_data.hpp"
#include "maildiag/util/text.hpp"

#include <cstdlib>
#include <algorithm>
#include <vector>

namespace maildiag::i18n {

namespace {

Lang g_lang = Lang::en;

/// Every entry of one language, sorted by id: one allocation and a sort at first use (a hash map
/// cost ~2,800 node allocations at start and as many frees at exit, for a CLI that looks up a few
/// dozen sentences per run).
using Index = std::vector<detail::Entry>;

Index make_index(const std::vector<const detail::Table*>& tables) {
  Index i;
  std::size_t n = 0;
  for (const auto* t : tables) n += t->size();
  i.reserve(n);
  for (const auto* t : tables) i.insert(i.end(), t->begin(), t->end());
  // Stable, so that a duplicated id resolves to its first table as emplace() did.
  std::stable_sort(i.begin(), i.end(), [](const detail::Entry& a, const detail::Entry& b) { return a.id < b.id; });
  return i;
}

const Index& index(Lang lang) {
  if (lang == Lang::zh) {
    static const Index zh = make_index(detail::tables_zh());
    return zh;
  }
  static const Index en = make_index(detail::tables_en());
  return en;
}

const std::string_view* find(Lang lang, std::string_view id) {
  const auto& i = index(lang);
  auto it = std::lower_bound(i.begin(), i.end(), id, [](const detail::Entry& e, std::string_view k) { return e.id < k; });
  return it == i.end() || it->id != id ? nullptr : &it->text;
}

}  // namespace

namespace detail {

const std::vector<const Table*>& tables_en() {
  static const std::vector<const Table*> t{&catalog_en(), &mx_en(), &probe_en(), &smtp_en(), &tls_en(), &pop3_en(), &imap_en(), &headers_en(), &bounce_en(), &log_en(), &diagnose_en(), &common_en()};
  return t;
}

const std::vector<const Table*>& tables_zh() {
  static const std::vector<const Table*> t{&catalog_zh(), &mx_zh(), &probe_zh(), &smtp_zh(), &tls_zh(), &pop3_zh(), &imap_zh(), &headers_zh(), &bounce_zh(), &log_zh(), &diagnose_zh(), &common_zh()};
  return t;
}

}  // namespace detail

void set_language(Lang lang) { g_lang = lang; }
Lang language() { return g_lang; }

std::optional<Lang> lang_from_string(std::string_view s) {
  if (util::istarts_with(s, "zh")) return Lang::zh;
  if (util::istarts_with(s, "en") || s == "C" || s == "POSIX" || util::istarts_with(s, "C.")) return Lang::en;
  return std::nullopt;
}

Lang lang_from_environment() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0') continue;
    return lang_from_string(v).value_or(Lang::en);  // the first one set decides, as in POSIX
  }
  return Lang::en;
}

std::string_view msg_or(std::string_view id, std::string_view fallback) {
  if (const auto* t = find(g_lang, id)) return *t;
  if (const auto* t = find(Lang::en, id)) return *t;
  return fallback;
}

std::string_view msg(std::string_view id) { return msg_or(id, id); }

std::string text(std::string_view id) { return std::string(msg(id)); }

std::string format(std::string_view id, const std::vector<std::string>& args) {
  const std::string_view pattern = msg(id);
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
      if (next < args.size()) out += args[next++];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::vector<std::string_view> ids(Lang lang) {
  std::vector<std::string_view> out;
  for (const auto* t : lang == Lang::zh ? detail::tables_zh() : detail::tables_en()) {
    for (const auto& e : *t) out.push_back(e.id);
  }
  return out;
}

}  // namespace maildiag::i18n
