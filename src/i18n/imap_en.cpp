// The English sentences of `maildiag imap-test` and the IMAP response classifier.
// Ids are "imap.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& imap_en() {
  static const Table k{
  };
  return k;
}

}  // namespace maildiag::i18n::detail
