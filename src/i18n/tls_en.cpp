// The English sentences of the TLS report shared by smtp-test, pop3-test, imap-test and probe.
// Ids are "tls.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& tls_en() {
  static const Table k{
  };
  return k;
}

}  // namespace maildiag::i18n::detail
