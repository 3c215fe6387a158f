#include "maildiag/app/resolver_config.hpp"

namespace maildiag::app {

std::optional<dns::ResolverConfig> resolver_config(const CommonOptions& common, std::string* error) {
  dns::ResolverConfig cfg;
  for (const auto& value : common.dns_servers) {
    auto list = dns::parse_server_list(value, error);
    if (!list) return std::nullopt;
    cfg.servers.insert(cfg.servers.end(), list->begin(), list->end());
  }
  cfg.budget = common.timeout;
  return cfg;
}

}  // namespace maildiag::app
