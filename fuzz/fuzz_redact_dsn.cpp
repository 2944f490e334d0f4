// redact_dsn hides exactly the password, judged by libpq itself
// (PQconninfoParse) as the oracle. For every DSN libpq accepts:
//  1. the redacted DSN parses too, every option other than the password
//     keeps its value, and the password becomes "***" (an empty one may stay);
//  2. the password is not in the redacted text. Checked where that is sound:
//     the DSN has no '%' or '\' escapes (so the password's raw text is the
//     password) and the password is alphanumeric (so it cannot straddle a
//     "***") and occurs in the DSN exactly once (so that occurrence is it).
// For every DSN: dsn_problem agrees with libpq on validity, and nothing
// crashes. libpq reads a C string, so a NUL byte ends the DSN for it.
#include <libpq-fe.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/dsn.h"

using namespace pgconn::config;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

using Options = std::map<std::string, std::string>;  // keyword -> value, set ones only

std::optional<Options> libpq_parse(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &error);
  if (error) PQfreemem(error);
  if (!parsed) return std::nullopt;
  Options options;
  for (PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (o->val) options[o->keyword] = o->val;
  }
  PQconninfoFree(parsed);
  return options;
}

bool alphanumeric(const std::string& text) {
  for (unsigned char c : text) {
    if (!std::isalnum(c)) return false;
  }
  return true;
}

size_t occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) ++count;
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string dsn(reinterpret_cast<const char*>(data), size);
  std::string redacted = redact_dsn(dsn);
  size_t nul = dsn.find('\0');
  if (nul != std::string::npos) {
    require(dsn_problem(dsn).has_value());
    require(redacted == redact_dsn(dsn.substr(0, nul)));
    return 0;
  }
  std::optional<Options> original = libpq_parse(dsn);
  std::optional<std::string> problem = dsn_problem(dsn);
  require(original.has_value() != problem.has_value());
  if (!original) return 0;

  std::optional<Options> after = libpq_parse(redacted);
  require(after.has_value());
  auto password = original->find("password");
  auto redacted_password = after->find("password");
  if (password == original->end()) {
    require(redacted_password == after->end());
  } else {
    require(redacted_password != after->end());
    require(redacted_password->second == "***" ||
            (password->second.empty() && redacted_password->second.empty()));
  }
  for (const auto& [keyword, value] : *original) {
    if (keyword == "password") continue;
    auto it = after->find(keyword);
    require(it != after->end() && it->second == value);
  }
  require(after->size() == original->size());

  if (password != original->end() && !password->second.empty() && alphanumeric(password->second) &&
      dsn.find_first_of("%\\") == std::string::npos && occurrences(dsn, password->second) == 1) {
    require(redacted.find(password->second) == std::string::npos);
  }
  return 0;
}
