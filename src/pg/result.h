// An owned query result with typed accessors; NULL reads as a default.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

struct pg_result;

namespace pgconn::pg {

class Result {
 public:
  explicit Result(pg_result* res);
  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  int64_t integer(int row, int column) const;
  std::optional<double> number(int row, int column) const;  // nullopt for NULL
  bool boolean(int row, int column) const;
  const pg_result* raw() const { return res_.get(); }  // for column names

 private:
  std::shared_ptr<pg_result> res_;
};

}  // namespace pgconn::pg
