// What a handler answers: status, fields and a body that is a list of
// immutable pieces (so the cached /metrics text is sent without a copy).
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgconn::http {

class Body {
 public:
  Body() = default;
  explicit Body(std::string text);
  // `owner` keeps the memory the pieces point into alive while they are sent.
  Body(std::vector<std::string_view> pieces, std::shared_ptr<const void> owner);
  const std::vector<std::string_view>& pieces() const { return pieces_; }
  size_t size() const { return size_; }

 private:
  std::vector<std::string_view> pieces_;
  std::shared_ptr<const void> owner_;
  size_t size_ = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> fields;  // beyond the ones the front writes
  Body body;
  bool close = false;            // close the connection after this response
  const char* rejected = nullptr;  // a rejection reason, counted and logged by the front

  static Response text(int status, std::string body);
};

// How the request asked to be answered, as far as the head goes.
struct Framing {
  int minor_version = 1;
  bool keep_alive = true;  // after this response
  bool head_only = false;  // HEAD: the fields of a GET, no body
};

const char* status_text(int status);

// The status line and fields, Content-Length always (never chunked: HTTP/1.0
// clients cannot read it, and every body here has a known size), Date, and
// Connection as the framing needs it.
std::string response_head(const Response& response, const Framing& framing, std::time_t now);

}  // namespace pgconn::http
