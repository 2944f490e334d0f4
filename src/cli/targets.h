// Which configured targets an operator command works on.
#pragma once

#include <vector>

#include "cli/flags.h"
#include "config/config.h"

namespace pgconn::cli {

// The target named by --target, or every configured target without it.
// Throws UsageError for an unknown name, listing the configured ones.
std::vector<config::Target> selected_targets(const Flags& flags, const config::Config& config);

}  // namespace pgconn::cli
