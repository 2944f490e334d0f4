#include "cli/flags.h"

#include <set>

namespace pgconn::cli {
namespace {

const std::set<std::string> kCommands = {"check-config"};
// Subcommand options that take a value; the rest are switches.
const std::set<std::string> kValueOptions = {"target", "interval", "format", "application", "user",
                                             "database", "state", "older-than"};
const std::set<std::string> kSwitches = {"once", "execute"};

}  // namespace

std::string usage_text() {
  return R"(usage: pgconn_exporter [flags]                  run the exporter
       pgconn_exporter check-config FILE           validate a configuration file
       pgconn_exporter monitor  [--target NAME] [--interval 2s] [--once]
       pgconn_exporter diagnose [--target NAME] [--format text|json]
       pgconn_exporter reset --target NAME [--application A] [--user U] [--database D]
                             [--state idle|idle_in_transaction] [--older-than 10m] [--execute]

flags:
  --config.file=FILE           TOML configuration (default: one target from DATABASE_URL or PGCONN_DSN)
  --web.listen-address=ADDR    host:port to serve /metrics on (default 127.0.0.1:9188)
  --log.level=LEVEL            debug, info, warn or error (default info)
  --log.format=FORMAT          logfmt or json (default logfmt)
  --version                    print the version and exit
  --help                       print this text and exit
)";
}

Flags parse(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      if (flags.command.empty() && kCommands.count(arg)) flags.command = arg;
      else if (!flags.command.empty()) flags.arguments.push_back(arg);
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
    if (name == "version") flags.version = true;
    else if (name == "help") flags.help = true;
    else if (name == "config.file") flags.config_file = take_value();
    else if (name == "web.listen-address") flags.listen_address = take_value();
    else if (name == "log.level") flags.log_level = take_value();
    else if (name == "log.format") flags.log_format = take_value();
    else if (!flags.command.empty() && kValueOptions.count(name)) flags.options[name] = take_value();
    else if (!flags.command.empty() && kSwitches.count(name) && !value) flags.options[name] = "true";
    else throw UsageError("unknown flag --" + name + " (see --help)");
  }
  return flags;
}

}  // namespace pgconn::cli
