#include "cli/text.h"

namespace pgconn::cli {
namespace {

bool starts_character(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

}  // namespace

size_t columns(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += starts_character(c) ? 1 : 0;
  return n;
}

std::string fit(std::string_view text, size_t width) {
  std::string shown = text::printable(text);
  if (width == 0) return "";
  if (columns(shown) <= width) return shown;
  size_t kept = 0, end = 0;
  for (; end < shown.size(); ++end) {
    if (starts_character(shown[end]) && kept++ == width - 1) break;
  }
  return shown.substr(0, end) + "~";
}

std::string pad_right(std::string text, size_t width) {
  size_t n = columns(text);
  if (n < width) text.append(width - n, ' ');
  return text;
}

std::string pad_left(std::string text, size_t width) {
  size_t n = columns(text);
  if (n < width) text.insert(0, width - n, ' ');
  return text;
}

}  // namespace pgconn::cli
