// Small text helpers shared by the operator commands' output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "text/format.h"

namespace pgconn::cli {

std::string pad_right(std::string text, size_t width);
std::string pad_left(std::string text, size_t width);

}  // namespace pgconn::cli
