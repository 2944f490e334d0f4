#include "config/dsn.h"

#include <cctype>

#include <libpq-fe.h>

#include <memory>
#include <string_view>

namespace pgconn::config {
namespace {

using Parsed = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// nullopt with libpq's message when it refuses the DSN.
Parsed parse(const std::string& dsn, std::string* error) {
  char* err = nullptr;
  Parsed options(PQconninfoParse(dsn.c_str(), &err), &PQconninfoFree);
  if (err) {
    if (error) *error = err;
    PQfreemem(err);
  }
  return options;
}

size_t uri_prefix_length(std::string_view dsn) {
  for (std::string_view prefix : {"postgresql://", "postgres://"}) {
    if (dsn.substr(0, prefix.size()) == prefix) return prefix.size();
  }
  return 0;
}

// libpq takes the user info up to the first '@' before any '/'. A password
// with a raw '@' or '/' leaves another '@' in what follows (before the
// query), which libpq would read as part of the host or database name.
bool ambiguous_user_info(std::string_view dsn) {
  size_t prefix = uri_prefix_length(dsn);
  if (prefix == 0) return false;
  std::string_view rest = dsn.substr(prefix);
  size_t stop = rest.find_first_of("@/");
  if (stop != std::string_view::npos && rest[stop] == '@') rest.remove_prefix(stop + 1);
  return rest.substr(0, rest.find('?')).find('@') != std::string_view::npos;
}

// libpq quotes components in its messages ("invalid port number: \"...\"");
// any of them may be a password, so every quoted text longer than one
// character (those name the separator it expected) goes.
std::string without_quoted_parts(std::string message) {
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::string out;
  for (size_t pos = 0; pos < message.size();) {
    size_t open = message.find('"', pos);
    size_t close = open == std::string::npos ? std::string::npos : message.find('"', open + 1);
    if (close == std::string::npos) {
      out.append(message, pos, std::string::npos);
      break;
    }
    out.append(message, pos, open - pos);
    out += close - open == 2 ? message.substr(open, 3) : "\"...\"";
    pos = close + 1;
  }
  return out;
}

// A conninfo value as libpq reads it back: quoted when it has to be.
std::string conninfo_value(const std::string& value) {
  bool plain = !value.empty() && value.find_first_of(" \t\n\r\v\f'\\") == std::string::npos;
  if (plain) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

bool word_byte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

// Every occurrence of `needle`, or with `whole_words` only those not inside
// a longer word, replaced.
std::string replace_all(const std::string& text, const std::string& needle, const std::string& replacement,
                        bool whole_words) {
  std::string out;
  size_t pos = 0;
  for (size_t hit = text.find(needle); hit != std::string::npos; hit = text.find(needle, hit + 1)) {
    if (hit < pos) continue;
    size_t end = hit + needle.size();
    if (whole_words && ((hit > 0 && word_byte(text[hit - 1])) || (end < text.size() && word_byte(text[end])))) {
      continue;
    }
    out.append(text, pos, hit - pos);
    out += replacement;
    pos = end;
  }
  return out.append(text, pos, std::string::npos);
}

}  // namespace

std::optional<std::string> redact_dsn(const std::string& dsn) {
  if (dsn.find('\0') != std::string::npos) return std::nullopt;
  Parsed options = parse(dsn, nullptr);
  if (!options) return std::nullopt;
  std::string out;
  for (auto* o = options.get(); o->keyword; ++o) {
    if (!o->val) continue;
    std::string keyword = o->keyword;
    bool secret = keyword == "password" && *o->val;
    out += (out.empty() ? "" : " ") + keyword + "=" + (secret ? "***" : conninfo_value(o->val));
  }
  return out;
}

std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  // Scans past each replacement: the secret may itself contain "***". A
  // short secret is replaced only where it stands alone: every "L" of a
  // message masked would mangle it and, by the gaps, spell the password.
  return replace_all(text, secret, "***", secret.size() < 8);
}

std::string dsn_password(const std::string& dsn) {
  Parsed options = parse(dsn, nullptr);
  if (!options) return "";
  for (auto* o = options.get(); o->keyword; ++o) {
    if (std::string(o->keyword) == "password" && o->val) return o->val;
  }
  return "";
}

std::optional<std::string> dsn_problem(const std::string& dsn) {
  if (dsn.find('\0') != std::string::npos) return std::string("contains a NUL character");
  if (dsn.find_first_not_of(" \t\n\r\v\f") == std::string::npos) {
    return std::string("is empty: libpq would silently connect with its defaults");
  }
  if (ambiguous_user_info(dsn)) {
    return std::string(
        "the user info of a postgresql:// URI holds a raw '@' or '/': percent-encode them in the user name "
        "and password ('@' as %40, '/' as %2F), or use password_file");
  }
  std::string error;
  if (!parse(dsn, &error)) return without_quoted_parts(error.empty() ? "invalid connection string" : error);
  return std::nullopt;
}

}  // namespace pgconn::config
