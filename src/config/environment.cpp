// The configuration without a file: one target from the environment. A DSN
// with a password belongs in a file (DATABASE_URL_FILE, PGCONN_DSN_FILE, e.g.
// a mounted secret) rather than in the environment, which `ps e` and
// /proc/PID/environ show to anyone allowed to inspect the process.
#include <cstdlib>

#include "config/config.h"
#include "config/dsn.h"
#include "config/secret_file.h"

namespace pgconn::config {
namespace {

// Reads the DSN from `path`; errors name the variable and the file, never its content.
std::string read_dsn_file(const std::string& variable, const std::string& path) {
  std::string reason;
  std::optional<std::string> read = read_secret_file(path, &reason);
  if (!read) throw ConfigError(path, variable, 0, 0, reason);
  std::string text = *read;
  // A DSN never ends in white space.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.pop_back();
  }
  if (text.empty()) throw ConfigError(path, variable, 0, 0, "the file is empty; expected one DSN");
  return text;
}

const char* non_empty_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value && *value ? value : nullptr;
}

}  // namespace

Config from_environment() {
  for (std::string name : {"DATABASE_URL", "PGCONN_DSN"}) {
    const char* value = non_empty_env(name);
    const char* file = non_empty_env(name + "_FILE");
    if (value && file) {
      throw ConfigError("(environment)", name, 0, 0, "set either " + name + " or " + name + "_FILE, not both");
    }
    if (!value && !file) continue;
    std::string dsn = value ? std::string(value) : read_dsn_file(name + "_FILE", file);
    if (auto problem = dsn_problem(dsn)) {
      throw ConfigError(file ? file : "(environment)", file ? name + "_FILE" : name, 0, 0, "invalid dsn: " + *problem);
    }
    Config config;
    Target target;
    target.name = "default";
    target.dsn = dsn;
    target.thresholds = config.thresholds;
    config.targets.push_back(target);
    return config;
  }
  throw ConfigError("(environment)", "DATABASE_URL", 0, 0,
                    "no --config.file given and none of DATABASE_URL, DATABASE_URL_FILE, PGCONN_DSN or "
                    "PGCONN_DSN_FILE is set");
}

}  // namespace pgconn::config
