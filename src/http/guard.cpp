#include "http/guard.h"

#include "web/basic_auth.h"

namespace pgconn::http {
namespace {

Response reject(int status, const char* reason, const char* body) {
  Response response = Response::text(status, body);
  response.close = true;
  response.rejected = reason;
  return response;
}

}  // namespace

RequestGuard::RequestGuard() = default;
RequestGuard::~RequestGuard() = default;

void RequestGuard::set_users(const std::map<std::string, std::string>& users) {
  auto auth = users.empty() ? nullptr : std::make_shared<web::BasicAuth>(users);
  std::lock_guard<std::mutex> lock(mutex_);
  auth_ = std::move(auth);
}

std::optional<Response> RequestGuard::check(const Request& request) const {
  std::shared_ptr<web::BasicAuth> auth;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auth = auth_;
  }
  // Outside the lock: a bcrypt check takes tens of milliseconds.
  if (auth) {
    const std::string* credentials = request.field("authorization");
    if (!credentials || !auth->check(*credentials)) {
      Response response = reject(401, "unauthorized", "unauthorized\n");
      response.fields.emplace_back("WWW-Authenticate", "Basic realm=\"pgconn_exporter\"");
      return response;
    }
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response response = reject(405, "method", "method not allowed: every endpoint is read-only (GET, HEAD)\n");
    response.fields.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  // Bytes of a body left unread would be taken for the next request.
  if (request.transfer_encoding || request.content_length.value_or(0) > 0) {
    return reject(400, "bad_request", "a GET or HEAD request carries no body\n");
  }
  return std::nullopt;
}

}  // namespace pgconn::http
