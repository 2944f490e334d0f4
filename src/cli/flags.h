// Command-line parsing: flags in Prometheus exporter style plus subcommands.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgconn::cli {

struct Flags {
  std::string command;  // "" (run the daemon), "check-config", "monitor", "diagnose", "reset"
  std::vector<std::string> arguments;  // positional arguments after the command (check-config only)
  std::optional<std::string> config_file;
  std::optional<std::string> listen_address;
  std::string log_level = "info";  // "error" for monitor, diagnose and reset unless given
  std::string log_format = "logfmt";
  bool version = false;
  bool help = false;
  // Subcommand options such as --target, --interval, --format, --execute;
  // only those the command accepts. A switch maps to "true".
  std::map<std::string, std::string> options;

  std::optional<std::string> option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UsageError naming the offending argument.
Flags parse(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace pgconn::cli
