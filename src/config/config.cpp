#include "config/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "config/dsn.h"
#include "config/secret_file.h"
#include "config/table_reader.h"
#include "config/web.h"

namespace pgconn::config {
namespace {

std::string position_prefix(const std::string& file, int line, int column) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

constexpr int64_t kMaxCount = 1000000;

Thresholds read_thresholds(TableReader reader, Thresholds t) {
  if (auto v = reader.integer("connections_warning", 1, kMaxCount)) t.connections_warning = v;
  if (auto v = reader.integer("connections_critical", 1, kMaxCount)) t.connections_critical = v;
  if (auto v = reader.number("utilization_warning", 0.01, 1.0)) t.utilization_warning = *v;
  if (auto v = reader.number("utilization_critical", 0.01, 1.0)) t.utilization_critical = *v;
  if (auto v = reader.number("idle_in_transaction_seconds", 1, 1e7)) t.idle_in_transaction_seconds = *v;
  if (auto v = reader.number("connection_age_seconds", 1, 1e8)) t.connection_age_seconds = *v;
  reader.finish();
  return t;
}

// Warning must not exceed critical; checked after a table and its defaults
// merge, and reported at whichever of the two keys this table sets.
void check_threshold_order(const Thresholds& t, const toml::table& table, TableReader& reader,
                           const std::string& path) {
  auto fail_at = [&](const char* warning, const char* critical, const std::string& message) {
    const char* key = table.get(warning) ? warning : critical;
    const toml::node* node = table.get(key);
    reader.fail(node ? *node : static_cast<const toml::node&>(table), path + "." + key, message);
  };
  if (t.connections_warning && t.connections_critical && *t.connections_warning > *t.connections_critical) {
    fail_at("connections_warning", "connections_critical", "connections_warning must not exceed connections_critical");
  }
  if (t.utilization_warning > t.utilization_critical) {
    fail_at("utilization_warning", "utilization_critical", "utilization_warning must not exceed utilization_critical");
  }
}

// Durations libpq and the poller can honour: libpq takes its timeouts in
// (int) milliseconds, and a poll more than a day apart watches nothing.
void check_duration(TableReader& reader, const toml::table& table, const char* key, Duration value, Duration max) {
  if (value.count() < 100 || value > max) {
    reader.fail(*table.get(key), key, "must be between 100ms and " + format_duration(max));
  }
}

bool valid_target_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

DeclaredApplication read_application(TableReader reader, const toml::table& raw) {
  DeclaredApplication app;
  auto name = reader.string("name");
  if (!name || name->empty()) {
    reader.fail(raw, "name", "every declared application needs a name");
  }
  app.name = *name;
  if (auto v = reader.integer("pool_size", 0, kMaxCount)) app.pool_size = *v;
  if (auto v = reader.integer("max_overflow", 0, kMaxCount)) app.max_overflow = *v;
  if (auto v = reader.integer("processes", 1, kMaxCount)) app.processes = *v;
  reader.finish();
  return app;
}

DeclaredPooler read_pooler(TableReader reader, const toml::table& raw) {
  DeclaredPooler pooler;
  if (auto v = reader.string("pool_mode")) {
    if (*v != "session" && *v != "transaction" && *v != "statement") {
      reader.fail(*raw.get("pool_mode"), "pool_mode", "must be session, transaction or statement");
    }
    pooler.pool_mode = *v;
  }
  if (auto v = reader.integer("pool_size", 1, kMaxCount)) pooler.pool_size = *v;
  if (auto v = reader.integer("max_client_connections", 1, kMaxCount)) pooler.max_client_connections = *v;
  reader.finish();
  return pooler;
}

Target read_target(TableReader reader, const toml::table& raw, const Thresholds& defaults) {
  Target target;
  if (auto kind = reader.string("kind")) {
    if (*kind == "pgbouncer") target.kind = TargetKind::pgbouncer;
    else if (*kind != "postgres") reader.fail(*raw.get("kind"), "kind", "must be \"postgres\" or \"pgbouncer\"");
  }
  auto name = reader.string("name");
  if (!name) {
    reader.fail(raw, "name", "every target needs a name");
  }
  if (!valid_target_name(*name)) {
    reader.fail(*raw.get("name"), "name", "target names use letters, digits, '_', '-' and '.' (at most 64)");
  }
  target.name = *name;
  auto dsn = reader.string("dsn");
  if (!dsn) {
    reader.fail(raw, "dsn", "target \"" + target.name + "\" needs a dsn");
  }
  if (auto problem = dsn_problem(*dsn)) reader.fail(*raw.get("dsn"), "dsn", "invalid dsn: " + *problem);
  target.dsn = *dsn;
  if (auto v = reader.string("password_file")) {
    // Read at every connect, so a rotated secret applies; it must be a
    // readable regular file now already.
    std::string reason;
    if (!read_secret_file(*v, &reason)) reader.fail(*raw.get("password_file"), "password_file", *v + ": " + reason);
    target.password_file = *v;
  }
  if (auto v = reader.integer("connection_limit", 1, kMaxCount)) target.connection_limit = v;
  if (auto v = reader.boolean("connect_probe")) target.connect_probe = *v;
  target.thresholds = defaults;
  if (const toml::table* t = reader.table("thresholds")) {
    target.thresholds = read_thresholds(TableReader(*t, reader.full("thresholds"), reader.file()), defaults);
    check_threshold_order(target.thresholds, *t, reader, "thresholds");
  }
  if (const toml::table* pooler = reader.table("pooler")) {
    if (target.kind != TargetKind::postgres) {
      reader.fail(*pooler, "pooler", "only a postgres target declares the pooler in front of it");
    }
    target.pooler = read_pooler(TableReader(*pooler, reader.full("pooler"), reader.file()), *pooler);
  }
  if (auto v = reader.string("server_target")) {
    if (target.kind != TargetKind::pgbouncer) {
      reader.fail(*raw.get("server_target"), "server_target", "only a pgbouncer target has a server_target");
    }
    target.server_target = *v;
  }
  if (const toml::array* apps = reader.array_of_tables("applications")) {
    std::set<std::string> seen;
    for (const toml::node& node : *apps) {
      const toml::table& t = *node.as_table();
      DeclaredApplication app = read_application(TableReader(t, reader.full("applications"), reader.file()), t);
      if (!seen.insert(app.name).second) {
        reader.fail(*t.get("name"), "applications.name", "application \"" + app.name + "\" is declared twice");
      }
      target.applications.push_back(app);
    }
  }
  reader.finish();
  return target;
}

const toml::array* targets_node(const toml::table& doc) {
  static const toml::array empty;
  const toml::node* node = doc.get("targets");
  return node && node->is_array() ? node->as_array() : &empty;
}

// A pooler's server_target must name a postgres target of the same file.
void check_server_targets(const Config& config, const toml::array& raw_targets, TableReader& root) {
  for (size_t i = 0; i < config.targets.size(); ++i) {
    const std::string& wanted = config.targets[i].server_target;
    if (wanted.empty()) continue;
    bool found = std::any_of(config.targets.begin(), config.targets.end(), [&](const Target& t) {
      return t.name == wanted && t.kind == TargetKind::postgres;
    });
    if (!found) {
      root.fail(*raw_targets[i].as_table()->get("server_target"), "targets.server_target",
                "no postgres target named \"" + wanted + "\"");
    }
  }
}

}  // namespace

ConfigError::ConfigError(const std::string& file, const std::string& key, int line, int column,
                         const std::string& message)
    : std::runtime_error(position_prefix(file, line, column) + ": " + key + ": " + message) {}

Config parse(const std::string& text, const std::string& file) {
  toml::table doc;
  try {
    doc = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    throw ConfigError(file, "(syntax)", static_cast<int>(begin.line), static_cast<int>(begin.column),
                      std::string(e.description()));
  }
  Config config;
  TableReader root(doc, "", file);

  if (const toml::table* web = root.table("web")) read_web(TableReader(*web, "web", file), config);
  if (const toml::table* poll = root.table("poll")) {
    TableReader reader(*poll, "poll", file);
    if (auto v = reader.duration("interval")) {
      check_duration(reader, *poll, "interval", *v, std::chrono::hours(24));
      config.poll_interval = *v;
    }
    if (auto v = reader.duration("timeout")) {
      check_duration(reader, *poll, "timeout", *v, std::chrono::minutes(10));
      config.poll_timeout = *v;
    }
    if (auto v = reader.integer("workers", 1, 256)) config.poll_workers = static_cast<int>(*v);
    if (config.poll_timeout > config.poll_interval) {
      if (const toml::node* timeout = poll->get("timeout")) {
        reader.fail(*timeout, "timeout", "must not exceed poll.interval (" + format_duration(config.poll_interval) + ")");
      }
      reader.fail(*poll->get("interval"), "interval",
                  "must be at least poll.timeout (" + format_duration(config.poll_timeout) + ")");
    }
    reader.finish();
  }
  if (const toml::table* pool = root.table("pool")) {
    TableReader reader(*pool, "pool", file);
    if (auto v = reader.integer("size", 1, 100)) config.pool.size = *v;
    if (auto v = reader.integer("max_overflow", 0, 100)) config.pool.max_overflow = *v;
    if (auto v = reader.duration("recycle")) {
      if (*v > std::chrono::hours(24 * 7)) reader.fail(*pool->get("recycle"), "recycle", "must be at most 168h");
      config.pool.recycle = *v;
    }
    reader.finish();
  }
  if (const toml::table* metrics = root.table("metrics")) {
    TableReader reader(*metrics, "metrics", file);
    if (auto v = reader.integer("max_applications", 1, 10000)) config.max_applications = static_cast<int>(*v);
    if (auto v = reader.integer("max_client_addresses", 1, 10000)) config.max_client_addresses = static_cast<int>(*v);
    if (auto v = reader.boolean("exporter_pool_histograms")) config.exporter_pool_histograms = *v;
    reader.finish();
  }
  if (const toml::table* thresholds = root.table("thresholds")) {
    config.thresholds = read_thresholds(TableReader(*thresholds, "thresholds", file), config.thresholds);
    check_threshold_order(config.thresholds, *thresholds, root, "thresholds");
  }
  if (const toml::array* targets = root.array_of_tables("targets")) {
    std::set<std::string> names;
    for (const toml::node& node : *targets) {
      const toml::table& raw = *node.as_table();
      Target target = read_target(TableReader(raw, "targets", file), raw, config.thresholds);
      if (!names.insert(target.name).second) {
        root.fail(*raw.get("name"), "targets.name", "duplicate target name \"" + target.name + "\"");
      }
      config.targets.push_back(std::move(target));
    }
  }
  root.finish();
  check_server_targets(config, *targets_node(doc), root);
  if (config.targets.empty()) throw ConfigError(file, "targets", 1, 1, "at least one [[targets]] is required");
  return config;
}

Config load(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    throw ConfigError(path, "(file)", 0, 0, S_ISDIR(info.st_mode) ? "is a directory, not a configuration file"
                                                                  : "is not a regular file");
  }
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "(file)", 0, 0, std::string("cannot read the file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

}  // namespace pgconn::config
