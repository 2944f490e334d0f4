// The one sanitizer every output uses (format.h): valid UTF-8 for labels and
// JSON, escaped control characters for terminals and logs, shell quoting
// for suggested commands.
#include <gtest/gtest.h>

#include "text/format.h"

using namespace pgconn::text;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

}  // namespace

TEST(Format, ValidUtf8ReplacesEachIllFormedSubpart) {
  EXPECT_EQ(valid_utf8("plain ascii"), "plain ascii");
  EXPECT_EQ(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x98"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x98");
  EXPECT_EQ(valid_utf8("bad\xff\xfeutf"), "bad" + kFffd + kFffd + "utf");
  EXPECT_EQ(valid_utf8("baddb\xc3\x28"), "baddb" + kFffd + "(");
  // Truncated sequences are one subpart; overlongs, surrogates and code
  // points beyond U+10FFFF are replaced byte by byte.
  EXPECT_EQ(valid_utf8("\xE2\x82"), kFffd);
  EXPECT_EQ(valid_utf8("\xF0\x9F\x90"), kFffd);
  EXPECT_EQ(valid_utf8("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);
  EXPECT_EQ(valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Format, PrintableEscapesC0AndC1Controls) {
  EXPECT_EQ(printable("app\x1b[31mred"), "app\\x1b[31mred");
  EXPECT_EQ(printable("line\nforged level=error"), "line\\x0aforged level=error");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("csi\xC2\x9B" "31m"), "csi\\u009b31m");  // C1 CSI, UTF-8 encoded
  EXPECT_EQ(printable("nbsp\xC2\xA0ok"), "nbsp\xC2\xA0ok");
  EXPECT_EQ(printable("raw\x9b"), "raw" + kFffd);  // a lone C1 byte is not UTF-8
}

TEST(Format, PrintableEscapesBidirectionalFormattingCharacters) {
  // "Trojan Source": an override makes a terminal show the rest of the line reversed.
  EXPECT_EQ(printable("app\xE2\x80\xAEgol"), "app\\u202egol");  // RLO
  EXPECT_EQ(printable("\xE2\x81\xA6x\xE2\x81\xA9"), "\\u2066x\\u2069");  // LRI ... PDI
  EXPECT_EQ(printable("\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C"), "\\u200e\\u200f\\u061c");  // LRM RLM ALM
  EXPECT_EQ(printable("dash\xE2\x80\x94ok"), "dash\xE2\x80\x94ok");  // U+2014, a neighbour, stays
  EXPECT_EQ(printable("\xD8\xA7"), "\xD8\xA7");  // Arabic letter alef stays
}

TEST(Format, JsonStringIsValidUtf8WithControlsEscaped) {
  EXPECT_EQ(json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(json_string("x\xC2\x85y\x7f"), "\"x\\u0085y\\u007f\"");
  EXPECT_EQ(json_string("bad\xff"), "\"bad" + kFffd + "\"");
}

TEST(Format, ShellQuoteRunsNothing) {
  EXPECT_EQ(shell_quote("x $(touch /tmp/p) ;id"), "'x $(touch /tmp/p) ;id'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}
