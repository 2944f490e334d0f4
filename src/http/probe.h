// /probe?target=NAME picks one configured target by name. A pure function of
// the raw query string, so it can be fuzzed (fuzz/fuzz_probe.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgconn::http {

struct ProbeTarget {
  int status = 400;          // 200, 400 or 404
  size_t index = 0;          // into the names, when status is 200
  const char* message = "";  // for 400 and 404; never echoes the request
};

// Exactly one non-empty `target` parameter naming one of `names`; other
// parameters (Prometheus may add its own) are ignored. `query` is as sent:
// percent-encoded, '+' for a space.
ProbeTarget find_probe_target(std::string_view query, const std::vector<std::string>& names);

// application/x-www-form-urlencoded decoding; false for a malformed escape
// or an encoded NUL.
bool form_decode(std::string_view text, std::string* out);

}  // namespace pgconn::http
