// A request head read in any chunking gives the same outcome as read whole;
// what the reader completes never exceeds its limits; parse_request never
// crashes and what it accepts is well-formed (fields within the limit, a
// path that is "*" or starts with '/', no CR, LF or NUL in names and values).
// Input: first byte = chunk size for the second reading (1-16), then bytes.
#include <cstdint>
#include <string>

#include "http/head_reader.h"
#include "http/request.h"

namespace {

using pgconn::http::HeadReader;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool clean(const std::string& text) { return text.find_first_of(std::string("\r\n\0", 3)) == std::string::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = data[0] % 16 + 1;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  HeadReader whole, pieces;
  HeadReader::Status a = whole.feed(bytes);
  HeadReader::Status b = HeadReader::Status::need_more;
  for (size_t i = 0; i < bytes.size() && b == HeadReader::Status::need_more; i += chunk) {
    b = pieces.feed(bytes.substr(i, chunk));
  }
  require(a == b);
  if (a != HeadReader::Status::complete) return 0;
  require(whole.head() == pieces.head());
  require(whole.head().size() <= HeadReader::kMaxHeadBytes);

  auto parsed = pgconn::http::parse_request(whole.head());
  if (auto* request = std::get_if<pgconn::http::Request>(&parsed)) {
    require(request->fields.size() <= HeadReader::kMaxFieldLines);
    require(request->path == "*" || (!request->path.empty() && request->path[0] == '/'));
    require(request->minor_version == 0 || request->minor_version == 1);
    for (const auto& [name, value] : request->fields) require(!name.empty() && clean(name) && clean(value));
  } else {
    auto& refusal = std::get<pgconn::http::Refusal>(parsed);
    require(refusal.status == 400 || refusal.status == 505);
  }
  // A pipelined remainder is scanned again from its start.
  whole.consume();
  return 0;
}
