// The Simplified Chinese sentences of sentences shared by several subcommands (interrupted runs, credentials, resolvers, input errors).
// Ids are "common.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& common_zh() {
  static const Table k{
  };
  return k;
}

}  // namespace maildiag::i18n::detail
