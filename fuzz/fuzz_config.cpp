// config::parse on arbitrary text either returns a configuration that keeps
// the invariants the rest of the exporter relies on, or throws ConfigError
// naming the file; never another exception, a crash or a sanitizer report.
#include <cstdint>
#include <string>

#include "config/config.h"
#include "config/dsn.h"

using namespace pgconn::config;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    Config c = parse(text, "fuzz.toml");
    require(!c.targets.empty());
    require(c.poll_interval.count() >= 100 && c.poll_timeout.count() >= 100 && c.poll_timeout <= c.poll_interval);
    require(c.max_connections >= 1);
    for (const Target& t : c.targets) {
      require(!t.name.empty() && t.name.size() <= 64);
      require(!dsn_problem(t.dsn));
    }
    for (const auto& [user, hash] : c.basic_auth_users) {
      require(!user.empty() && user.find(':') == std::string::npos);
      require(hash.size() == 60 && hash.compare(0, 2, "$2") == 0);
    }
    if (c.tls) require(!c.tls->cert_file.empty() && !c.tls->key_file.empty());
  } catch (const ConfigError& e) {
    require(std::string(e.what()).rfind("fuzz.toml:", 0) == 0);
  }
  return 0;
}
