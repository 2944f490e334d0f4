#include "text/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace pgconn::text {

namespace {

// The smallest window (and hash) that covers `size` bytes: most pieces are a
// few hundred bytes, and zlib's default 32 KiB window with 256 KiB of state
// made setting it up cost more than compressing them. Any reader's 32 KiB
// window reads a stream made with a smaller one.
int window_bits_for(size_t size) {
  int bits = 9;  // zlib's smallest for raw deflate
  while (bits < 15 && (size_t{1} << bits) < size) ++bits;
  return bits;
}

}  // namespace

Deflated deflate_piece(const std::vector<std::string_view>& pieces, int level) {
  size_t total = 0;
  for (std::string_view piece : pieces) total += piece.size();
  const int bits = window_bits_for(total);
  z_stream stream{};
  // Negative window bits: raw deflate, the header and trailer are the body's.
  if (deflateInit2(&stream, level, Z_DEFLATED, -bits, std::max(1, bits - 7), Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  Deflated out;
  out.crc = static_cast<uint32_t>(crc32(0, nullptr, 0));
  char buffer[16 * 1024];
  auto pump = [&](int flush) {
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof buffer;
      deflate(&stream, flush);
      out.data.append(buffer, sizeof buffer - stream.avail_out);
    } while (stream.avail_out == 0);
  };
  for (std::string_view piece : pieces) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    stream.avail_in = static_cast<uInt>(piece.size());
    pump(Z_NO_FLUSH);
    out.crc = static_cast<uint32_t>(crc32_z(out.crc, reinterpret_cast<const Bytef*>(piece.data()), piece.size()));
    out.size += piece.size();
  }
  // Ends on a byte boundary with no final block, so pieces can be joined.
  pump(Z_SYNC_FLUSH);
  deflateEnd(&stream);
  out.crc_shift = crc32_combine_gen(static_cast<z_off_t>(out.size));
  return out;
}

std::string_view gzip_header() {
  // Magic, deflate, no flags, no time, no extra flags, OS unknown.
  static constexpr char kHeader[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
  return {kHeader, sizeof kHeader};
}

void GzipTrailer::add(const Deflated& piece) {
  crc_ = static_cast<uint32_t>(crc32_combine_op(crc_, piece.crc, piece.crc_shift));
  size_ += piece.size;
}

std::string GzipTrailer::finish() const {
  // An empty final block with fixed codes (BFINAL 1, BTYPE 01, end of block).
  std::string out{'\x03', '\x00'};
  for (uint64_t value : {static_cast<uint64_t>(crc_), size_ & 0xffffffffu}) {
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
  return out;
}

}  // namespace pgconn::text
