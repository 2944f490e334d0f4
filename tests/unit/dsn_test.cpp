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
  EXPECT_EQ(redact_dsn("host=db password = 's3 cret' user=m"), "host=db password = '***' user=m");
  EXPECT_EQ(redact_dsn("host=db user=m"), "host=db user=m");
}

TEST(Dsn, ExtractsThePasswordForScrubbing) {
  EXPECT_EQ(dsn_password("postgresql://u:s3cret@h/db"), "s3cret");
  EXPECT_EQ(dsn_password("host=h password=abc"), "abc");
  EXPECT_EQ(pgconn::config::scrub("failed for s3cret and s3cret", "s3cret"), "failed for *** and ***");
}

// Passwords are found where libpq takes them from, including the corners a
// search for "password=" misses.
TEST(Dsn, RedactsWhereLibpqReadsPasswords) {
  EXPECT_EQ(redact_dsn("host=db\tpassword\t=\ts3cret\tuser=m"), "host=db\tpassword\t=\t***\tuser=m");
  EXPECT_EQ(redact_dsn("password=s3\\ cret host=db"), "password=*** host=db");
  EXPECT_EQ(redact_dsn("password='it\\'s' host=db"), "password='***' host=db");
  EXPECT_EQ(redact_dsn("password='a'host=db"), "password='***'host=db");
  EXPECT_EQ(redact_dsn("postgresql://u:p?ss@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(redact_dsn("postgresql://u:p@ss@h/db"), "postgresql://u:***@ss@h/db");  // libpq splits at the first '@'
  EXPECT_EQ(redact_dsn("postgresql://h/db?password=a&password=b"), "postgresql://h/db?password=***&password=***");
  EXPECT_EQ(redact_dsn("postgresql://h/db?%70assword=x"), "postgresql://h/db?%70assword=***");
  EXPECT_EQ(redact_dsn("postgresql://[::1]:5432,h2/db?sslmode=require&password=x"),
            "postgresql://[::1]:5432,h2/db?sslmode=require&password=***");
  EXPECT_EQ(redact_dsn("postgresql://h?password=x"), "postgresql://h?password=***");
  EXPECT_EQ(redact_dsn("postgresql://u:@h/db"), "postgresql://u:@h/db");
  EXPECT_EQ(redact_dsn(std::string("host=db\0password=x", 18)), "host=db");
}

TEST(Dsn, ScrubTerminatesWhenTheSecretLooksLikeTheMask) {
  EXPECT_EQ(pgconn::config::scrub("a*b", "*"), "a***b");
  EXPECT_EQ(pgconn::config::scrub("x***y", "**"), "x****y");
  EXPECT_EQ(pgconn::config::scrub("aaa", "aa"), "***a");
}

TEST(Dsn, ProblemsNeverQuoteThePassword) {
  using pgconn::config::dsn_problem;
  // libpq quotes the whole URL here.
  auto problem = dsn_problem("postgresql://u:Hunter2pw@[::1]x/db");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->find("Hunter2pw"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("postgresql://u:***@[::1]x/db"), std::string::npos) << *problem;
  problem = dsn_problem("postgresql://[::1/db?password=Hunter2pw");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->find("Hunter2pw"), std::string::npos) << *problem;
  // ... and the raw component that fails to decode here.
  problem = dsn_problem("postgresql://u:Hunter2%zz@h/db");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->find("Hunter2"), std::string::npos) << *problem;
  EXPECT_EQ(dsn_problem(std::string("host=h\0password=x", 17)), "contains a NUL character");
  EXPECT_FALSE(dsn_problem("postgresql://u:p@h/db?password=q"));
}
