// The Simplified Chinese sentences of `maildiag smtp-test` (session, transaction, AUTH, interactive mode).
// Ids are "smtp.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& smtp_zh() {
  static const Table k{
  };
  return k;
}

}  // namespace maildiag::i18n::detail
