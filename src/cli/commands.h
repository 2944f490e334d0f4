// Operator subcommands. They reuse the daemon's config, collectors, snapshot
// and threshold logic; only the output differs.
#pragma once

#include "cli/flags.h"
#include "config/config.h"

namespace pgconn::cli {

// Validates the file named by the first argument; prints a summary with
// passwords redacted. Exit status 0 when valid, 2 otherwise.
int check_config(const Flags& flags);

}  // namespace pgconn::cli
