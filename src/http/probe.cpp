#include "http/probe.h"

#include <iterator>

namespace pgconn {

ProbeTarget find_probe_target(const std::multimap<std::string, std::string>& params,
                              const std::vector<std::string>& names) {
  ProbeTarget result;
  auto [first, last] = params.equal_range("target");
  if (first == last) {
    result.message = "missing parameter: target=NAME (a target name from the configuration)\n";
    return result;
  }
  if (std::next(first) != last) {
    result.message = "give exactly one target=NAME\n";
    return result;
  }
  // Only names from the configuration: never a DSN or a host to connect to.
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == first->second) return {200, i, ""};
  }
  result.status = 404;
  result.message = "unknown target: only names from the configuration are accepted\n";
  return result;
}

}  // namespace pgconn
