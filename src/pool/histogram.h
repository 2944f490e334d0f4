// A fixed-bucket histogram kept inside the pool's state. Not synchronised:
// the pool observes and snapshots it under its own lock, so it is always
// consistent with the other statistics.
#pragma once

#include <cstdint>
#include <vector>

#include "pool/stats.h"

namespace pgconn::pool::detail {

class FixedHistogram {
 public:
  // upper_bounds: finite, strictly ascending; +Inf is implied.
  explicit FixedHistogram(std::vector<double> upper_bounds);
  void observe(double value);
  HistogramSnapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, last one is +Inf
  double sum_ = 0.0;
};

}  // namespace pgconn::pool::detail
