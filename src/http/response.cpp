#include "http/response.h"

#include <string>

namespace pgconn::http {

Body::Body(std::string text) {
  auto owned = std::make_shared<const std::string>(std::move(text));
  size_ = owned->size();
  if (size_ > 0) pieces_.push_back(*owned);
  owner_ = std::move(owned);
}

Body::Body(std::vector<std::string_view> pieces, std::shared_ptr<const void> owner)
    : pieces_(std::move(pieces)), owner_(std::move(owner)) {
  for (auto piece : pieces_) size_ += piece.size();
}

Response Response::text(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = Body(std::move(body));
  return response;
}

const char* status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
  }
  return "Unknown";
}

std::string response_head(const Response& response, const Framing& framing, std::time_t now) {
  char date[64];
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + status_text(response.status) + "\r\n";
  head += "Date: " + std::string(date) + "\r\n";
  head += "Content-Type: " + response.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.fields) head += name + ": " + value + "\r\n";
  if (!framing.keep_alive) head += "Connection: close\r\n";
  else if (framing.minor_version == 0) head += "Connection: keep-alive\r\n";
  return head + "\r\n";
}

}  // namespace pgconn::http
