#include <gtest/gtest.h>

#include "cli/flags.h"

using pgconn::cli::parse;
using pgconn::cli::UsageError;

TEST(CliFlags, OperatorCommandsTakeTheirOptions) {
  auto f = parse({"monitor", "--target", "main", "--interval=1s", "--once"});
  EXPECT_EQ(f.command, "monitor");
  EXPECT_EQ(f.options.at("target"), "main");
  EXPECT_EQ(f.options.at("interval"), "1s");
  EXPECT_EQ(f.options.at("once"), "true");

  f = parse({"reset", "--target=main", "--application", "web", "--state", "idle", "--older-than", "10m",
             "--execute"});
  EXPECT_EQ(f.command, "reset");
  EXPECT_EQ(f.options.size(), 5u);
  EXPECT_EQ(parse({"diagnose", "--format", "json"}).options.at("format"), "json");
}

TEST(CliFlags, OptionsOfAnotherCommandAreRefused) {
  EXPECT_THROW(parse({"diagnose", "--execute"}), UsageError);
  EXPECT_THROW(parse({"monitor", "--application", "web"}), UsageError);
  EXPECT_THROW(parse({"reset", "--once"}), UsageError);
  EXPECT_THROW(parse({"--target", "main"}), UsageError);  // no command yet
  EXPECT_THROW(parse({"reset", "--execute=yes"}), UsageError);
  EXPECT_THROW(parse({"diagnose", "main"}), UsageError);  // positional arguments are check-config's only
}

TEST(CliFlags, OperatorCommandsLogOnlyErrorsUnlessAsked) {
  EXPECT_EQ(parse({"diagnose"}).log_level, "error");
  EXPECT_EQ(parse({"--log.level=debug", "monitor"}).log_level, "debug");
  EXPECT_EQ(parse({"check-config", "a.toml"}).log_level, "info");
  EXPECT_EQ(parse({}).log_level, "info");
}

TEST(CliFlags, DaemonFlagsInBothForms) {
  auto f = parse({"--config.file=/etc/p.toml", "--web.listen-address", "127.0.0.1:1", "--log.format=json"});
  EXPECT_EQ(f.config_file, "/etc/p.toml");
  EXPECT_EQ(f.listen_address, "127.0.0.1:1");
  EXPECT_EQ(f.log_format, "json");
  EXPECT_TRUE(f.command.empty());
}

TEST(CliFlags, CheckConfigTakesAFile) {
  auto f = parse({"check-config", "a.toml"});
  EXPECT_EQ(f.command, "check-config");
  ASSERT_EQ(f.arguments.size(), 1u);
  EXPECT_EQ(f.arguments[0], "a.toml");
}

TEST(CliFlags, UnknownFlagsAndCommandsAreErrors) {
  EXPECT_THROW(parse({"--nope"}), UsageError);
  EXPECT_THROW(parse({"frobnicate"}), UsageError);
  EXPECT_THROW(parse({"--config.file"}), UsageError);
}
