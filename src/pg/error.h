// A failure talking to a server, classified into model::ErrorKind by SQLSTATE.
#pragma once

#include <stdexcept>
#include <string>

#include "model/error_kind.h"

namespace pgconn::pg {

// The pg layer reports failures in the model's terms.
using model::ErrorKind;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string sqlstate, const std::string& message)
      : std::runtime_error(message), kind_(kind), sqlstate_(std::move(sqlstate)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  ErrorKind kind_;
  std::string sqlstate_;
};

// Classifies a failure from its SQLSTATE (may be empty) and, only where one
// SQLSTATE covers two situations, the server's message.
ErrorKind classify(const std::string& sqlstate, const std::string& message);

// Extracts the SQLSTATE from a verbose libpq message ("FATAL:  53300: ...").
std::string sqlstate_in_message(const std::string& message);

}  // namespace pgconn::pg
