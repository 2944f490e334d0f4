// A fresh private directory under /tmp for a test's files (configs,
// certificates, scrapes), removed with everything in it.
#pragma once

#include <string>

namespace pgtest {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` byte for byte to file(name) and returns that path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace pgtest
