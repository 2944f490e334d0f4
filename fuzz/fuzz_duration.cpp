// parse_duration accepts only "<number><unit>" within a year, and
// format_duration renders every accepted value as text that parses back to it.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/duration.h"

using namespace pgconn::config;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_duration(text);
  if (!parsed) return 0;
  require(parsed->count() >= 0 && parsed->count() <= 365LL * 24 * 3600 * 1000);
  require(ends_with(text, "ms") || ends_with(text, "s") || ends_with(text, "m") || ends_with(text, "h"));
  auto again = parse_duration(format_duration(*parsed));
  require(again && *again == *parsed);
  return 0;
}
