// Small text helpers shared by the operator commands' output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgconn::cli {

// Names from the server (application, role, database) with control
// characters replaced by '?', so printing one cannot move the cursor or
// change colours on the operator's terminal.
std::string printable(std::string_view text);

// A compact age: "45s", "12m", "3h", "2d"; "-" when unknown.
std::string age_text(std::optional<double> seconds);

// "71%"
std::string percent_text(double ratio);

std::string pad_right(std::string text, size_t width);
std::string pad_left(std::string text, size_t width);

}  // namespace pgconn::cli
