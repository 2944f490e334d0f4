// pg::Session against a real server: which query failures cost the
// connection (and so a reconnect and a fresh backend) and which do not.
#include <gtest/gtest.h>

#include <chrono>

#include "pg/session.h"
#include "pg_server.h"

using namespace std::chrono_literals;

namespace {

pgconn::pg::ConnectOptions options_for(const pgtest::PgServer& server) {
  pgconn::pg::ConnectOptions options;
  options.dsn = server.url();
  options.timeout = 2000ms;  // statement_timeout guard: 1,600 ms
  return options;
}

// The server cancelling a slow statement (statement_timeout, 57014) leaves a
// healthy connection: the poll fails as a timeout, the slot stays ours.
TEST(Session, ServerCancelledStatementKeepsTheConnection) {
  pgtest::PgServer server;
  pgconn::pg::Session session(options_for(server));
  const int pid = session.backend_pid();
  try {
    session.query("SET statement_timeout = 100; SELECT pg_sleep(5)", 1500ms);
    FAIL() << "pg_sleep(5) was not cancelled";
  } catch (const pgconn::pg::Error& e) {
    EXPECT_EQ(e.kind(), pgconn::pg::ErrorKind::timeout);
    EXPECT_EQ(e.sqlstate(), "57014");
  }
  EXPECT_FALSE(session.broken());
  auto results = session.query("SELECT pg_backend_pid()", 1500ms);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].integer(0, 0), pid);
}

// Our own deadline passing mid-query leaves the protocol in an unknown
// state: that connection must not be used again.
TEST(Session, ClientDeadlineMidQueryBreaksTheConnection) {
  pgtest::PgServer server;
  pgconn::pg::Session session(options_for(server));
  try {
    session.query("SELECT pg_sleep(5)", 200ms);
    FAIL() << "the 200 ms deadline did not fire";
  } catch (const pgconn::pg::Error& e) {
    EXPECT_EQ(e.kind(), pgconn::pg::ErrorKind::timeout);
    EXPECT_EQ(e.sqlstate(), "");
  }
  EXPECT_TRUE(session.broken());
  EXPECT_THROW(session.query("SELECT 1", 1500ms), pgconn::pg::Error);
}

}  // namespace
