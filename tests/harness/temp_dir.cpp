#include "temp_dir.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace pgtest {

TempDir::TempDir() {
  char tmpl[] = "/tmp/pgconn-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (std::system(("rm -rf '" + path_ + "'").c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", path_.c_str());
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  std::ofstream(file(name), std::ios::binary | std::ios::trunc) << content;
  return file(name);
}

}  // namespace pgtest
