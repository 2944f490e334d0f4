#include "config/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pgconn::config {

std::optional<std::string> read_secret_file(const std::string& path, std::string* reason) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *reason = std::string("cannot read the file: ") + std::strerror(errno);
    return std::nullopt;
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    *reason = S_ISDIR(info.st_mode) ? "the file is a directory" : "the file is not a regular file";
    return std::nullopt;
  }
  std::string text(kMaxSecretFileBytes + 1, '\0');
  size_t size = 0;
  while (size < text.size()) {
    ssize_t n = ::read(fd, &text[size], text.size() - size);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      *reason = std::string("cannot read the file: ") + std::strerror(errno);
      return std::nullopt;
    }
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (size > kMaxSecretFileBytes) {
    *reason = "the file is larger than 64 KiB";
    return std::nullopt;
  }
  text.resize(size);
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
  return text;
}

}  // namespace pgconn::config
