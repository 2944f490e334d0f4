#include "cli/targets.h"

namespace pgconn::cli {

std::vector<config::Target> selected_targets(const Flags& flags, const config::Config& config) {
  auto wanted = flags.option("target");
  if (!wanted) return config.targets;
  std::string known;
  for (const auto& target : config.targets) {
    if (target.name == *wanted) return {target};
    known += (known.empty() ? "" : ", ") + target.name;
  }
  throw UsageError("unknown target \"" + *wanted + "\" (configured: " + known + ")");
}

}  // namespace pgconn::cli
