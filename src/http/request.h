// One HTTP/1.x request head parsed by the book (RFC 9110, RFC 9112). Pure, so
// it is unit-tested and fuzzed (fuzz/fuzz_request.cpp) without a socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pgconn::http {

struct Request {
  std::string method;
  std::string path;   // the origin-form path, still percent-encoded
  std::string query;  // after '?', still percent-encoded
  int minor_version = 1;  // HTTP/1.0 or HTTP/1.1
  bool keep_alive = true;
  std::optional<uint64_t> content_length;
  bool transfer_encoding = false;
  std::vector<std::pair<std::string, std::string>> fields;  // names in lower case, values trimmed
  std::string remote;  // the peer, "address:port" (set by the front)

  // The first field called `name` (lower case), or nullptr.
  const std::string* field(std::string_view name) const;
};

// Why a request is refused: the status, the reason label of
// pgconn_http_rejected_requests_total, and one line for the body.
struct Refusal {
  int status;
  const char* reason;
  const char* message;
};

// `head` is everything up to and including the empty line (HeadReader::head).
std::variant<Request, Refusal> parse_request(std::string_view head);

}  // namespace pgconn::http
