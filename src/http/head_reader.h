// Collects one request head from a byte stream, within fixed limits, without
// ever buffering more than the limit: the front reads at most room() bytes.
// Scanning is incremental (each byte is looked at once), so a client that
// trickles its head byte by byte costs no more than one that sends it whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgconn::http {

class HeadReader {
 public:
  static constexpr size_t kMaxHeadBytes = 16 * 1024;    // request line, fields and the empty line
  static constexpr size_t kMaxFieldLines = 100;
  static constexpr size_t kMaxRequestLineBytes = 8 * 1024;

  enum class Status { need_more, complete, too_large, uri_too_long };

  // Bytes the next read may add; 0 once the head is complete or refused.
  size_t room() const;
  // Appends bytes read from the connection (at most room()).
  Status feed(std::string_view bytes);
  Status status() const { return status_; }
  // The complete head (up to and including its empty line).
  std::string_view head() const { return std::string_view(buffer_).substr(0, head_end_); }
  // Drops the complete head and scans what follows it (a pipelined request).
  Status consume();
  bool empty() const { return buffer_.empty(); }
  // Gives the buffer's memory back (between requests on an idle connection).
  void release();

 private:
  Status scan(size_t from);

  std::string buffer_;
  size_t line_start_ = 0;    // where the current line begins
  size_t lines_ = 0;         // field lines so far
  bool request_line_seen_ = false;
  size_t head_end_ = 0;
  Status status_ = Status::need_more;
};

}  // namespace pgconn::http
