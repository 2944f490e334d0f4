#include "pg/result.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace pgconn::pg {

Result::Result(pg_result* res) : res_(res, &PQclear) {}

int Result::rows() const { return PQntuples(res_.get()); }

bool Result::is_null(int row, int column) const { return PQgetisnull(res_.get(), row, column); }

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(res_.get(), row, column),
                     static_cast<size_t>(PQgetlength(res_.get(), row, column)));
}

int64_t Result::integer(int row, int column) const {
  return is_null(row, column) ? 0 : std::strtoll(PQgetvalue(res_.get(), row, column), nullptr, 10);
}

std::optional<double> Result::number(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return std::strtod(PQgetvalue(res_.get(), row, column), nullptr);
}

bool Result::boolean(int row, int column) const {
  return !is_null(row, column) && PQgetvalue(res_.get(), row, column)[0] == 't';
}

}  // namespace pgconn::pg
