// Basic credentials parsing, bcrypt verification and the verification cache.
#include <crypt.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "web/basic_auth.h"

using pgconn::web::BasicAuth;
using pgconn::web::bcrypt_matches;
using pgconn::web::parse_basic_credentials;

namespace {

// A fresh bcrypt hash of `password` with the given prefix ("$2a$", "$2b$", "$2y$").
std::string bcrypt(const std::string& password, const char* prefix = "$2b$", unsigned long cost = 4) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn(prefix, cost, nullptr, 0, salt, sizeof salt)) return "";
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), salt, &data);
  return hash ? hash : "";
}

// "Basic " + base64("user:password").
std::string basic(const std::string& credentials) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : credentials) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 63];
  while (out.size() % 4) out += '=';
  return "Basic " + out;
}

double millis_of(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST(WebBasicAuth, ParsesCredentials) {
  std::string user, password;
  ASSERT_TRUE(parse_basic_credentials(basic("prometheus:pa:ss word"), &user, &password));
  EXPECT_EQ(user, "prometheus");
  EXPECT_EQ(password, "pa:ss word");  // only the first ':' separates
  ASSERT_TRUE(parse_basic_credentials("basic   " + basic("u:").substr(6), &user, &password));
  EXPECT_EQ(user, "u");
  EXPECT_EQ(password, "");
}

TEST(WebBasicAuth, RejectsMalformedHeaders) {
  std::string user, password;
  for (const std::string& header :
       {std::string(""), std::string("Basic"), std::string("Basic "), std::string("Bearer abc"),
        std::string("Basic dTp"),  // base64 comes in groups of four
        std::string("Basic dTpw=="), std::string("Basic dTp w"), std::string("Basic ===="),
        basic("no-colon"), basic(std::string("u:p\0x", 5)), std::string("Basicx ") + basic("u:p").substr(6)}) {
    EXPECT_FALSE(parse_basic_credentials(header, &user, &password)) << header;
  }
}

TEST(WebBasicAuth, VerifiesEveryBcryptVariant) {
  for (const char* prefix : {"$2a$", "$2b$", "$2y$"}) {
    std::string hash = bcrypt("correct horse", prefix);
    ASSERT_EQ(hash.substr(0, 4), prefix);
    EXPECT_TRUE(bcrypt_matches("correct horse", hash)) << prefix;
    EXPECT_FALSE(bcrypt_matches("correct horsf", hash)) << prefix;
    EXPECT_FALSE(bcrypt_matches("", hash)) << prefix;
  }
  EXPECT_FALSE(bcrypt_matches("x", "$2b$04$short"));
  EXPECT_FALSE(bcrypt_matches("x", "not a hash at all"));
}

TEST(WebBasicAuth, ChecksUsersAndPasswords) {
  BasicAuth auth({{"prometheus", bcrypt("s3cret")}, {"grafana", bcrypt("other")}});
  EXPECT_TRUE(auth.check(basic("prometheus:s3cret")));
  EXPECT_TRUE(auth.check(basic("grafana:other")));
  EXPECT_FALSE(auth.check(basic("prometheus:other")));  // another user's password
  EXPECT_FALSE(auth.check(basic("nobody:s3cret")));
  EXPECT_FALSE(auth.check(basic("Prometheus:s3cret")));  // user names are case-sensitive
  EXPECT_FALSE(auth.check(""));
  EXPECT_FALSE(BasicAuth({}).check(basic("prometheus:s3cret")));
}

TEST(WebBasicAuth, CachesResultsOnlyBriefly) {
  // Cost 10: slow enough (tens of ms) to tell a cache hit from a bcrypt run.
  BasicAuth auth({{"prometheus", bcrypt("s3cret", "$2b$", 10)}});
  auto now = BasicAuth::Clock::now();
  double first = millis_of([&] { EXPECT_TRUE(auth.check(basic("prometheus:s3cret"), now)); });
  EXPECT_EQ(auth.cached_entries(), 1u);
  // The fastest of five cache hits: a single preemption cannot make the
  // hit look as slow as a bcrypt run (which such a pause only makes slower).
  auto fastest = [](const std::function<void()>& f) {
    double best = millis_of(f);
    for (int i = 1; i < 5; ++i) best = std::min(best, millis_of(f));
    return best;
  };
  double cached =
      fastest([&] { EXPECT_TRUE(auth.check(basic("prometheus:s3cret"), now + std::chrono::seconds(1))); });
  EXPECT_LT(cached * 4, first) << "first " << first << " ms, cached " << cached << " ms";
  // A wrong password costs one bcrypt, then fails from the cache: repeating
  // it cannot keep the workers (and the connection slots) busy.
  double wrong = millis_of([&] { EXPECT_FALSE(auth.check(basic("prometheus:wrong"), now)); });
  EXPECT_EQ(auth.cached_entries(), 2u);
  double wrong_again =
      fastest([&] { EXPECT_FALSE(auth.check(basic("prometheus:wrong"), now + std::chrono::seconds(1))); });
  EXPECT_LT(wrong_again * 4, wrong) << "wrong " << wrong << " ms, again " << wrong_again << " ms";
  // Another wrong password for a cached user still costs a bcrypt and fails.
  EXPECT_FALSE(auth.check(basic("prometheus:s3cre"), now));
  double expired = millis_of(
      [&] { EXPECT_TRUE(auth.check(basic("prometheus:s3cret"), now + BasicAuth::kCacheTtl + std::chrono::seconds(1))); });
  EXPECT_LT(cached * 4, expired) << "expired " << expired << " ms, cached " << cached << " ms";
}
