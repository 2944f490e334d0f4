#include "http/guard.h"

#include <httplib.h>

#include "web/basic_auth.h"

namespace pgconn {
namespace {

bool reject(httplib::Response& res, int status, const char* body) {
  res.status = status;
  res.set_header("Connection", "close");
  res.set_content(body, "text/plain; charset=utf-8");
  return false;
}

}  // namespace

RequestGuard::RequestGuard() = default;
RequestGuard::~RequestGuard() = default;

void RequestGuard::set_users(const std::map<std::string, std::string>& users) {
  auto auth = users.empty() ? nullptr : std::make_shared<web::BasicAuth>(users);
  std::lock_guard<std::mutex> lock(mutex_);
  auth_ = std::move(auth);
}

bool RequestGuard::admit(const httplib::Request& req, httplib::Response& res, bool over_connection_limit) const {
  if (over_connection_limit) {
    res.set_header("Retry-After", "1");
    return reject(res, 503, "too many open connections; retry shortly\n");
  }
  size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
  if (req.headers.size() > kMaxHeaders || header_bytes > kMaxHeaderBytes) {
    return reject(res, 431, "request header fields too large\n");
  }
  std::shared_ptr<web::BasicAuth> auth;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auth = auth_;
  }
  // Outside the lock: a bcrypt check takes tens of milliseconds.
  if (auth && !auth->check(req.get_header_value("Authorization"))) {
    res.set_header("WWW-Authenticate", "Basic realm=\"pgconn_exporter\"");
    return reject(res, 401, "unauthorized\n");
  }
  if (req.method != "GET" && req.method != "HEAD") {
    res.set_header("Allow", "GET, HEAD");
    return reject(res, 405, "method not allowed: every endpoint is read-only (GET, HEAD)\n");
  }
  // cpp-httplib does not apply its payload limit to a GET body, and bytes it
  // leaves unread could be taken for the next request on the connection.
  if (req.has_header("Transfer-Encoding") ||
      (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0")) {
    return reject(res, 400, "a GET or HEAD request carries no body\n");
  }
  return true;
}

}  // namespace pgconn
