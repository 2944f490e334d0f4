#include "http/head_reader.h"

namespace pgconn::http {

size_t HeadReader::room() const {
  return status_ == Status::need_more ? kMaxHeadBytes - buffer_.size() : 0;
}

HeadReader::Status HeadReader::feed(std::string_view bytes) {
  if (status_ != Status::need_more) return status_;
  size_t from = buffer_.size();
  buffer_.append(bytes.substr(0, room()));
  return scan(from);
}

// RFC 9112 2.2: a line ends at LF (a CR before it is dropped by the parser);
// empty lines before the request line are ignored; the head ends at the
// first empty line after it.
HeadReader::Status HeadReader::scan(size_t from) {
  for (size_t i = from; i < buffer_.size(); ++i) {
    if (buffer_[i] != '\n') continue;
    size_t length = i - line_start_;
    if (length > 0 && buffer_[i - 1] == '\r') --length;
    line_start_ = i + 1;
    if (length == 0) {
      if (!request_line_seen_) continue;
      head_end_ = i + 1;
      return status_ = Status::complete;
    }
    if (!request_line_seen_) {
      request_line_seen_ = true;
      if (length > kMaxRequestLineBytes) return status_ = Status::uri_too_long;
    } else if (++lines_ > kMaxFieldLines) {
      return status_ = Status::too_large;
    }
  }
  if (!request_line_seen_ && buffer_.size() - line_start_ > kMaxRequestLineBytes) return status_ = Status::uri_too_long;
  if (buffer_.size() >= kMaxHeadBytes) return status_ = Status::too_large;
  return status_ = Status::need_more;
}

HeadReader::Status HeadReader::consume() {
  buffer_.erase(0, head_end_);
  line_start_ = lines_ = head_end_ = 0;
  request_line_seen_ = false;
  status_ = Status::need_more;
  return scan(0);
}

void HeadReader::release() {
  if (buffer_.empty()) std::string().swap(buffer_);
}

}  // namespace pgconn::http
