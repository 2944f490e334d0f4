#include "render/markdown.h"

#include <cctype>
#include <cstddef>
#include <vector>

namespace pgconn::render {
namespace {

using Lines = std::vector<std::string_view>;

// Lists nested deeper than this render their items' text as paragraphs: each
// level is a recursion (and a copy of the item's HTML), so a line of 100000
// "- " would overflow the stack and take quadratic time.
constexpr int kMaxListDepth = 16;

void escape_into(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::size_t indent_of(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

bool blank(std::string_view line) { return indent_of(line) == line.size(); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool linkable(std::string_view url) {
  return starts_with(url, "#") || starts_with(url, "https://") || starts_with(url, "http://");
}

void inline_into(std::string& out, std::string_view text);

// Renders a delimited span at text[i] (`code`, **strong**, *em*, [link](url))
// and returns the index after it, or 0 when text[i] opens none.
std::size_t span_into(std::string& out, std::string_view text, std::size_t i) {
  if (text[i] == '`') {
    std::size_t end = text.find('`', i + 1);
    if (end == std::string_view::npos) return 0;
    out += "<code>";
    escape_into(out, text.substr(i + 1, end - i - 1));
    out += "</code>";
    return end + 1;
  }
  if (starts_with(text.substr(i), "**")) {
    std::size_t end = text.find("**", i + 2);
    if (end == std::string_view::npos || end == i + 2) return 0;
    out += "<strong>";
    inline_into(out, text.substr(i + 2, end - i - 2));
    out += "</strong>";
    return end + 2;
  }
  if (text[i] == '*') {
    // "a * b" is a multiplication, not emphasis: the span must hug its text.
    if (i + 1 >= text.size() || text[i + 1] == ' ') return 0;
    std::size_t end = text.find('*', i + 1);
    if (end == std::string_view::npos || text[end - 1] == ' ') return 0;
    out += "<em>";
    inline_into(out, text.substr(i + 1, end - i - 1));
    out += "</em>";
    return end + 1;
  }
  if (text[i] == '[') {
    std::size_t close = text.find("](", i + 1);
    if (close == std::string_view::npos) return 0;
    std::size_t end = text.find(')', close + 2);
    if (end == std::string_view::npos) return 0;
    std::string_view label = text.substr(i + 1, close - i - 1);
    std::string_view url = text.substr(close + 2, end - close - 2);
    if (linkable(url)) {
      out += "<a href=\"";
      escape_into(out, url);
      out += "\">";
      inline_into(out, label);
      out += "</a>";
    } else {
      inline_into(out, label);
    }
    return end + 1;
  }
  return 0;
}

void inline_into(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (std::size_t next = span_into(out, text, i)) {
      i = next;
    } else {
      escape_into(out, text.substr(i, 1));
      ++i;
    }
  }
}

std::string joined(const Lines& lines, std::size_t from, std::size_t to) {
  std::string text;
  for (std::size_t i = from; i < to; ++i) {
    if (!text.empty()) text += '\n';
    text += trim(lines[i]);
  }
  return text;
}

// The marker width of a list item line ("- " = 2, "12. " = 4), or 0.
std::size_t item_marker(std::string_view line, bool& ordered) {
  if (starts_with(line, "- ") || starts_with(line, "* ")) {
    ordered = false;
    return 2;
  }
  std::size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  if (digits > 0 && starts_with(line.substr(digits), ". ")) {
    ordered = true;
    return digits + 2;
  }
  return 0;
}

bool fence(std::string_view line) { return starts_with(line, "```"); }
bool table_row(std::string_view line) { return starts_with(line, "|"); }

int heading_level(std::string_view line) {
  int level = 0;
  while (level < static_cast<int>(line.size()) && line[level] == '#') ++level;
  return level >= 1 && level <= 6 && line.size() > static_cast<std::size_t>(level) && line[level] == ' ' ? level : 0;
}

// A list item at `depth` opens a list; beyond kMaxListDepth its marker is text.
bool opens_list(std::string_view line, int depth) {
  bool ordered = false;
  return depth < kMaxListDepth && item_marker(line, ordered) > 0;
}

bool starts_block(std::string_view line, int depth) {
  return blank(line) || fence(line) || table_row(line) || heading_level(line) > 0 || opens_list(line, depth);
}

void blocks_into(std::string& out, const Lines& lines, int depth);

void table_cells_into(std::string& out, std::string_view row, const char* cell) {
  row = trim(row);
  if (starts_with(row, "|")) row.remove_prefix(1);
  if (!row.empty() && row.back() == '|') row.remove_suffix(1);
  out += "<tr>";
  while (true) {
    std::size_t bar = row.find('|');
    out += "<";
    out += cell;
    out += ">";
    inline_into(out, trim(row.substr(0, bar)));
    out += "</";
    out += cell;
    out += ">";
    if (bar == std::string_view::npos) break;
    row.remove_prefix(bar + 1);
  }
  out += "</tr>\n";
}

// Consumes the list starting at lines[i]; returns the index after it.
std::size_t list_into(std::string& out, const Lines& lines, std::size_t i, int depth) {
  bool ordered = false;
  item_marker(lines[i], ordered);
  out += ordered ? "<ol>\n" : "<ul>\n";
  while (i < lines.size()) {
    bool this_ordered = false;
    std::size_t width = item_marker(lines[i], this_ordered);
    if (width == 0 || this_ordered != ordered) break;
    Lines item{lines[i].substr(width)};
    std::size_t j = i + 1;
    // The item goes on while its lines are indented to its text, across
    // blank lines that are followed by such a line.
    while (j < lines.size()) {
      if (blank(lines[j])) {
        std::size_t k = j;
        while (k < lines.size() && blank(lines[k])) ++k;
        if (k == lines.size() || indent_of(lines[k]) < width) break;
        item.push_back("");
      } else if (indent_of(lines[j]) >= width) {
        item.push_back(lines[j].substr(width));
      } else if (!starts_block(lines[j], depth) && !blank(lines[j - 1])) {
        item.push_back(lines[j]);  // a lazy continuation of the item's paragraph
      } else {
        break;
      }
      ++j;
    }
    std::string body;
    blocks_into(body, item, depth + 1);
    // A one-paragraph item renders without its <p>, as a tight list item.
    if (starts_with(body, "<p>") && body.find("<p>", 3) == std::string::npos && body.size() >= 5 &&
        body.compare(body.size() - 5, 5, "</p>\n") == 0) {
      body = body.substr(3, body.size() - 8);
    }
    out += "<li>" + body + "</li>\n";
    i = j;
    while (i < lines.size() && blank(lines[i])) {
      std::size_t k = i;
      while (k < lines.size() && blank(lines[k])) ++k;
      bool next_ordered = false;
      if (k < lines.size() && item_marker(lines[k], next_ordered) > 0 && next_ordered == ordered) {
        i = k;
      } else {
        break;
      }
    }
  }
  out += ordered ? "</ol>\n" : "</ul>\n";
  return i;
}

void blocks_into(std::string& out, const Lines& lines, int depth) {
  std::size_t i = 0;
  while (i < lines.size()) {
    std::string_view line = lines[i];
    if (blank(line)) {
      ++i;
    } else if (int level = heading_level(line)) {
      std::string_view text = trim(line.substr(level));
      std::string tag = "h" + std::to_string(level);
      out += "<" + tag + " id=\"" + heading_anchor(text) + "\">";
      inline_into(out, text);
      out += "</" + tag + ">\n";
      ++i;
    } else if (fence(line)) {
      std::string_view language = trim(line.substr(3));
      out += "<pre><code";
      if (!language.empty()) {
        out += " class=\"language-";
        escape_into(out, language);
        out += "\"";
      }
      out += ">";
      for (++i; i < lines.size() && !fence(lines[i]); ++i) {
        escape_into(out, lines[i]);
        out += '\n';
      }
      out += "</code></pre>\n";
      if (i < lines.size()) ++i;  // the closing fence
    } else if (table_row(line)) {
      out += "<table>\n";
      table_cells_into(out, line, "th");
      ++i;
      if (i < lines.size() && table_row(lines[i]) && lines[i].find("---") != std::string_view::npos) ++i;
      for (; i < lines.size() && table_row(lines[i]); ++i) table_cells_into(out, lines[i], "td");
      out += "</table>\n";
    } else if (opens_list(line, depth)) {
      i = list_into(out, lines, i, depth);
    } else {
      std::size_t end = i + 1;
      while (end < lines.size() && !starts_block(lines[end], depth)) ++end;
      out += "<p>";
      inline_into(out, joined(lines, i, end));
      out += "</p>\n";
      i = end;
    }
  }
}

}  // namespace

std::string heading_anchor(std::string_view heading) {
  std::string anchor;
  for (char c : heading) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_' || c == '-' || u >= 0x80) {
      anchor += static_cast<char>(std::tolower(u));
    } else if (c == ' ') {
      anchor += '-';
    }
  }
  return anchor;
}

std::string markdown_html(std::string_view markdown) {
  Lines lines;
  while (!markdown.empty()) {
    std::size_t end = markdown.find('\n');
    std::string_view line = markdown.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    markdown.remove_prefix(end + 1);
  }
  std::string out;
  blocks_into(out, lines, 0);
  return out;
}

std::string markdown_page(std::string_view title, std::string_view markdown) {
  std::string page = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>";
  escape_into(page, title);
  page +=
      "</title>\n<style>body{max-width:60em;margin:auto;padding:0 1em;font-family:sans-serif;line-height:1.4}"
      "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:.2em .5em}</style></head>\n<body>\n";
  page += markdown_html(markdown);
  page += "</body></html>\n";
  return page;
}

}  // namespace pgconn::render
