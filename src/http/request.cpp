#include "http/request.h"

#include <algorithm>
#include <cctype>

namespace pgconn::http {
namespace {

constexpr Refusal kBadRequest{400, "bad_request", "malformed request\n"};

// RFC 9110 5.6.2 tchar.
bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return is_token_char(c); });
}

// Field values: visible characters, obs-text, space and tab (RFC 9110 5.5).
bool is_field_value(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits at LF, dropping one CR before it; a CR anywhere else is malformed.
bool split_lines(std::string_view head, std::vector<std::string_view>& lines) {
  while (!head.empty()) {
    size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos || line.find('\0') != std::string_view::npos) return false;
    lines.push_back(line);
  }
  while (!lines.empty() && lines.front().empty()) lines.erase(lines.begin());  // RFC 9112 2.2
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return !lines.empty();
}

// "HTTP/1.1" -> 1; a later 1.x is served as 1.1; nullopt for anything else.
std::optional<int> minor_version(std::string_view version) {
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.') return std::nullopt;
  if (!std::isdigit(static_cast<unsigned char>(version[5])) || !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return std::nullopt;
  }
  if (version[5] != '1') return -1;  // a major version we do not speak
  return std::min(version[7] - '0', 1);
}

// origin-form "/path?query", or absolute-form "http://host/path?query"
// (RFC 9112 3.2.2), reduced to path and query.
bool split_target(std::string_view target, Request& request) {
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f;
      })) {
    return false;
  }
  if (target == "*") {  // asterisk-form, for OPTIONS (refused later: GET and HEAD only)
    request.path = "*";
    return true;
  }
  if (target.front() != '/') {
    size_t separator = target.find("://");
    if (separator == std::string_view::npos) return false;
    std::string scheme = lower(target.substr(0, separator));
    if (scheme != "http" && scheme != "https") return false;
    target.remove_prefix(separator + 3);
    size_t path = target.find_first_of("/?");
    target = path == std::string_view::npos ? std::string_view() : target.substr(path);
    if (target.empty() || target.front() == '?') request.path = "/";  // an empty path means "/"
  }
  size_t question = target.find('?');
  if (request.path.empty()) request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  return true;
}

// Content-Length is 1*DIGIT; a list, a sign or an overflow is malformed.
std::optional<uint64_t> content_length(std::string_view value) {
  if (value.empty() || value.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (lower(trim(list.substr(0, comma))) == token) return true;
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
  }
  return false;
}

}  // namespace

const std::string* Request::field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::variant<Request, Refusal> parse_request(std::string_view head) {
  std::vector<std::string_view> lines;
  if (!split_lines(head, lines)) return kBadRequest;

  Request request;
  std::string_view line = lines.front();
  size_t first = line.find(' '), second = line.rfind(' ');
  if (first == std::string_view::npos || first == second) return kBadRequest;
  std::string_view method = line.substr(0, first), target = line.substr(first + 1, second - first - 1);
  auto minor = minor_version(line.substr(second + 1));
  if (!is_token(method) || !minor) return kBadRequest;
  if (*minor < 0) return Refusal{505, "bad_request", "HTTP version not supported: use HTTP/1.0 or HTTP/1.1\n"};
  request.method = std::string(method);
  request.minor_version = *minor;
  if (!split_target(target, request)) return Refusal{400, "bad_request", "malformed request target\n"};

  bool close = false, keep_alive = false;
  size_t hosts = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view field = lines[i];
    // RFC 9112 5.1/5.2: no white space before the colon, no obsolete line folding.
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || !is_token(field.substr(0, colon))) {
      return Refusal{400, "bad_request", "malformed header field\n"};
    }
    std::string name = lower(field.substr(0, colon));
    std::string_view value = trim(field.substr(colon + 1));
    if (!is_field_value(value)) return Refusal{400, "bad_request", "malformed header field\n"};
    if (name == "content-length") {
      auto n = content_length(value);
      if (!n || request.content_length) {
        return Refusal{400, "bad_request", "Content-Length must appear at most once, as one number\n"};
      }
      request.content_length = n;
    } else if (name == "transfer-encoding") {
      request.transfer_encoding = true;
    } else if (name == "host") {
      ++hosts;
    } else if (name == "connection") {
      close = close || has_token(value, "close");
      keep_alive = keep_alive || has_token(value, "keep-alive");
    }
    request.fields.emplace_back(std::move(name), std::string(value));
  }
  // RFC 9112 6.1 and 6.3: both framings at once is how requests are smuggled.
  if (request.content_length && request.transfer_encoding) {
    return Refusal{400, "bad_request", "Content-Length and Transfer-Encoding together\n"};
  }
  // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
  if (hosts > 1 || (hosts == 0 && request.minor_version == 1)) {
    return Refusal{400, "bad_request", "an HTTP/1.1 request needs exactly one Host field\n"};
  }
  request.keep_alive = !close && (request.minor_version == 1 || keep_alive);
  return request;
}

}  // namespace pgconn::http
