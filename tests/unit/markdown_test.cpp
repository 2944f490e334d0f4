// The Markdown renderer behind /runbook: each construct docs/runbook.md uses,
// GitHub's anchors, and escaping of every text.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "render/markdown.h"

using pgconn::render::heading_anchor;
using pgconn::render::markdown_html;
using pgconn::render::markdown_page;

TEST(Markdown, HeadingsCarryGithubAnchors) {
  EXPECT_EQ(markdown_html("## PgconnTargetDown\n"), "<h2 id=\"pgconntargetdown\">PgconnTargetDown</h2>\n");
  EXPECT_EQ(markdown_html("### Severity, routing and inhibition"),
            "<h3 id=\"severity-routing-and-inhibition\">Severity, routing and inhibition</h3>\n");
  EXPECT_EQ(heading_anchor("Sizing `pool_size` (x2)!"), "sizing-pool_size-x2");
  EXPECT_EQ(markdown_html("#nospace"), "<p>#nospace</p>\n");
}

TEST(Markdown, ParagraphsJoinTheirLines) {
  EXPECT_EQ(markdown_html("one\ntwo\n\nthree\n"), "<p>one\ntwo</p>\n<p>three</p>\n");
}

TEST(Markdown, InlineCodeStrongEmphasisAndLinks) {
  EXPECT_EQ(markdown_html("`a <b>` **bold *it* x** *em* a * b"),
            "<p><code>a &lt;b&gt;</code> <strong>bold <em>it</em> x</strong> <em>em</em> a * b</p>\n");
  EXPECT_EQ(markdown_html("see [Target down](#pgconntargetdown) and [docs](https://example.org/a?b=1&c=2)"),
            "<p>see <a href=\"#pgconntargetdown\">Target down</a> and "
            "<a href=\"https://example.org/a?b=1&amp;c=2\">docs</a></p>\n");
  // A repository-relative link does not exist where the exporter serves the page: its text stays.
  EXPECT_EQ(markdown_html("[`alerts/x.yml`](../alerts/x.yml)"), "<p><code>alerts/x.yml</code></p>\n");
  EXPECT_EQ(markdown_html("unclosed `code and **strong and [link"), "<p>unclosed `code and **strong and [link</p>\n");
}

TEST(Markdown, EveryTextIsEscaped) {
  EXPECT_EQ(markdown_html("<script>alert('x')</script> & \"q\""),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>\n");
  EXPECT_EQ(markdown_html("# a <b>"), "<h1 id=\"a-b\">a &lt;b&gt;</h1>\n");
  EXPECT_EQ(markdown_html("[x](#a\"onclick=\"y)"), "<p><a href=\"#a&quot;onclick=&quot;y\">x</a></p>\n");
  EXPECT_EQ(markdown_html("```\n<b>&</b>\n```"), "<pre><code>&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n");
  EXPECT_EQ(markdown_page("a<b", "x").find("<title>a&lt;b</title>") != std::string::npos, true);
}

TEST(Markdown, FencedCodeKeepsItsLinesVerbatim) {
  EXPECT_EQ(markdown_html("```sql\nSELECT *  FROM t;\n  -- **not bold**\n```\nafter"),
            "<pre><code class=\"language-sql\">SELECT *  FROM t;\n  -- **not bold**\n</code></pre>\n<p>after</p>\n");
}

TEST(Markdown, ListsTightLooseNestedAndWithCode) {
  EXPECT_EQ(markdown_html("- one\n  more\n- two\n"), "<ul>\n<li>one\nmore</li>\n<li>two</li>\n</ul>\n");
  EXPECT_EQ(markdown_html("1. first\n2. second:\n   - inner\n     wrapped\n   - other\n3. third\n"),
            "<ol>\n<li>first</li>\n<li><p>second:</p>\n<ul>\n<li>inner\nwrapped</li>\n<li>other</li>\n</ul>\n</li>\n"
            "<li>third</li>\n</ol>\n");
  EXPECT_EQ(markdown_html("- **psql**:\n\n  ```sql\n  SELECT 1;\n  ```\n\nafter\n"),
            "<ul>\n<li><p><strong>psql</strong>:</p>\n<pre><code class=\"language-sql\">SELECT 1;\n</code></pre>\n</li>\n"
            "</ul>\n<p>after</p>\n");
  EXPECT_EQ(markdown_html("- a\n\n- b\n"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
}

TEST(Markdown, PipeTables) {
  EXPECT_EQ(markdown_html("| Key | Gauge |\n| --- | --- |\n| `a` | b <c> |\n"),
            "<table>\n<tr><th>Key</th><th>Gauge</th></tr>\n<tr><td><code>a</code></td><td>b &lt;c&gt;</td></tr>\n"
            "</table>\n");
}

// Each list level is a recursion: 100000 "- " on one line overflowed the stack
// (SIGSEGV) and 3000 indented levels took 13 s. Below kMaxListDepth (16) levels
// lists nest; deeper markers are text.
TEST(Markdown, HostileNestingIsBoundedInDepthAndTime) {
  std::string dashes;
  for (int i = 0; i < 100000; ++i) dashes += "- ";
  std::string html = markdown_html(dashes + "x");
  std::size_t lists = 0;
  for (std::size_t at = html.find("<ul>"); at != std::string::npos; at = html.find("<ul>", at + 1)) ++lists;
  EXPECT_EQ(lists, 16u);
  EXPECT_NE(html.find("- - x</li>"), std::string::npos);

  std::string indented;
  for (int i = 0; i < 3000; ++i) indented += std::string(2 * i, ' ') + "- x\n";
  auto start = std::chrono::steady_clock::now();
  html = markdown_html(indented);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(html.find("<ul>", html.rfind("</li>")), std::string::npos);
}
