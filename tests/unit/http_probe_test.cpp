// /probe?target=NAME: one configured target, named once (http/probe.h).
#include <gtest/gtest.h>

#include "http/probe.h"

using pgconn::http::find_probe_target;
using pgconn::http::form_decode;

TEST(HttpProbe, FindsExactlyOneConfiguredTarget) {
  std::vector<std::string> names = {"main", "replica"};
  auto found = find_probe_target("target=replica&module=x", names);
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.index, 1u);
  EXPECT_EQ(find_probe_target("module=x&target=%6d%61in", names).index, 0u);
  found = find_probe_target("target=postgresql%3A%2F%2Fevil%3Apw%4010.0.0.1%2Fx", names);
  EXPECT_EQ(found.status, 404);
  EXPECT_EQ(std::string(found.message).find("evil"), std::string::npos);
  EXPECT_EQ(find_probe_target("target=main%00x", names).status, 400);
}

TEST(HttpProbe, MissingEmptyOrRepeatedTargetIs400SayingWhy) {
  std::vector<std::string> names = {"main"};
  auto missing = find_probe_target("", names);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(std::string(missing.message).find("missing"), std::string::npos);
  for (const char* query : {"target=", "target", "target=&x=1"}) {
    auto empty = find_probe_target(query, names);
    EXPECT_EQ(empty.status, 400) << query;
    EXPECT_NE(std::string(empty.message).find("empty"), std::string::npos) << query;
  }
  auto repeated = find_probe_target("target=main&target=main", names);
  EXPECT_EQ(repeated.status, 400);
  EXPECT_NE(std::string(repeated.message).find("repeated"), std::string::npos);
  EXPECT_EQ(find_probe_target("target=%zz", names).status, 400);
}

TEST(HttpProbe, FormDecoding) {
  std::string out;
  EXPECT_TRUE(form_decode("a+b%2Fc%41", &out));
  EXPECT_EQ(out, "a b/cA");
  EXPECT_FALSE(form_decode("%4", &out));
  EXPECT_FALSE(form_decode("%", &out));
  EXPECT_FALSE(form_decode("%g1", &out));
  EXPECT_FALSE(form_decode("%00", &out));
}
