// Response heads and bodies (http/response.h) and gzip (http/gzip.h, text/gzip.h).
#include <gtest/gtest.h>

#include "gunzip.h"
#include "http/gzip.h"
#include "http/response.h"
#include "text/gzip.h"

using namespace pgconn::http;
using pgtest::gunzip;

namespace {

// One gzip member joined from pieces compressed apart, as /metrics sends it.
std::string gzip(const std::vector<std::string_view>& pieces, int level = pgconn::text::kGzipLevel) {
  std::string out(pgconn::text::gzip_header());
  pgconn::text::GzipTrailer trailer;
  for (std::string_view piece : pieces) {
    pgconn::text::Deflated deflated = pgconn::text::deflate_piece({piece}, level);
    trailer.add(deflated);
    out += deflated.data;
  }
  return out + trailer.finish();
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
  EXPECT_EQ(gunzip(gzip({big, "", "tail"}, 6)), big + "tail");
  bool ok = false;
  EXPECT_EQ(gunzip(gzip({}), &ok), "");
  EXPECT_TRUE(ok);
  // Several members are one stream too (RFC 1952 2.2), for readers that follow it.
  EXPECT_EQ(gunzip(gzip({"one "}) + gzip({big}) + gzip({" three"})), "one " + big + " three");
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
