// redact_dsn hides exactly the password, judged by libpq itself
// (PQconninfoParse) as the oracle. It prints nothing for a DSN libpq
// refuses. For every DSN libpq accepts:
//  1. the redacted DSN parses too, every option other than the password
//     keeps its value, and the password becomes "***" (an empty one may stay);
//  2. so the password is nowhere in the redacted text: it is rebuilt from
//     libpq's parse, and every value in it but the password is an original one.
// For every DSN: dsn_problem accepts only what libpq accepts (it refuses
// more: empty DSNs and ambiguous URI user info), and nothing crashes. libpq
// reads a C string, so a DSN with a NUL byte is refused and never printed.
#include <libpq-fe.h>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string dsn(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> redacted = redact_dsn(dsn);
  if (dsn.find('\0') != std::string::npos) {
    require(dsn_problem(dsn).has_value() && !redacted);
    return 0;
  }
  std::optional<Options> original = libpq_parse(dsn);
  std::optional<std::string> problem = dsn_problem(dsn);
  require(original || problem);
  require(original.has_value() == redacted.has_value());
  if (!original) return 0;

  std::optional<Options> after = libpq_parse(*redacted);
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

  return 0;
}
