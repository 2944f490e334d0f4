// What every complete request passes before routing: authentication, the
// method and the absence of a body, in that order, so that a client without
// credentials learns nothing about the routes. (Limits on the head and on
// connections are the front's: see front.h.)
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/request.h"
#include "http/response.h"

namespace pgconn {

namespace web {
class BasicAuth;
}

namespace http {

class RequestGuard {
 public:
  RequestGuard();
  ~RequestGuard();
  // Replaces the users (at start and on SIGHUP); empty turns authentication off.
  void set_users(const std::map<std::string, std::string>& users);
  // The rejection to send, or nullopt to go on routing. A rejection closes
  // the connection (any request body stays unread).
  std::optional<Response> check(const Request& request) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<web::BasicAuth> auth_;
};

}  // namespace http
}  // namespace pgconn
