// The two things the pool asks of a connection beyond owning it: answer a
// ping, and come back to a clean state when returned. Real connections do
// this through libpq; tests of pure pool logic substitute fakes.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace pqxx {
class connection_base;
}

namespace pgconn::pool::detail {

enum class ResetResult {
  clean,        // no transaction was open
  rolled_back,  // a transaction was open and is now rolled back
  failed,       // still connected but not clean (query in flight, rollback failed)
  broken,       // the connection is gone
};

class ConnectionOps {
 public:
  virtual ~ConnectionOps() = default;
  // True when the server answered within timeout; otherwise `error` says why.
  virtual bool ping(pqxx::connection_base& conn, std::chrono::milliseconds timeout,
                    std::string& error) = 0;
  virtual ResetResult reset(pqxx::connection_base& conn, std::chrono::milliseconds timeout,
                            std::string& error) = 0;
};

std::unique_ptr<ConnectionOps> make_libpq_ops();

}  // namespace pgconn::pool::detail
