#include <iostream>

#include "cli/commands.h"
#include "config/dsn.h"
#include "text/format.h"

namespace pgconn::cli {

int check_config(const Flags& flags) {
  if (flags.arguments.size() != 1) {
    std::cerr << "pgconn_exporter: check-config takes exactly one FILE\n";
    return 2;
  }
  config::Config config;
  try {
    config = config::load(flags.arguments[0]);
  } catch (const config::ConfigError& e) {
    std::cerr << "pgconn_exporter: invalid configuration: " << e.what() << "\n";
    return 2;
  }
  std::cout << flags.arguments[0] << ": valid, " << config.targets.size() << " target(s), poll every "
            << config::format_duration(config.poll_interval) << " (timeout "
            << config::format_duration(config.poll_timeout) << "), listen " << config.listen_address << "\n";
  for (const auto& t : config.targets) {
    // A loaded configuration's DSNs all parse (config::dsn_problem).
    std::cout << "  " << t.name << ": " << text::printable(config::redact_dsn(t.dsn).value_or(""));
    if (t.connection_limit) std::cout << " (connection_limit " << *t.connection_limit << ")";
    if (!t.applications.empty()) std::cout << ", " << t.applications.size() << " declared application(s)";
    std::cout << "\n";
  }
  return 0;
}

}  // namespace pgconn::cli
