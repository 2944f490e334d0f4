// Files that hold a secret (password_file, DATABASE_URL_FILE): read whole,
// only when they are regular files (a FIFO or a device would block or never
// end), at most 64 KiB. Errors name the file, never its content.
#pragma once

#include <optional>
#include <string>

namespace pgconn::config {

inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// The content without one trailing "\n" or "\r\n" (editors and `echo` add
// one); nullopt with the reason when it cannot be read.
std::optional<std::string> read_secret_file(const std::string& path, std::string* reason);

}  // namespace pgconn::config
