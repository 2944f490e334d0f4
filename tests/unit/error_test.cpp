#include <gtest/gtest.h>

#include "pg/error.h"

using pgconn::pg::classify;
using pgconn::pg::ErrorKind;
using pgconn::pg::sqlstate_in_message;

TEST(ErrorClassification, BySqlstate) {
  EXPECT_EQ(classify("53300", "sorry, too many clients already"), ErrorKind::too_many_connections);
  EXPECT_EQ(classify("53300", "remaining connection slots are reserved for non-replication superuser connections"),
            ErrorKind::reserved_slots_only);
  EXPECT_EQ(classify("28P01", "password authentication failed"), ErrorKind::auth);
  EXPECT_EQ(classify("28000", "no pg_hba.conf entry"), ErrorKind::auth);
  EXPECT_EQ(classify("3D000", "database \"x\" does not exist"), ErrorKind::database_missing);
  EXPECT_EQ(classify("57P03", "the database system is starting up"), ErrorKind::starting_up);
  EXPECT_EQ(classify("57P03", "the database system is shutting down"), ErrorKind::shutting_down);
  EXPECT_EQ(classify("42501", "permission denied"), ErrorKind::query);
}

TEST(ErrorClassification, WithoutSqlstate) {
  EXPECT_EQ(classify("", "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"),
            ErrorKind::refused);
  EXPECT_EQ(classify("", "something odd"), ErrorKind::other);
}

TEST(ErrorClassification, SqlstateFromVerboseMessage) {
  EXPECT_EQ(sqlstate_in_message("connection to server at \"127.0.0.1\", port 5 failed: FATAL:  53300: sorry, too "
                                "many clients already\nLOCATION:  InitProcess, proc.c:363\n"),
            "53300");
  EXPECT_EQ(sqlstate_in_message("FATAL:  sorry, too many clients already"), "");
}
