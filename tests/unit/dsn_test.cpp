// DSNs are read with libpq's own parser (config/dsn.h): what is printed is
// what libpq will use, with the password hidden; DSNs libpq would misread
// are refused without quoting them.
#include <gtest/gtest.h>

#include "config/dsn.h"

using pgconn::config::dsn_password;
using pgconn::config::dsn_problem;
using pgconn::config::redact_dsn;

TEST(Dsn, RedactsFromLibpqsParse) {
  EXPECT_EQ(redact_dsn("postgresql://monitor:s3cret@db:5432/postgres"),
            "user=monitor password=*** dbname=postgres host=db port=5432");
  EXPECT_EQ(redact_dsn("postgres://u:p%40ss@h/db?sslmode=require&password=x2"),
            "user=u password=*** dbname=db host=h sslmode=require");
  EXPECT_EQ(redact_dsn("postgresql://monitor@db/postgres"), "user=monitor dbname=postgres host=db");
  EXPECT_EQ(redact_dsn("host=db password = 's3 cret' user=m"), "user=m password=*** host=db");
  EXPECT_EQ(redact_dsn("host=db\tpassword\t=\ts3cret\tuser=m"), "user=m password=*** host=db");
  EXPECT_EQ(redact_dsn("password='it\\'s' host=db application_name='a b\\'c'"),
            "password=*** host=db application_name='a b\\'c'");
  EXPECT_EQ(redact_dsn("postgresql://h/db?%70assword=x"), "password=*** dbname=db host=h");
  EXPECT_EQ(redact_dsn("postgresql://u:@h/db"), "user=u dbname=db host=h");
  EXPECT_EQ(redact_dsn("postgresql://[::1]:5432,h2/db"), "dbname=db host=::1,h2 port=5432,");
  // Nothing libpq cannot parse is printed at all.
  EXPECT_FALSE(redact_dsn("host='unterminated password=x"));
  EXPECT_FALSE(redact_dsn(std::string("host=db\0password=x", 18)));
}

TEST(Dsn, ExtractsThePasswordForScrubbing) {
  EXPECT_EQ(dsn_password("postgresql://u:s3cret@h/db"), "s3cret");
  EXPECT_EQ(dsn_password("host=h password=abc"), "abc");
  EXPECT_EQ(pgconn::config::scrub("failed for s3cret and s3cret", "s3cret"), "failed for *** and ***");
}

TEST(Dsn, ScrubTerminatesWhenTheSecretLooksLikeTheMask) {
  const std::string stars(8, '*');
  EXPECT_EQ(pgconn::config::scrub("a" + stars + "b", stars), "a***b");
  EXPECT_EQ(pgconn::config::scrub("x" + stars + "***y", stars), "x******y");
  EXPECT_EQ(pgconn::config::scrub(std::string(17, 'a'), std::string(8, 'a')), "******a");
}

TEST(Dsn, AShortSecretIsMaskedOnlyWhereItStandsAlone) {
  // Masking every "L" would mangle the message and spell the password by its gaps.
  EXPECT_EQ(pgconn::config::scrub("FATAL:  password authentication failed for user \"mon\"", "L"),
            "FATAL:  password authentication failed for user \"mon\"");
  EXPECT_EQ(pgconn::config::scrub("bad password L (L)", "L"), "bad password *** (***)");
  EXPECT_EQ(pgconn::config::scrub("pw=ab1, ab12", "ab1"), "pw=***, ab12");
}

// A raw '@' or '/' in the user info makes libpq take the password's tail
// for the host or the database name: refused, naming the fix, quoting nothing.
TEST(Dsn, RawAtOrSlashInTheUserInfoIsRefused) {
  for (const char* dsn : {"postgresql://mon:p@ssW0rdTail1@127.0.0.1:5432/postgres",
                          "postgresql://mon:Ab/cdW0rdTail2@127.0.0.1:5432/postgres",
                          "postgres://mon:p@ss/W0rdTail3@h/db"}) {
    auto problem = dsn_problem(dsn);
    ASSERT_TRUE(problem) << dsn;
    EXPECT_NE(problem->find("%40"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("%2F"), std::string::npos) << *problem;
    EXPECT_EQ(problem->find("W0rdTail"), std::string::npos) << *problem;
    EXPECT_EQ(problem->find("mon"), std::string::npos) << *problem;
  }
  // A '/' then a '?' in the password: libpq refuses what it then sees as a query.
  auto query = dsn_problem("postgresql://mon:a/b?c@W0rdTail4@h/db");
  ASSERT_TRUE(query);
  EXPECT_EQ(query->find("W0rdTail"), std::string::npos) << *query;
  EXPECT_FALSE(dsn_problem("postgresql://mon:p%40ss%2Fx@127.0.0.1:5432/postgres"));
  EXPECT_FALSE(dsn_problem("postgresql://mon:p?ss@h/db"));  // libpq reads a '?' in the user info right
  EXPECT_FALSE(dsn_problem("postgresql://h/db?user=a@b&password=c@d"));  // '@' in the query is fine
  EXPECT_FALSE(dsn_problem("host=h password=p@ss/w0rd"));
}

TEST(Dsn, ProblemsNeverQuoteTheDsn) {
  for (const char* dsn : {"postgresql://u:Hunter2pw@[::1]x/db", "postgresql://[::1/db?password=Hunter2pw",
                          "postgresql://u:Hunter2%zz@h/db", "host=h port Hunter2pw", "postgresql://h/db?Hunter2pw"}) {
    auto problem = dsn_problem(dsn);
    ASSERT_TRUE(problem) << dsn;
    EXPECT_EQ(problem->find("Hunter2"), std::string::npos) << *problem;
  }
  EXPECT_EQ(dsn_problem(std::string("host=h\0password=x", 17)), "contains a NUL character");
  EXPECT_EQ(dsn_problem(""), "is empty: libpq would silently connect with its defaults");
  EXPECT_EQ(dsn_problem("  "), "is empty: libpq would silently connect with its defaults");
  EXPECT_FALSE(dsn_problem("postgresql://u:p@h/db?password=q"));
}
