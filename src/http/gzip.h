// Whether a request accepts a gzip body (the members come from text/gzip.h).
#pragma once

#include "http/request.h"

namespace pgconn::http {

// Accept-Encoding names gzip (or *) with a non-zero weight (RFC 9110 12.5.3).
bool accepts_gzip(const Request& request);

}  // namespace pgconn::http
