// Decompresses a gzip stream of one or more members (RFC 1952 2.2), as
// Prometheus's and curl's readers do; "" with ok = false on corrupt input.
#pragma once

#include <zlib.h>

#include <string>

namespace pgtest {

inline std::string gunzip(const std::string& data, bool* ok = nullptr) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out;
  char buffer[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc;
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (rc == Z_STREAM_END && stream.avail_in > 0) {
      inflateReset(&stream);  // the next member
      continue;
    }
    if (rc != Z_OK) break;
  }
  inflateEnd(&stream);
  if (ok != nullptr) *ok = rc == Z_STREAM_END;
  return rc == Z_STREAM_END ? out : "";
}

}  // namespace pgtest
