// Small text helpers shared by the operator commands' output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "text/format.h"

namespace pgconn::cli {

// Terminal columns of printable UTF-8 text: one per code point. East Asian
// wide characters, which take two, count as one: names are rarely CJK, and
// the C library's wcwidth() would depend on the operator's locale.
size_t columns(std::string_view text);

// `text` made printable (text::printable) and cut to at most `width`
// columns, a "~" standing for what was cut.
std::string fit(std::string_view text, size_t width);

// Padded with spaces to `width` columns (as columns() counts them).
std::string pad_right(std::string text, size_t width);
std::string pad_left(std::string text, size_t width);

}  // namespace pgconn::cli
