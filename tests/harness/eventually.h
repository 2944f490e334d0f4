// Waits for a condition the exporter reaches asynchronously (a poll, a
// reload, a closed connection), checking every 50 ms. The default bound
// holds on a slow, loaded 2-core machine.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace pgtest {

inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace pgtest
