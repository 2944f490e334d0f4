// Response heads and bodies (http/response.h) and gzip (http/gzip.h).
#include <gtest/gtest.h>
#include <zlib.h>

#include "http/gzip.h"
#include "http/response.h"

using namespace pgconn::http;

namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 32);
  std::string out;
  char buffer[4096];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&stream);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

Request with_accept_encoding(const std::string& value) {
  Request r;
  r.fields.emplace_back("accept-encoding", value);
  return r;
}

}  // namespace

TEST(HttpResponse, HeadHasContentLengthAndConnectionByVersion) {
  Response r = Response::text(200, "hello\n");
  std::string keep = response_head(r, Framing{1, true, false}, 0);
  EXPECT_EQ(keep.rfind("HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n", 0), 0u) << keep;
  EXPECT_NE(keep.find("\r\nContent-Length: 6\r\n"), std::string::npos);
  EXPECT_EQ(keep.find("Connection"), std::string::npos);
  EXPECT_EQ(keep.find("chunked"), std::string::npos);
  EXPECT_EQ(keep.substr(keep.size() - 4), "\r\n\r\n");
  EXPECT_NE(response_head(r, Framing{1, false, false}, 0).find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(response_head(r, Framing{0, true, false}, 0).find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  EXPECT_NE(response_head(Response::text(431, ""), Framing{}, 0).find("431 Request Header Fields Too Large"),
            std::string::npos);
}

TEST(HttpResponse, BodyPiecesAndGzip) {
  auto owner = std::make_shared<std::string>("abcdef");
  Body body({std::string_view(*owner).substr(0, 2), std::string_view(*owner).substr(2)}, owner);
  EXPECT_EQ(body.size(), 6u);
  std::string big(200000, 'x');
  EXPECT_EQ(gunzip(gzip({"head ", big, " tail"})), "head " + big + " tail");
  EXPECT_LT(gzip({big}).size(), 2000u);
}

TEST(HttpResponse, AcceptEncodingWeights) {
  EXPECT_TRUE(accepts_gzip(with_accept_encoding("gzip")));
  EXPECT_TRUE(accepts_gzip(with_accept_encoding("deflate, GZIP;q=0.5")));
  EXPECT_TRUE(accepts_gzip(with_accept_encoding("*")));
  EXPECT_FALSE(accepts_gzip(with_accept_encoding("gzip;q=0")));
  EXPECT_FALSE(accepts_gzip(with_accept_encoding("*, gzip;q=0")));
  EXPECT_FALSE(accepts_gzip(with_accept_encoding("identity")));
  EXPECT_FALSE(accepts_gzip(Request{}));
}
