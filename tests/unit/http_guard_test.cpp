// What a complete request meets before routing: basic auth, the method and
// the absence of a body (http/guard.h).
#include <crypt.h>
#include <gtest/gtest.h>

#include "http/guard.h"

using pgconn::http::Request;
using pgconn::http::RequestGuard;
using pgconn::http::Response;

namespace {

Request request(const std::string& method, std::vector<std::pair<std::string, std::string>> fields = {}) {
  Request r;
  r.method = method;
  r.path = "/metrics";
  r.fields = std::move(fields);
  return r;
}

std::string field(const Response& response, const std::string& name) {
  for (const auto& [key, value] : response.fields) {
    if (key == name) return value;
  }
  return "";
}

// bcrypt("s3cret") at cost 4; "Basic " + base64("prometheus:s3cret").
std::string hash_of_s3cret() {
  crypt_data data{};
  return crypt_r("s3cret", "$2b$04$abcdefghijklmnopqrstuu", &data);
}
const char* kGoodAuthorization = "Basic cHJvbWV0aGV1czpzM2NyZXQ=";

}  // namespace

TEST(HttpGuard, AdmitsReadsWithoutUsersConfigured) {
  RequestGuard guard;
  EXPECT_FALSE(guard.check(request("GET")));
  EXPECT_FALSE(guard.check(request("HEAD")));
}

TEST(HttpGuard, OtherMethodsGet405WithAllow) {
  RequestGuard guard;
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    auto rejection = guard.check(request(method));
    ASSERT_TRUE(rejection) << method;
    EXPECT_EQ(rejection->status, 405);
    EXPECT_EQ(field(*rejection, "Allow"), "GET, HEAD");
    EXPECT_TRUE(rejection->close);  // the body, if any, stays unread
    EXPECT_STREQ(rejection->rejected, "method");
  }
}

TEST(HttpGuard, ReadRequestsWithABodyGet400) {
  RequestGuard guard;
  Request with_length = request("GET");
  with_length.content_length = 5;
  Request chunked = request("GET");
  chunked.transfer_encoding = true;
  for (const Request& r : {with_length, chunked}) {
    auto rejection = guard.check(r);
    ASSERT_TRUE(rejection);
    EXPECT_EQ(rejection->status, 400);
    EXPECT_TRUE(rejection->close);
    EXPECT_STREQ(rejection->rejected, "bad_request");
  }
  Request empty = request("GET");
  empty.content_length = 0;
  EXPECT_FALSE(guard.check(empty));
}

TEST(HttpGuard, UsersTurnOnBasicAuthBeforeTheMethodCheck) {
  RequestGuard guard;
  guard.set_users({{"prometheus", hash_of_s3cret()}});
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {}, {{"authorization", "Basic cHJvbWV0aGV1czp3cm9uZw=="}}, {{"authorization", "Bearer x"}}}) {
    auto rejection = guard.check(request("POST", fields));
    ASSERT_TRUE(rejection);
    EXPECT_EQ(rejection->status, 401);
    EXPECT_EQ(field(*rejection, "WWW-Authenticate"), "Basic realm=\"pgconn_exporter\"");
    EXPECT_STREQ(rejection->rejected, "unauthorized");
  }
  EXPECT_FALSE(guard.check(request("GET", {{"authorization", kGoodAuthorization}})));
  auto post = guard.check(request("POST", {{"authorization", kGoodAuthorization}}));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  guard.set_users({});  // a reload without [web.basic_auth]
  EXPECT_FALSE(guard.check(request("GET")));
}
