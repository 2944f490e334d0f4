#include "config/table_reader.h"

#include <sstream>

#include "config/config.h"

namespace pgconn::config {
namespace {

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

}  // namespace

void TableReader::fail(const toml::node& node, const std::string& key, const std::string& message) const {
  const auto& begin = node.source().begin;
  throw ConfigError(file_, full(key), static_cast<int>(begin.line), static_cast<int>(begin.column), message);
}

const toml::node* TableReader::find(const std::string& key) {
  known_.insert(key);
  return table_.get(key);
}

std::optional<std::string> TableReader::string(const std::string& key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_string()) fail(*node, key, "expected a string, got " + type_name(*node));
  return node->as_string()->get();
}

std::optional<int64_t> TableReader::integer(const std::string& key, int64_t min, int64_t max) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_integer()) fail(*node, key, "expected an integer, got " + type_name(*node));
  int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    fail(*node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

std::optional<double> TableReader::number(const std::string& key, double min, double max) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_number()) fail(*node, key, "expected a number, got " + type_name(*node));
  double value = node->is_integer() ? static_cast<double>(node->as_integer()->get())
                                    : node->as_floating_point()->get();
  if (!(value >= min && value <= max)) {
    std::ostringstream range;
    range << "must be between " << min << " and " << max;
    fail(*node, key, range.str());
  }
  return value;
}

std::optional<bool> TableReader::boolean(const std::string& key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_boolean()) fail(*node, key, "expected true or false, got " + type_name(*node));
  return node->as_boolean()->get();
}

std::optional<Duration> TableReader::duration(const std::string& key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_string()) {
    fail(*node, key, "expected a duration string such as \"5s\", got " + type_name(*node));
  }
  auto parsed = parse_duration(node->as_string()->get());
  if (!parsed) {
    fail(*node, key, "invalid duration \"" + std::string(node->as_string()->get()) +
                         "\": use a number with a unit ms, s, m or h, e.g. \"5s\"");
  }
  return parsed;
}

const toml::table* TableReader::table(const std::string& key) {
  const toml::node* node = find(key);
  if (!node) return nullptr;
  if (!node->is_table()) fail(*node, key, "expected a table, got " + type_name(*node));
  return node->as_table();
}

const toml::array* TableReader::array_of_tables(const std::string& key) {
  const toml::node* node = find(key);
  if (!node) return nullptr;
  if (!node->is_array_of_tables()) {
    fail(*node, key, "expected an array of tables ([[" + full(key) + "]]), got " + type_name(*node));
  }
  return node->as_array();
}

void TableReader::finish() const {
  for (auto&& [key, value] : table_) {
    std::string name(key.str());
    if (known_.count(name)) continue;
    const auto& begin = key.source().begin;
    throw ConfigError(file_, full(name), static_cast<int>(begin.line), static_cast<int>(begin.column),
                      "unknown key");
  }
}
}  // namespace pgconn::config
