#include <gtest/gtest.h>

#include "config/dsn.h"

using pgconn::config::dsn_password;
using pgconn::config::redact_dsn;

TEST(Dsn, RedactsUrlPasswords) {
  EXPECT_EQ(redact_dsn("postgresql://monitor:s3cret@db:5432/postgres"), "postgresql://monitor:***@db:5432/postgres");
  EXPECT_EQ(redact_dsn("postgres://u:p%40ss@h/db?sslmode=require&password=x2"),
            "postgres://u:***@h/db?sslmode=require&password=***");
  EXPECT_EQ(redact_dsn("postgresql://monitor@db/postgres"), "postgresql://monitor@db/postgres");
  EXPECT_EQ(redact_dsn("postgresql://db/postgres"), "postgresql://db/postgres");
}

TEST(Dsn, RedactsKeywordValuePasswords) {
  EXPECT_EQ(redact_dsn("host=db password=s3cret user=m"), "host=db password=*** user=m");
  EXPECT_EQ(redact_dsn("host=db password = 's3 cret' user=m"), "host=db password = *** user=m");
  EXPECT_EQ(redact_dsn("host=db user=m"), "host=db user=m");
}

TEST(Dsn, ExtractsThePasswordForScrubbing) {
  EXPECT_EQ(dsn_password("postgresql://u:s3cret@h/db"), "s3cret");
  EXPECT_EQ(dsn_password("host=h password=abc"), "abc");
  EXPECT_EQ(pgconn::config::scrub("failed for s3cret and s3cret", "s3cret"), "failed for *** and ***");
}
