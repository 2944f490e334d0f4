// gzip (RFC 1952) for response bodies, and whether a request accepts it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace pgconn::http {

// One gzip member holding the pieces in order.
std::string gzip(const std::vector<std::string_view>& pieces);

// Accept-Encoding names gzip (or *) with a non-zero weight (RFC 9110 12.5.3).
bool accepts_gzip(const Request& request);

}  // namespace pgconn::http
