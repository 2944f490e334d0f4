#include "cli/flags.h"

#include <map>
#include <set>

namespace pgconn::cli {
namespace {

// Each command with the options it accepts, so a misplaced option (say
// `diagnose --execute`) is an error instead of being silently ignored.
const std::map<std::string, std::set<std::string>> kCommands = {
    {"check-config", {}},
    {"monitor", {"target", "interval", "by", "once"}},
    {"diagnose", {"target", "format"}},
    {"reset", {"target", "application", "user", "database", "client-addr", "state", "older-than", "execute"}},
};
// Subcommand options that take a value; the rest are switches.
const std::set<std::string> kValueOptions = {"target",   "interval",    "by",    "format",    "application",
                                             "user",     "database",    "client-addr", "state", "older-than"};
const std::set<std::string> kSwitches = {"once", "execute"};

}  // namespace

std::string usage_text() {
  return R"(usage: pgconn_exporter [flags]                  run the exporter
       pgconn_exporter check-config FILE           validate a configuration file
       pgconn_exporter monitor  [--target NAME] [--interval 2s] [--by application|address] [--once]
       pgconn_exporter diagnose [--target NAME] [--format text|json]
       pgconn_exporter reset --target NAME [--application A] [--user U] [--database D]
                             [--client-addr 10.0.3.7|10.0.3.0/24|local]
                             [--state idle|idle_in_transaction] [--older-than 10m] [--execute]

flags:
  --config.file=FILE           TOML configuration (default: one target from DATABASE_URL or PGCONN_DSN)
  --web.listen-address=ADDR    host:port to serve /metrics on (default 127.0.0.1:9188)
  --log.level=LEVEL            debug, info, warn or error (default info)
  --log.format=FORMAT          logfmt or json (default logfmt)
  --version                    print the version and exit
  --help                       print this text and exit

monitor, diagnose and reset read the same configuration as the exporter and
log only errors unless --log.level is given. reset lists what it would
terminate; it terminates only with --execute, and refuses to run without a filter.
)";
}

Flags parse(const std::vector<std::string>& args) {
  Flags flags;
  bool log_level_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      if (flags.command.empty() && kCommands.count(arg)) flags.command = arg;
      else if (flags.command == "check-config") flags.arguments.push_back(arg);
      else if (!flags.command.empty()) throw UsageError(flags.command + " takes no argument \"" + arg + "\"");
      else throw UsageError("unknown command \"" + arg + "\" (see --help)");
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto take_value = [&]() -> std::string {
      if (value) return *value;
      if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
      return args[++i];
    };
    log_level_given = log_level_given || name == "log.level";
    if (name == "version") flags.version = true;
    else if (name == "help") flags.help = true;
    else if (name == "config.file") flags.config_file = take_value();
    else if (name == "web.listen-address") flags.listen_address = take_value();
    else if (name == "log.level") flags.log_level = take_value();
    else if (name == "log.format") flags.log_format = take_value();
    else if (flags.command.empty() || !kCommands.at(flags.command).count(name)) {
      bool known = kValueOptions.count(name) || kSwitches.count(name);
      throw UsageError(known && !flags.command.empty() ? "--" + name + " is not an option of " + flags.command
                                                       : "unknown flag --" + name + " (see --help)");
    }
    else if (kValueOptions.count(name)) flags.options[name] = take_value();
    else if (!value) flags.options[name] = "true";
    else throw UsageError("--" + name + " takes no value");
  }
  // Operator commands report failures in their own output (and monitor owns
  // the screen), so the poller's info and warn lines would only be noise.
  if (!log_level_given && !flags.command.empty() && flags.command != "check-config") flags.log_level = "error";
  return flags;
}

}  // namespace pgconn::cli
