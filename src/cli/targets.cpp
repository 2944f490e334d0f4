#include "cli/targets.h"

namespace pgconn::cli {

std::vector<config::Target> selected_targets(const Flags& flags, const config::Config& config) {
  auto wanted = flags.options.find("target");
  if (wanted == flags.options.end()) return config.targets;
  std::string known;
  for (const auto& target : config.targets) {
    if (target.name == wanted->second) return {target};
    known += (known.empty() ? "" : ", ") + target.name;
  }
  throw UsageError("unknown target \"" + wanted->second + "\" (configured: " + known + ")");
}

}  // namespace pgconn::cli
