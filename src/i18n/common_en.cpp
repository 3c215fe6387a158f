// The English sentences of sentences shared by several subcommands (interrupted runs, credentials, resolvers, input errors).
// Ids are "common.<what>"; "{}" marks an argument (i18n::format). Protocol tokens (commands, codes,
// header and capability names) stay untranslated inside the sentences.

#include "catalog_data.hpp"

namespace maildiag::i18n::detail {

const Table& common_en() {
  static const Table k{
      // Inputs that cannot be read (a file named on the command line, or stdin).
      {"common.input.cannot-open.errno", "cannot open {}: {}"},
      {"common.input.cannot-read.errno", "cannot read {}: {}"},
      {"common.input.cannot-read", "cannot read {}"},
      {"common.input.directory", "{} is a directory"},
      // `maildiag explain` given something that is not a reply (the parser says why, in English).
      {"common.explain.cannot-explain", "cannot explain \"{}\": {}"},
      // A run stopped by Ctrl-C or SIGTERM (app/interrupted.hpp); the signal's name stays as it is.
      {"common.interrupted.title", "Interrupted by {} while waiting for {}"},
      {"common.interrupted.title.none", "Not interrupted while waiting for {}"},
      {"common.interrupted.signal", "signal {}"},
      {"common.interrupted.detail", "The run was stopped before it finished; the results are what was seen until then."},
      {"common.interrupted.fix", "Run the check again and let it finish (use --timeout to bound slow steps)."},
  };
  return k;
}

}  // namespace maildiag::i18n::detail
