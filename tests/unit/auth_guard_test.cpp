// What a request meets before routing (RequestGuard), the connection cap
// (ConnectionQueue) and the /probe target lookup.
#include <crypt.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <thread>

#include "http/connection_queue.h"
#include "http/guard.h"
#include "http/probe.h"

using pgconn::RequestGuard;

namespace {

httplib::Request request(const std::string& method, httplib::Headers headers = {}) {
  httplib::Request req;
  req.method = method;
  req.path = "/metrics";
  req.headers = std::move(headers);
  return req;
}

// bcrypt("s3cret") at cost 4; "Basic " + base64("prometheus:s3cret").
std::string hash_of_s3cret() {
  crypt_data data{};
  return crypt_r("s3cret", "$2b$04$abcdefghijklmnopqrstuu", &data);
}
const char* kGoodAuthorization = "Basic cHJvbWV0aGV1czpzM2NyZXQ=";

}  // namespace

TEST(AuthGuard, AdmitsReadsWithoutUsersConfigured) {
  RequestGuard guard;
  httplib::Response res;
  EXPECT_TRUE(guard.admit(request("GET"), res, false));
  EXPECT_TRUE(guard.admit(request("HEAD"), res, false));
}

TEST(AuthGuard, OtherMethodsGet405WithAllow) {
  RequestGuard guard;
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    httplib::Response res;
    EXPECT_FALSE(guard.admit(request(method), res, false)) << method;
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.get_header_value("Allow"), "GET, HEAD");
    EXPECT_EQ(res.get_header_value("Connection"), "close");  // the body, if any, stays unread
  }
}

TEST(AuthGuard, ReadRequestsWithABodyGet400) {
  RequestGuard guard;
  for (const httplib::Headers& headers : {httplib::Headers{{"Content-Length", "5"}},
                                          httplib::Headers{{"Transfer-Encoding", "chunked"}}}) {
    httplib::Response res;
    EXPECT_FALSE(guard.admit(request("GET", headers), res, false));
    EXPECT_EQ(res.status, 400);
    EXPECT_EQ(res.get_header_value("Connection"), "close");
  }
  httplib::Response res;
  EXPECT_TRUE(guard.admit(request("GET", {{"Content-Length", "0"}}), res, false));
}

TEST(AuthGuard, TooManyOrTooLargeHeadersGet431) {
  RequestGuard guard;
  httplib::Headers many;
  for (size_t i = 0; i <= RequestGuard::kMaxHeaders; ++i) many.emplace("X-" + std::to_string(i), "1");
  httplib::Response res;
  EXPECT_FALSE(guard.admit(request("GET", many), res, false));
  EXPECT_EQ(res.status, 431);
  httplib::Headers large;
  for (int i = 0; i < 3; ++i) large.emplace("X-Big-" + std::to_string(i), std::string(6000, 'a'));
  httplib::Response res2;
  EXPECT_FALSE(guard.admit(request("GET", large), res2, false));
  EXPECT_EQ(res2.status, 431);
}

TEST(AuthGuard, OverTheConnectionLimitGets503First) {
  RequestGuard guard;
  guard.set_users({{"prometheus", hash_of_s3cret()}});
  httplib::Response res;
  EXPECT_FALSE(guard.admit(request("POST"), res, true));
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.get_header_value("Retry-After"), "1");
}

TEST(AuthGuard, UsersTurnOnBasicAuthBeforeTheMethodCheck) {
  RequestGuard guard;
  guard.set_users({{"prometheus", hash_of_s3cret()}});
  for (const httplib::Headers& headers :
       {httplib::Headers{}, httplib::Headers{{"Authorization", "Basic cHJvbWV0aGV1czp3cm9uZw=="}},
        httplib::Headers{{"Authorization", "Bearer x"}}}) {
    httplib::Response res;
    EXPECT_FALSE(guard.admit(request("POST", headers), res, false));
    EXPECT_EQ(res.status, 401);
    EXPECT_EQ(res.get_header_value("WWW-Authenticate"), "Basic realm=\"pgconn_exporter\"");
  }
  httplib::Response ok;
  EXPECT_TRUE(guard.admit(request("GET", {{"Authorization", kGoodAuthorization}}), ok, false));
  httplib::Response post;
  EXPECT_FALSE(guard.admit(request("POST", {{"Authorization", kGoodAuthorization}}), post, false));
  EXPECT_EQ(post.status, 405);
  guard.set_users({});  // a reload without [web.basic_auth]
  EXPECT_TRUE(guard.admit(request("GET"), ok, false));
}

TEST(AuthGuard, ConnectionQueueMarksConnectionsBeyondTheLimit) {
  std::atomic<size_t> limit{1};
  pgconn::ConnectionQueue queue(4, limit);
  // Runs one connection and reports whether it was marked over the limit.
  auto over = [&queue] {
    std::promise<bool> marked;
    std::future<bool> result = marked.get_future();
    queue.enqueue([&marked] { marked.set_value(pgconn::over_connection_limit()); });
    return result.get();
  };
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<bool> first;
  queue.enqueue([&first, released] {
    first.set_value(pgconn::over_connection_limit());
    released.wait();  // holds the only slot
  });
  EXPECT_FALSE(first.get_future().get());
  EXPECT_TRUE(over());
  release.set_value();
  // Closing is counted when the connection's job returns, just after it ran.
  bool still_over = true;
  for (int i = 0; i < 200 && still_over; ++i) {
    still_over = over();
    if (still_over) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(still_over);
  EXPECT_FALSE(pgconn::over_connection_limit());
  queue.shutdown();
}

TEST(AuthGuard, ProbeTargetLookup) {
  using pgconn::find_probe_target;
  std::vector<std::string> names = {"main", "replica"};
  auto found = find_probe_target({{"target", "replica"}, {"module", "x"}}, names);
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.index, 1u);
  EXPECT_EQ(find_probe_target({}, names).status, 400);
  EXPECT_EQ(find_probe_target({{"target", "main"}, {"target", "main"}}, names).status, 400);
  found = find_probe_target({{"target", "postgresql://evil:pw@10.0.0.1/x"}}, names);
  EXPECT_EQ(found.status, 404);
  EXPECT_EQ(std::string(found.message).find("evil"), std::string::npos);
  EXPECT_EQ(find_probe_target({{"target", ""}}, names).status, 404);
  EXPECT_EQ(find_probe_target({{"target", std::string("main\0x", 6)}}, names).status, 404);
}
