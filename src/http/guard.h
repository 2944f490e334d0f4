// What every request passes before routing: the connection cap, header
// limits, authentication, the method and the absence of a body, in that
// order. Each check is
// cheaper than the next, and 401 comes before 405 so that a client without
// credentials learns nothing about the routes.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace pgconn {

namespace web {
class BasicAuth;
}

class RequestGuard {
 public:
  // cpp-httplib caps each header line at 8192 bytes (compiled in) but not
  // their number; it also adds four of its own (REMOTE_ADDR, ...).
  static constexpr size_t kMaxHeaders = 100;
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;

  RequestGuard();
  ~RequestGuard();
  // Replaces the users (at start and on SIGHUP); empty turns authentication off.
  void set_users(const std::map<std::string, std::string>& users);
  // True to go on routing; otherwise `res` holds the rejection, which also
  // closes the connection (any request body stays unread).
  bool admit(const httplib::Request& req, httplib::Response& res, bool over_connection_limit) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<web::BasicAuth> auth_;
};

}  // namespace pgconn
