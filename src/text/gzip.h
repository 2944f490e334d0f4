// gzip (RFC 1952) bodies joined from pieces compressed apart. Each piece is
// raw deflate data that ends on a byte boundary without a final block (a
// sync flush), so pieces compressed once can be sent in any order between
// one gzip header and a trailer computed per body: one member, which every
// reader takes (curl 7.88 stops after the first of several members).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgconn::text {

// zlib's default. Pieces are small (a family's samples of one target), so
// level 1 saved no measurable time and made the body 5 % larger
// (docs/benchmarks.md).
constexpr int kGzipLevel = 6;

struct Deflated {
  std::string data;        // raw deflate blocks, none final
  uint32_t crc = 0;        // CRC-32 of the text
  unsigned long crc_shift = 0;  // zlib's crc32_combine_gen(size): joins this CRC after another
  size_t size = 0;         // length of the text
};

// The pieces in order as one Deflated.
Deflated deflate_piece(const std::vector<std::string_view>& pieces, int level = kGzipLevel);

// The 10 bytes every member starts with.
std::string_view gzip_header();

// Builds the end of one member: add every piece in body order, then finish.
class GzipTrailer {
 public:
  void add(const Deflated& piece);
  // The final (empty) deflate block, CRC-32 and length of the whole text.
  std::string finish() const;

 private:
  uint32_t crc_ = 0;
  uint64_t size_ = 0;
};

}  // namespace pgconn::text
