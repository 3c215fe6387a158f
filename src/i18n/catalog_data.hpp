#pragma once
// i18n-private: the catalogs' raw tables, one per area and language (src/i18n/<area>_<lang>.cpp;
// the classifier's and the renderer's own sentences are the "core" tables catalog_en.cpp and
// catalog_zh.cpp). catalog.cpp indexes all of them; an id is unique across areas.

#include <string_view>
#include <vector>

namespace maildiag::i18n::detail {

struct Entry {
  std::string_view id;
  std::string_view text;
};
using Table = std::vector<Entry>;

const Table& catalog_en();
const Table& catalog_zh();
const Table& mx_en();
const Table& mx_zh();
const Table& probe_en();
const Table& probe_zh();
const Table& smtp_en();
const Table& smtp_zh();
const Table& tls_en();
const Table& tls_zh();
const Table& pop3_en();
const Table& pop3_zh();
const Table& imap_en();
const Table& imap_zh();
const Table& headers_en();
const Table& headers_zh();
const Table& bounce_en();
const Table& bounce_zh();
const Table& log_en();
const Table& log_zh();
const Table& diagnose_en();
const Table& diagnose_zh();
const Table& common_en();
const Table& common_zh();

/// Every table of a language, core first.
const std::vector<const Table*>& tables_en();
const std::vector<const Table*>& tables_zh();

}  // namespace maildiag::i18n::detail
