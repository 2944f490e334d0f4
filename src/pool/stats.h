// A plain, copyable picture of a pool at one instant. Every field is read
// under the pool's lock in one go, so gauges and counters always agree with
// each other (no separately maintained +1/-1 gauges that could drift).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pgconn::pool {

// Why a connection was closed; each is a value of the `reason` label.
enum class CloseReason {
  overflow,         // returned while pool_size connections were already idle
  recycle,          // older than `recycle`
  invalidated,      // opened before a disconnect was detected elsewhere
  broken,           // found disconnected, or handed back with invalidate()
  pre_ping_failed,  // did not answer the pre-ping in time
  reset_failed,     // could not be rolled back to a clean state on return
  shutdown,         // the pool was closed
};
inline constexpr std::size_t kCloseReasonCount = 7;
const char* to_string(CloseReason reason);

struct HistogramSnapshot {
  std::vector<double> upper_bounds;                // finite bounds, ascending
  std::vector<std::uint64_t> cumulative_counts;    // one per finite bound
  std::uint64_t count = 0;                         // also the +Inf bucket
  double sum = 0.0;
};

struct PoolStats {
  std::string name;

  // Gauges.
  std::size_t idle = 0;
  std::size_t in_use = 0;
  std::size_t opening = 0;          // factory calls in progress
  std::size_t pool_size = 0;        // configured number of kept connections
  std::size_t max_connections = 0;  // pool_size + max_overflow
  std::size_t pending = 0;          // acquire() calls waiting for a connection
  double oldest_pending_seconds = 0.0;
  std::size_t suspected_leaks = 0;  // checkouts held past leak_threshold now

  // Counters.
  std::uint64_t acquires_ok = 0;
  std::uint64_t acquires_timeout = 0;
  std::uint64_t acquires_error = 0;
  std::uint64_t connections_opened = 0;
  std::array<std::uint64_t, kCloseReasonCount> connections_closed{};
  std::uint64_t pre_pings_ok = 0;
  std::uint64_t pre_pings_failed = 0;
  std::uint64_t leaks_detected = 0;

  HistogramSnapshot acquire_duration;  // seconds, timeouts and errors included
  HistogramSnapshot use_duration;      // seconds from checkout to return
  HistogramSnapshot connect_duration;  // seconds spent in the factory

  std::size_t total() const { return idle + in_use + opening; }
  std::size_t overflow() const { return total() > pool_size ? total() - pool_size : 0; }
  double utilization() const {
    return max_connections == 0 ? 0.0
                                : static_cast<double>(in_use + opening) / max_connections;
  }
  std::uint64_t closed(CloseReason reason) const {
    return connections_closed[static_cast<std::size_t>(reason)];
  }
  std::uint64_t closed_total() const;
};

}  // namespace pgconn::pool
