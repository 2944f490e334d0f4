#include "certificates.h"

#include <crypt.h>

#include <stdexcept>

#include "pg_server.h"

namespace pgtest {

void make_certificate(const TempDir& dir, const std::string& name) {
  run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" + name +
              " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + dir.file(name + ".key") + " -out " +
              dir.file(name + ".crt"));
}

std::string bcrypt_hash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt)) throw std::runtime_error("crypt_gensalt failed");
  crypt_data data{};
  return crypt_r(password.c_str(), salt, &data);
}

}  // namespace pgtest
