#pragma once

#include <string>
#include <string_view>

namespace pgconn::render {

// The HTML body of a Markdown document, for the subset docs/runbook.md uses:
// ATX headings (with GitHub's id anchors), paragraphs, "-" and "1." lists
// (nested by indentation), fenced code, pipe tables, `code`, **strong**,
// *emphasis* and [links](#anchor). Links that are neither in-page nor
// absolute http(s) render as their text: the repository-relative paths of the
// document do not exist where the exporter serves it. All text is
// HTML-escaped; raw HTML in the source is shown, not interpreted.
std::string markdown_html(std::string_view markdown);

// GitHub's anchor for a heading: lower case, characters other than letters,
// digits, '_', '-' and ' ' dropped, spaces turned into '-'.
std::string heading_anchor(std::string_view heading);

// A complete page: the document's body under a title, UTF-8.
std::string markdown_page(std::string_view title, std::string_view markdown);

}  // namespace pgconn::render
