// Text formatting shared by the operator commands, findings and request logs.
#pragma once

#include <string>
#include <string_view>

namespace pgconn {

// Names from the server (application, role, database) or a client (request
// path) with control characters replaced by '?', so printing one cannot move
// the cursor, change colours or forge a log line.
std::string printable(std::string_view text);

// "71%"
std::string percent_text(double ratio);

}  // namespace pgconn
