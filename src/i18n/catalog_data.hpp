#pragma once
// i18n-private: the catalogs' raw tables.

#include <string_view>
#include <vector>

namespace maildiag::i18n::detail {

struct Entry {
  std::string_view id;
  std::string_view text;
};
const std::vector<Entry>& catalog_en();
const std::vector<Entry>& catalog_zh();

}  // namespace maildiag::i18n::detail
