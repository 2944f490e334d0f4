#pragma once

#include <chrono>

namespace pgconn::model {

// Wall-clock seconds since the epoch, as Prometheus timestamps use.
inline double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace pgconn::model
