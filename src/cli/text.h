// Small text helpers shared by the operator commands' output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "format.h"  // printable, percent_text

namespace pgconn::cli {

// A compact age: "45s", "12m", "3h", "2d"; "-" when unknown.
std::string age_text(std::optional<double> seconds);

std::string pad_right(std::string text, size_t width);
std::string pad_left(std::string text, size_t width);

}  // namespace pgconn::cli
