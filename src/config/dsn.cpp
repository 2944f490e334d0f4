#include "config/dsn.h"

#include <libpq-fe.h>

#include <memory>

namespace pgconn::config {
namespace {

bool is_url(const std::string& dsn) {
  return dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
}

// In a URL the password sits between the first ':' of the userinfo and the
// last '@' before the host part.
std::string redact_url(const std::string& dsn) {
  size_t scheme_end = dsn.find("://") + 3;
  size_t authority_end = dsn.find_first_of("/?", scheme_end);
  if (authority_end == std::string::npos) authority_end = dsn.size();
  size_t at = dsn.rfind('@', authority_end);
  if (at == std::string::npos || at < scheme_end) return dsn;
  size_t colon = dsn.find(':', scheme_end);
  std::string out = dsn;
  if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  // A password can also be passed as a query parameter.
  size_t param = out.find("password=", authority_end);
  if (param != std::string::npos) {
    size_t end = out.find('&', param);
    out.replace(param + 9, (end == std::string::npos ? out.size() : end) - param - 9, "***");
  }
  return out;
}

std::string redact_keyword_value(const std::string& dsn) {
  std::string out = dsn;
  size_t pos = 0;
  while ((pos = out.find("password", pos)) != std::string::npos) {
    size_t eq = out.find_first_not_of(' ', pos + 8);
    if (eq == std::string::npos || out[eq] != '=') {
      pos += 8;
      continue;
    }
    size_t start = out.find_first_not_of(' ', eq + 1);
    if (start == std::string::npos) break;
    size_t end;
    if (out[start] == '\'') {
      end = start + 1;
      while (end < out.size() && out[end] != '\'') end += (out[end] == '\\') ? 2 : 1;
      end = std::min(end + 1, out.size());
    } else {
      end = out.find(' ', start);
      if (end == std::string::npos) end = out.size();
    }
    out.replace(start, end - start, "***");
    pos = start + 3;
  }
  return out;
}

}  // namespace

std::string redact_dsn(const std::string& dsn) {
  return is_url(dsn) ? redact_url(dsn) : redact_keyword_value(dsn);
}

std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos;
  while ((pos = text.find(secret)) != std::string::npos) text.replace(pos, secret.size(), "***");
  return text;
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
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &err);
  if (options) {
    PQconninfoFree(options);
    return std::nullopt;
  }
  std::string message = err ? err : "invalid connection string";
  if (err) PQfreemem(err);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return scrub(message, dsn_password(dsn));
}

}  // namespace pgconn::config
