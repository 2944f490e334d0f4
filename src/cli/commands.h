// Operator subcommands. They reuse the daemon's config, collectors, snapshot
// and threshold logic; only the output differs. Each returns the process's
// exit status; 2 means a usage error or an unreachable target.
#pragma once

#include "cli/flags.h"
#include "config/config.h"

namespace pgconn::cli {

// Validates the file named by the first argument; prints a summary with
// passwords redacted. Exit status 0 when valid, 2 otherwise.
int check_config(const Flags& flags);

// Live view of usage, states and applications per target, redrawn every
// --interval until q or Ctrl-C; --once prints one frame. Exit status 0.
int monitor(const Flags& flags, const config::Config& config);

// One poll per target, then the findings. Exit status 0 when healthy (info
// findings at most), 1 on warnings, 2 on critical findings or no connection.
int diagnose(const Flags& flags, const config::Config& config);

// Lists, and with --execute terminates, the client backends of --target
// matching every filter. Exit status 0 done, 1 when some backend could not
// be terminated, 2 when refused (no filter, no privilege) or unreachable.
int reset(const Flags& flags, const config::Config& config);

}  // namespace pgconn::cli
