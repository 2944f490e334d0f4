// Connection strings carry passwords. These helpers are the only code that
// looks inside one; everything that prints a DSN goes through redact_dsn().
#pragma once

#include <optional>
#include <string>

namespace pgconn::config {

// Replaces every password value of a postgresql:// URL or a key=value
// conninfo with "***" (quoted values keep their quotes); leaves everything
// else as it is. It finds passwords exactly where libpq's own parser takes
// them from, so the redacted DSN parses to the same settings except the
// password (fuzz/fuzz_redact_dsn.cpp checks this). Text after a NUL byte,
// which libpq never sees, is dropped.
std::string redact_dsn(const std::string& dsn);

// Removes every occurrence of `secret` from `text` (for messages from libpq or
// the server that might echo a connection parameter).
std::string scrub(std::string text, const std::string& secret);

// nullopt when libpq accepts the DSN, else libpq's reason with the DSN and
// its password values redacted (libpq quotes the whole URI in some errors).
std::optional<std::string> dsn_problem(const std::string& dsn);

// The password embedded in the DSN, if any.
std::string dsn_password(const std::string& dsn);

}  // namespace pgconn::config
