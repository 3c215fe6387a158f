#pragma once
/// The DNS configuration every subcommand derives from the global options: all --dns-server
/// values in order (the system's resolver when none), the --timeout as the whole lookup budget.

#include "maildiag/app/common.hpp"
#include "maildiag/dns/resolver.hpp"

#include <optional>
#include <string>

namespace maildiag::app {

/// nullopt with a one-line *error when a --dns-server value is not HOST[:PORT].
std::optional<dns::ResolverConfig> resolver_config(const CommonOptions& common, std::string* error);

}  // namespace maildiag::app
