// /probe?target=NAME picks one configured target by name. A pure function of
// the decoded query parameters, so it can be fuzzed (fuzz/fuzz_probe.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace pgconn {

struct ProbeTarget {
  int status = 400;             // 200, 400 or 404
  size_t index = 0;             // into the names, when status is 200
  const char* message = "";     // for 400 and 404; never echoes the request
};

// Exactly one `target` parameter naming one of `names`; other parameters
// (Prometheus may add its own) are ignored.
ProbeTarget find_probe_target(const std::multimap<std::string, std::string>& params,
                              const std::vector<std::string>& names);

}  // namespace pgconn
