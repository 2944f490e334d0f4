#include "config/listen_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace pgconn::config {

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* reason) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    *reason = "must be host:port (e.g. \"127.0.0.1:9188\", \"[::1]:9188\" or \":9188\")";
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  ListenAddress address;
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  address.port = digits ? std::stoi(std::string(port)) : 0;
  if (address.port < 1 || address.port > 65535) {
    *reason = "the port must be a number from 1 to 65535";
    return std::nullopt;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    address.host = std::string(host.substr(1, host.size() - 2));
    in6_addr ignored;
    if (inet_pton(AF_INET6, address.host.c_str(), &ignored) != 1) {
      *reason = "the host in brackets must be an IPv6 address";
      return std::nullopt;
    }
    return address;
  }
  bool name = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
  if (!name) {
    *reason = "the host must be a name, an IPv4 address or an IPv6 address in brackets";
    return std::nullopt;
  }
  address.host = std::string(host);
  return address;
}

}  // namespace pgconn::config
