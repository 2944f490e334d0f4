// Reads the [web] table (internal to config/): listen address, connection
// limit, [web.tls] and [web.basic_auth].
#pragma once

#include "config/table_reader.h"

namespace pgconn::config {

struct Config;

void read_web(TableReader reader, Config& config);

}  // namespace pgconn::config
