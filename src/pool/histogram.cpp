#include "pool/histogram.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <utility>

namespace pgconn::pool::detail {

FixedHistogram::FixedHistogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {
  if (std::adjacent_find(bounds_.begin(), bounds_.end(), std::greater_equal<double>()) !=
      bounds_.end()) {
    throw std::invalid_argument("histogram bounds must be strictly ascending");
  }
}

void FixedHistogram::observe(double value) {
  // Prometheus buckets are inclusive: value <= le.
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  sum_ += value;
}

HistogramSnapshot FixedHistogram::snapshot() const {
  HistogramSnapshot snap;
  snap.upper_bounds = bounds_;
  snap.cumulative_counts.reserve(bounds_.size());
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    running += counts_[i];
    snap.cumulative_counts.push_back(running);
  }
  snap.count = running + counts_.back();
  snap.sum = sum_;
  return snap;
}

}  // namespace pgconn::pool::detail
