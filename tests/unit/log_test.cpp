// Log lines (log/log.h): one line per call whatever the values hold, valid
// UTF-8, control characters escaped, so a name cannot forge or hide a line.
#include <gtest/gtest.h>

#include "log/log.h"

using namespace pgconn::log;

TEST(Log, LogfmtQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(format_line(Format::logfmt, Level::info, "serving", {{"address", "127.0.0.1:9188"}}),
            "level=info msg=serving address=127.0.0.1:9188");
  EXPECT_EQ(format_line(Format::logfmt, Level::warn, "poll failed", {{"error", "a \"b\" = c"}, {"empty", ""}}),
            "level=warn msg=\"poll failed\" error=\"a \\\"b\\\" = c\" empty=\"\"");
}

TEST(Log, HostileValuesCannotForgeLinesOrSteerTerminals) {
  std::string line = format_line(Format::logfmt, Level::warn, "poll failed",
                                 {{"error", "x\nts=0 level=error msg=forged"}, {"db", "nodb\x1b[2J\xc2\x9b"},
                                  {"role", "bad\xff\xfeutf"}, {"tab", "a\tb"}});
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
  EXPECT_NE(line.find("error=\"x\\nts=0 level=error msg=forged\""), std::string::npos) << line;
  EXPECT_NE(line.find("db=\"nodb\\u001b[2J\\u009b\""), std::string::npos) << line;
  EXPECT_NE(line.find("role=\"bad\xef\xbf\xbd\xef\xbf\xbdutf\""), std::string::npos) << line;
  EXPECT_NE(line.find("tab=\"a\\tb\""), std::string::npos) << line;

  std::string json = format_line(Format::json, Level::error, "m\x1b", {{"k\xff", "v\n"}});
  EXPECT_EQ(json, "\"level\":\"error\",\"msg\":\"m\\u001b\",\"k\xef\xbf\xbd\":\"v\\n\"");
}
