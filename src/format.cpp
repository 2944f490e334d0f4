#include "format.h"

#include <cstdio>

namespace pgconn {

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

std::string percent_text(double ratio) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", ratio * 100);
  return buffer;
}

}  // namespace pgconn
