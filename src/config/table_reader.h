// Strict reading of one TOML table, shared by the config/ parsers (internal
// to config/): every key must be asked for, with the right type, or finish()
// reports it as unknown. Every error names file, key, line and column.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "config/duration.h"

namespace pgconn::config {

class TableReader {
 public:
  // `path` is the table's dotted name ("" for the root), `file` the file name
  // for messages; both must outlive the reader.
  TableReader(const toml::table& table, std::string path, const std::string& file)
      : table_(table), path_(std::move(path)), file_(file) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& message) const;
  const toml::node* find(const std::string& key);
  // nullopt when absent; a wrong type or a value out of range is an error.
  std::optional<std::string> string(const std::string& key);
  std::optional<int64_t> integer(const std::string& key, int64_t min, int64_t max);
  std::optional<double> number(const std::string& key, double min, double max);
  std::optional<bool> boolean(const std::string& key);
  std::optional<Duration> duration(const std::string& key);
  const toml::table* table(const std::string& key);
  const toml::array* array_of_tables(const std::string& key);
  void finish() const;

  std::string full(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }

 private:
  const toml::table& table_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> known_;
};

}  // namespace pgconn::config
