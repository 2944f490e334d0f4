#include "config/dsn.h"

#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace pgconn::config {
namespace {

// Where one password value sits in the DSN text, as raw bytes.
struct Span {
  size_t begin;
  size_t end;
  bool quoted;  // a '...' conninfo value: the quotes are part of the span
};

// libpq tests isspace() in the C locale, which the exporter never changes.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool one_of(char c, const char* set) { return c != '\0' && std::strchr(set, c) != nullptr; }

size_t uri_prefix_length(std::string_view dsn) {
  for (std::string_view prefix : {"postgresql://", "postgres://"}) {
    if (dsn.substr(0, prefix.size()) == prefix) return prefix.size();
  }
  return 0;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// libpq percent-decodes URI query keys, so "%70assword" names the password
// too. Returns "" where libpq would reject the encoding.
std::string uri_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return "";
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// "key=value&..." after the '?' of a URL, from `begin` to the end.
void query_password_spans(std::string_view dsn, size_t begin, std::vector<Span>& spans) {
  while (begin < dsn.size()) {
    size_t end = std::min(dsn.find('&', begin), dsn.size());
    size_t eq = dsn.find('=', begin);
    if (eq < end && eq + 1 < end && uri_decode(dsn.substr(begin, eq - begin)) == "password") {
      spans.push_back({eq + 1, end, false});
    }
    begin = end + 1;
  }
}

// Follows libpq's conninfo_uri_parse_options: user info ends at the first
// '@' before any '/', then netloc[:port] pairs, "/dbname" and "?params".
std::vector<Span> url_password_spans(std::string_view dsn, size_t prefix) {
  std::vector<Span> spans;
  const size_t n = dsn.size();
  size_t p = prefix;
  while (p < n && dsn[p] != '@' && dsn[p] != '/') ++p;
  if (p < n && dsn[p] == '@') {
    size_t colon = dsn.find(':', prefix);
    if (colon < p && colon + 1 < p) spans.push_back({colon + 1, p, false});
    ++p;
  } else {
    p = prefix;
  }
  char terminator = '\0';
  for (;;) {
    if (p < n && dsn[p] == '[') {
      size_t close = dsn.find(']', p + 1);
      if (close == std::string_view::npos || (close + 1 < n && !one_of(dsn[close + 1], ":/?,"))) {
        // libpq rejects the URL here; still hide any password parameter
        // further on, since the error message may quote the whole URL.
        size_t query = dsn.find('?', p);
        if (query != std::string_view::npos) query_password_spans(dsn, query + 1, spans);
        return spans;
      }
      p = close + 1;
    } else {
      while (p < n && !one_of(dsn[p], ":/?,")) ++p;
    }
    terminator = p < n ? dsn[p] : '\0';
    if (terminator == ':') {
      for (++p; p < n && !one_of(dsn[p], "/?,"); ++p) {
      }
      terminator = p < n ? dsn[p] : '\0';
    }
    if (terminator != ',') break;
    ++p;
  }
  if (terminator == '/') {
    for (++p; p < n && dsn[p] != '?'; ++p) {
    }
    terminator = p < n ? dsn[p] : '\0';
  }
  if (terminator == '?') query_password_spans(dsn, p + 1, spans);
  return spans;
}

// Follows libpq's conninfo_parse: names end at '=' or white space; values
// are either '...' with backslash escapes or run to the next unescaped
// white space. A malformed pair is skipped so later passwords still count.
std::vector<Span> keyword_password_spans(std::string_view dsn) {
  std::vector<Span> spans;
  const size_t n = dsn.size();
  size_t p = 0;
  while (p < n) {
    if (is_space(dsn[p])) {
      ++p;
      continue;
    }
    size_t name_begin = p;
    while (p < n && dsn[p] != '=' && !is_space(dsn[p])) ++p;
    std::string_view name = dsn.substr(name_begin, p - name_begin);
    while (p < n && is_space(dsn[p])) ++p;
    if (p >= n || dsn[p] != '=') continue;
    for (++p; p < n && is_space(dsn[p]); ++p) {
    }
    size_t value_begin = p;
    bool quoted = p < n && dsn[p] == '\'';
    if (quoted) {
      for (++p; p < n && dsn[p] != '\''; p += (dsn[p] == '\\' && p + 1 < n) ? 2 : 1) {
      }
      if (p < n) ++p;  // the closing quote
    } else {
      while (p < n && !is_space(dsn[p])) p += (dsn[p] == '\\' && p + 1 < n) ? 2 : 1;
    }
    p = std::min(p, n);
    if (name == "password" && p > value_begin) spans.push_back({value_begin, p, quoted});
  }
  return spans;
}

// libpq reads a C string: nothing after a NUL byte is part of the DSN.
std::string_view visible_part(const std::string& dsn) {
  return std::string_view(dsn).substr(0, std::min(dsn.find('\0'), dsn.size()));
}

std::vector<Span> password_spans(std::string_view dsn) {
  size_t prefix = uri_prefix_length(dsn);
  return prefix ? url_password_spans(dsn, prefix) : keyword_password_spans(dsn);
}

// Scans forward past each replacement: the replacement may itself contain
// `needle` (a secret containing "***", a redacted DSN).
std::string replace_all(const std::string& text, const std::string& needle, const std::string& replacement) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(needle, pos)) != std::string::npos; pos = hit + needle.size()) {
    out.append(text, pos, hit - pos);
    out += replacement;
  }
  return out.append(text, pos, std::string::npos);
}

}  // namespace

std::string redact_dsn(const std::string& dsn) {
  std::string_view visible = visible_part(dsn);
  std::string out(visible);
  std::vector<Span> spans = password_spans(visible);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->begin, it->end - it->begin, it->quoted ? "'***'" : "***");
  }
  return out;
}

std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  return replace_all(text, secret, "***");
}

std::string dsn_password(const std::string& dsn) {
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(dsn.c_str(), &err), &PQconninfoFree);
  if (err) PQfreemem(err);
  if (!options) return "";
  for (auto* o = options.get(); o->keyword; ++o) {
    if (std::string(o->keyword) == "password" && o->val) return o->val;
  }
  return "";
}

std::optional<std::string> dsn_problem(const std::string& dsn) {
  if (dsn.find('\0') != std::string::npos) return std::string("contains a NUL character");
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &err);
  if (options) {
    PQconninfoFree(options);
    return std::nullopt;
  }
  std::string message = err ? err : "invalid connection string";
  if (err) PQfreemem(err);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  // libpq quotes the whole URL in some errors and one raw component (which
  // may be the password) in others.
  if (!dsn.empty()) message = replace_all(message, dsn, redact_dsn(dsn));
  for (const Span& span : password_spans(dsn)) message = scrub(message, dsn.substr(span.begin, span.end - span.begin));
  return message;
}

}  // namespace pgconn::config
