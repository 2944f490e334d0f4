// pgconn::pool — a thread-safe, instrumented pool of libpqxx 6.4 connections.
//
// Semantics follow SQLAlchemy's QueuePool: up to pool_size connections are
// kept, max_overflow more may exist while demand lasts and are closed when
// handed back, idle connections are reused last-in first-out, and acquire()
// gives up after `timeout`. See docs/pool.md.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "pool/stats.h"

namespace pqxx {
class connection_base;
}

namespace pgconn::pool {

namespace detail {
class PoolCore;
struct Slot;
class ConnectionOps;
}  // namespace detail

// shared_ptr, not unique_ptr: pqxx::connection_base has no virtual
// destructor, so only a shared_ptr (which keeps the deleter of the type it
// was made from) destroys a pqxx::connection or a subclass correctly.
// Returning std::make_unique<pqxx::connection>(...) converts correctly too.
using ConnectionFactory = std::function<std::shared_ptr<pqxx::connection_base>()>;

enum class LogLevel { info, warning, error };
using LogFunction = std::function<void(LogLevel, const std::string& message)>;

struct PoolOptions {
  std::string name = "default";  // value of the `pool` label, used in log lines
  std::string conninfo;          // used by the default factory
  ConnectionFactory factory;     // when set, replaces pqxx::connection(conninfo)

  std::size_t pool_size = 5;
  std::size_t max_overflow = 10;
  std::chrono::milliseconds timeout{30000};  // longest wait in acquire()

  // Connections older than recycle (0 = never) are closed at checkout, on
  // return or by the reaper; each gets up to recycle_jitter * recycle taken
  // off its lifetime so connections opened together do not expire together.
  std::chrono::milliseconds recycle{0};
  double recycle_jitter = 0.1;

  // Ping idle connections before handing them out, except those opened or
  // used within pre_ping_idle_threshold (they were known good moments ago).
  bool pre_ping = false;
  std::chrono::milliseconds pre_ping_timeout{2000};
  std::chrono::milliseconds pre_ping_idle_threshold{1000};

  // Bound on the ROLLBACK sent when a connection comes back mid-transaction.
  std::chrono::milliseconds reset_timeout{5000};

  // Checkouts held longer than this (0 = off) are logged once and counted.
  std::chrono::milliseconds leak_threshold{0};
  // How often the reaper looks for expired idle connections and leaks.
  std::chrono::milliseconds reaper_interval{1000};

  LogFunction log;  // default: one line on stderr
  std::map<std::string, std::string> metric_labels;  // constant labels besides `pool`
};

class PoolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// acquire() waited `timeout` without getting a connection. The counts are
// the pool's state when it gave up.
class PoolTimeout : public PoolError {
 public:
  PoolTimeout(const std::string& pool, std::chrono::milliseconds waited, std::size_t size,
              std::size_t max, std::size_t in_use, std::size_t idle, std::size_t opening,
              std::size_t waiting);
  std::size_t size() const { return size_; }  // idle + in use + opening
  std::size_t max() const { return max_; }
  std::size_t in_use() const { return in_use_; }
  std::size_t idle() const { return idle_; }
  std::size_t opening() const { return opening_; }
  std::size_t waiting() const { return waiting_; }  // other acquire() calls still waiting

 private:
  std::size_t size_, max_, in_use_, idle_, opening_, waiting_;
};

// Move-only checkout. The connection goes back to the pool when the handle
// is destroyed or release()d; afterwards the handle is empty and using it
// throws, so a connection can be neither returned twice nor used after
// return. A handle is not itself thread-safe (like any object one thread uses).
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  ~PooledConnection();

  pqxx::connection_base& operator*() const;   // throws std::logic_error if empty
  pqxx::connection_base* operator->() const;  // throws std::logic_error if empty
  explicit operator bool() const { return slot_ != nullptr; }
  const std::string& tag() const;  // as given to acquire(); throws if empty

  void release();  // return now (rolled back if a transaction is open)
  // The connection is broken: close it and retire every connection opened
  // before it. Call after catching pqxx::broken_connection.
  void invalidate();

 private:
  friend class Pool;
  PooledConnection(std::shared_ptr<detail::PoolCore> core, detail::Slot* slot);
  void give_back(bool broken) noexcept;

  std::shared_ptr<detail::PoolCore> core_;
  detail::Slot* slot_ = nullptr;
};

class Pool {
 public:
  // Throws std::invalid_argument on inconsistent options.
  explicit Pool(PoolOptions options);
  // Replaces how connections are pinged and reset, so the pool's logic can
  // be tested with connections that have no server behind them.
  Pool(PoolOptions options, std::unique_ptr<detail::ConnectionOps> ops);
  // Closes idle connections; connections still checked out are closed when
  // their handles return them.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Blocks up to options().timeout. Throws PoolTimeout, PoolError (closed
  // pool, factory returned nothing) or whatever the factory threw (a failed
  // connect throws pqxx::broken_connection). `tag` names the caller in leak
  // reports.
  PooledConnection acquire(const std::string& tag = "");

  PoolStats snapshot() const;
  // Metrics for a prometheus::Registry, computed from one snapshot per
  // scrape. Safe to keep after the pool is gone (it then reports nothing).
  std::shared_ptr<prometheus::Collectable> collectable() const;
  const PoolOptions& options() const;

 private:
  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace pgconn::pool
