// Durations in the config are strings with a unit ("250ms", "5s", "10m", "1h").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pgconn::config {

using Duration = std::chrono::milliseconds;

// Parses "<number><unit>" with unit ms, s, m or h; the number may have a
// fraction ("1.5s"). Returns nullopt for anything else, including negative
// values, missing units and values that overflow.
std::optional<Duration> parse_duration(std::string_view text);

// "1500ms" -> "1.5s"-style rendering for messages and check-config output.
std::string format_duration(Duration d);

}  // namespace pgconn::config
