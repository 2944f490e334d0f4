// Request heads by the book (RFC 9112): collecting them within the limits
// (http/head_reader.h) and parsing them (http/request.h).
#include <gtest/gtest.h>

#include "http/head_reader.h"
#include "http/request.h"

using pgconn::http::HeadReader;
using pgconn::http::parse_request;
using pgconn::http::Refusal;
using pgconn::http::Request;

namespace {

Request parsed(const std::string& head) {
  auto result = parse_request(head);
  if (auto* refusal = std::get_if<Refusal>(&result)) {
    ADD_FAILURE() << "refused " << refusal->status << ": " << head;
    return {};
  }
  return std::get<Request>(result);
}

int refused(const std::string& head) {
  auto result = parse_request(head);
  auto* refusal = std::get_if<Refusal>(&result);
  return refusal ? refusal->status : 0;
}

}  // namespace

TEST(HttpHeadReader, CompletesAtTheEmptyLineAndKeepsWhatFollows) {
  HeadReader reader;
  std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c";
  EXPECT_EQ(reader.feed(two), HeadReader::Status::complete);
  EXPECT_EQ(reader.head(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reader.consume(), HeadReader::Status::complete);
  EXPECT_EQ(reader.head(), "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reader.consume(), HeadReader::Status::need_more);
  EXPECT_EQ(reader.feed(" HTTP/1.0\n\n"), HeadReader::Status::complete);  // bare LF ends lines too
  EXPECT_EQ(reader.head(), "GET /c HTTP/1.0\n\n");
}

TEST(HttpHeadReader, ByteByByteIsTheSameAsAtOnce) {
  HeadReader reader;
  std::string head = "\r\nGET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n";  // a leading empty line is ignored
  for (size_t i = 0; i + 1 < head.size(); ++i) {
    ASSERT_EQ(reader.feed(head.substr(i, 1)), HeadReader::Status::need_more) << i;
  }
  EXPECT_EQ(reader.feed(head.substr(head.size() - 1)), HeadReader::Status::complete);
  EXPECT_EQ(reader.head(), head);
}

TEST(HttpHeadReader, NeverTakesMoreThanTheLimits) {
  HeadReader big;
  std::string line = "X-Filler: " + std::string(1000, 'a') + "\r\n";
  std::string head = "GET / HTTP/1.1\r\n";
  while (head.size() < 20000) head += line;
  EXPECT_EQ(big.room(), HeadReader::kMaxHeadBytes);
  EXPECT_EQ(big.feed(head), HeadReader::Status::too_large);
  EXPECT_EQ(big.room(), 0u);

  HeadReader many;
  std::string fields = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i <= HeadReader::kMaxFieldLines; ++i) fields += "X: 1\r\n";
  EXPECT_EQ(many.feed(fields), HeadReader::Status::too_large);

  HeadReader exactly;
  std::string hundred = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < HeadReader::kMaxFieldLines; ++i) hundred += "X: 1\r\n";
  EXPECT_EQ(exactly.feed(hundred + "\r\n"), HeadReader::Status::complete);

  HeadReader uri;
  EXPECT_EQ(uri.feed("GET /" + std::string(9000, 'a')), HeadReader::Status::uri_too_long);
}

TEST(HttpRequest, ParsesOriginAndAbsoluteForm) {
  Request r = parsed("GET /probe?target=main HTTP/1.1\r\nHost: x\r\nAccept-Encoding:  gzip \r\n\r\n");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/probe");
  EXPECT_EQ(r.query, "target=main");
  EXPECT_EQ(r.minor_version, 1);
  EXPECT_TRUE(r.keep_alive);
  ASSERT_TRUE(r.field("accept-encoding"));
  EXPECT_EQ(*r.field("accept-encoding"), "gzip");
  Request absolute = parsed("GET http://127.0.0.1:9188/metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(absolute.path, "/metrics");
  EXPECT_EQ(parsed("GET HTTP://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").path, "/");
  EXPECT_EQ(parsed("GET HTTP://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").query, "x=1");
}

TEST(HttpRequest, KeepAliveFollowsTheVersionAndConnection) {
  EXPECT_FALSE(parsed("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(parsed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
  EXPECT_FALSE(parsed("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n").keep_alive);
  EXPECT_EQ(parsed("GET / HTTP/1.0\r\n\r\n").minor_version, 0);
  EXPECT_EQ(parsed("GET / HTTP/1.9\r\nHost: x\r\n\r\n").minor_version, 1);
}

TEST(HttpRequest, FramingAmbiguitiesAre400) {
  EXPECT_EQ(refused("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 30\r\n\r\n"), 400);
  EXPECT_EQ(refused("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"), 400);
  EXPECT_EQ(refused("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n"), 400);
  EXPECT_EQ(refused("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(refused("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n"), 400);
  EXPECT_EQ(refused("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(parsed("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").content_length, 0u);
}

TEST(HttpRequest, MalformedHeadsAre400) {
  for (const char* head : {"GET / HTTP/1.1\r\n\r\n",                          // no Host
                           "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",   // two
                           "GET /  HTTP/1.1\r\nHost: x\r\n\r\n",             // stray space
                           "GET / HTTP/1.1 x\r\nHost: x\r\n\r\n",
                           "GET /\r\n\r\n",                                   // HTTP/0.9
                           "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",               // method not a token
                           "GET nothing HTTP/1.1\r\nHost: x\r\n\r\n",         // not a path
                           "GET ftp://h/ HTTP/1.1\r\nHost: x\r\n\r\n",
                           "GET / HTTP/1.1\r\nHost : x\r\n\r\n",              // space before colon
                           "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",    // obsolete line folding
                           "GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n",            // bare CR
                           "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
                           "GET / HTTP/1.1\r\nHost: x\x01\r\n\r\n",           // control character
                           "GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    EXPECT_EQ(refused(head), 400) << head;
  }
  EXPECT_EQ(refused(std::string("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n", 28)), 400);
  EXPECT_EQ(refused("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
}
