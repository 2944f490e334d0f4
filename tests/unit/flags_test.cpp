#include <gtest/gtest.h>

#include "cli/flags.h"

using pgconn::cli::parse;
using pgconn::cli::UsageError;

TEST(Flags, DaemonFlagsInBothForms) {
  auto f = parse({"--config.file=/etc/p.toml", "--web.listen-address", "127.0.0.1:1", "--log.format=json"});
  EXPECT_EQ(f.config_file, "/etc/p.toml");
  EXPECT_EQ(f.listen_address, "127.0.0.1:1");
  EXPECT_EQ(f.log_format, "json");
  EXPECT_TRUE(f.command.empty());
}

TEST(Flags, CheckConfigTakesAFile) {
  auto f = parse({"check-config", "a.toml"});
  EXPECT_EQ(f.command, "check-config");
  ASSERT_EQ(f.arguments.size(), 1u);
  EXPECT_EQ(f.arguments[0], "a.toml");
}

TEST(Flags, UnknownFlagsAndCommandsAreErrors) {
  EXPECT_THROW(parse({"--nope"}), UsageError);
  EXPECT_THROW(parse({"frobnicate"}), UsageError);
  EXPECT_THROW(parse({"--config.file"}), UsageError);
}
