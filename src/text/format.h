// Text that leaves the exporter. Names come from the server (roles,
// databases, applications, PgBouncer clients) or from clients (request
// paths) and may hold any bytes: every output passes them through one of
// these, all built on valid_utf8(), so a hostile name can neither break a
// scrape (Prometheus rejects invalid UTF-8) nor steer a terminal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgconn::text {

// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD (one per
// maximal ill-formed subpart, as the Unicode standard recommends). For
// label values and everything below.
std::string valid_utf8(std::string_view text);

// For terminals and logs: valid UTF-8 with C0 controls and DEL escaped as
// \xNN, C1 controls (U+0080-U+009F) and the bidirectional formatting
// characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) as
// \uNNNN, so printing a name cannot move the cursor, change colours, forge a
// line or make the rest of the line read in another order.
std::string printable(std::string_view text);

// A JSON string literal (quotes included) of valid UTF-8, with every
// control character (C0, DEL, C1) escaped.
std::string json_string(std::string_view text);

// A POSIX shell word that stands for exactly `text`: single-quoted, an
// embedded quote written '\''. Pasting it runs nothing.
std::string shell_quote(std::string_view text);

// "71%"
std::string percent_text(double ratio);

// "0.706": ratios and seconds in JSON, three decimals.
std::string decimal3(double value);

// A compact age, whole units: "45s" (below 2 minutes), "12m", "3h", "2d";
// "-" when unknown.
std::string age_text(std::optional<double> seconds);

}  // namespace pgconn::text
