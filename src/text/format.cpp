#include "text/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace pgconn::text {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed sequence starting at text[i], or 0 when the
// bytes there are ill-formed; *subpart is then how many bytes one U+FFFD
// replaces (Unicode 15, table 3-7).
size_t sequence_length(std::string_view text, size_t i, size_t* subpart) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = at(i);
  *subpart = 1;
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) return 0;
    unsigned char c = at(i + k);
    if (k == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) return 0;
    *subpart = k + 1;
  }
  return length;
}

void append_escape(std::string& out, const char* format, unsigned value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, format, value);
  out += buffer;
}

// The bidirectional formatting character starting at text[i], as its code
// point and its length in bytes (valid UTF-8 assumed): ALM, LRM, RLM, the
// embeddings and overrides, and the isolates.
std::optional<std::pair<unsigned, size_t>> bidi_control_at(const std::string& text, size_t i) {
  auto byte = [&](size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  if (byte(i) == 0xD8 && byte(i + 1) == 0x9C) return std::make_pair(0x061Cu, size_t{2});
  if (byte(i) != 0xE2) return std::nullopt;
  unsigned code = 0x2000u | ((byte(i + 1) & 0x3Fu) << 6) | (byte(i + 2) & 0x3Fu);
  bool bidi = code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
              (code >= 0x2066 && code <= 0x2069);
  if (!bidi) return std::nullopt;
  return std::make_pair(code, size_t{3});
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t subpart;
    size_t length = sequence_length(text, i, &subpart);
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += kReplacement;
      i += subpart;
    }
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string valid = valid_utf8(text), out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    auto c = static_cast<unsigned char>(valid[i]);
    if (c < 0x20 || c == 0x7f) {
      append_escape(out, "\\x%02x", c);
    } else if (c == 0xC2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) <= 0x9F) {
      append_escape(out, "\\u%04x", static_cast<unsigned char>(valid[++i]));  // C1: U+0080..U+009F
    } else if (auto bidi = bidi_control_at(valid, i)) {
      append_escape(out, "\\u%04x", bidi->first);
      i += bidi->second - 1;
    } else {
      out += valid[i];
    }
  }
  return out;
}

std::string json_string(std::string_view text) {
  std::string valid = valid_utf8(text), out = "\"";
  for (size_t i = 0; i < valid.size(); ++i) {
    auto c = static_cast<unsigned char>(valid[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          append_escape(out, "\\u%04x", c);
        } else if (c == 0xC2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) <= 0x9F) {
          append_escape(out, "\\u%04x", static_cast<unsigned char>(valid[++i]));
        } else {
          out += valid[i];
        }
    }
  }
  return out + "\"";
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string decimal3(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

std::string age_text(std::optional<double> seconds) {
  if (!seconds) return "-";
  double s = std::max(0.0, *seconds);
  char buffer[32];
  if (s < 120) std::snprintf(buffer, sizeof buffer, "%.0fs", std::floor(s));
  else if (s < 2 * 3600) std::snprintf(buffer, sizeof buffer, "%.0fm", std::floor(s / 60));
  else if (s < 2 * 86400) std::snprintf(buffer, sizeof buffer, "%.0fh", std::floor(s / 3600));
  else std::snprintf(buffer, sizeof buffer, "%.0fd", std::floor(s / 86400));
  return buffer;
}

std::string percent_text(double ratio) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", ratio * 100);
  return buffer;
}

}  // namespace pgconn::text
