// Connection strings carry passwords. These helpers are the only code that
// looks inside one, and they read it with libpq's own parser
// (PQconninfoParse), so what they print or hide is what libpq will use.
#pragma once

#include <optional>
#include <string>

namespace pgconn::config {

// The DSN as libpq parses it, "keyword=value ..." with the password as
// "***"; nullopt when libpq cannot parse it (then print no DSN at all).
std::optional<std::string> redact_dsn(const std::string& dsn);

// Removes every occurrence of `secret` from `text` (for messages from libpq or
// the server that might echo a connection parameter).
std::string scrub(std::string text, const std::string& secret);

// nullopt when the DSN is safe to use, else why not, quoting no part of it:
// empty (libpq would silently use its defaults), a NUL byte, a postgresql://
// URI whose user info holds a raw '@' or '/' (libpq would split the password
// and take its tail for the host or database), or libpq's own refusal.
std::optional<std::string> dsn_problem(const std::string& dsn);

// The password embedded in the DSN, if any.
std::string dsn_password(const std::string& dsn);

}  // namespace pgconn::config
