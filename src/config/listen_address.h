// The address the HTTP server listens on, "host:port".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgconn::config {

struct ListenAddress {
  std::string host;  // "" for every interface; an IPv6 address without brackets
  int port = 0;
};

// "127.0.0.1:9188", "localhost:9188", "[::1]:9188" or ":9188"; the port is
// 1 to 65535. nullopt, with a reason, for anything else.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* reason);

}  // namespace pgconn::config
