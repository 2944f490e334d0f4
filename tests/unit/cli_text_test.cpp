#include <gtest/gtest.h>

#include "cli/text.h"

using namespace pgconn::cli;

TEST(CliText, ColumnsCountCodePointsNotBytes) {
  EXPECT_EQ(columns(""), 0u);
  EXPECT_EQ(columns("worker"), 6u);
  EXPECT_EQ(columns("caf\xC3\xA9"), 4u);           // é: 2 bytes, 1 column
  EXPECT_EQ(columns("\xE2\x82\xAC" "5"), 2u);      // €: 3 bytes
  EXPECT_EQ(columns("\xF0\x9F\x90\x98"), 1u);      // an emoji: 4 bytes
}

TEST(CliText, PaddingCountsColumns) {
  EXPECT_EQ(pad_right("caf\xC3\xA9", 6), "caf\xC3\xA9  ");
  EXPECT_EQ(pad_left("\xE2\x82\xAC", 3), "  \xE2\x82\xAC");
  EXPECT_EQ(pad_right("toolong", 3), "toolong");
}

TEST(CliText, FitCutsWholeCharactersOfThePrintableText) {
  EXPECT_EQ(fit("worker", 6), "worker");
  EXPECT_EQ(fit("workers", 6), "worke~");
  EXPECT_EQ(fit("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3), "\xC3\xA9\xC3\xA9~");  // never half an é
  // Escapes are what the terminal shows, so they take their width.
  EXPECT_EQ(fit("a\x1b[2J", 6), "a\\x1b~");
  EXPECT_EQ(fit("bad\xff", 10), "bad\xEF\xBF\xBD");
  EXPECT_EQ(fit("x", 0), "");
}
