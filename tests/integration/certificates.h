// Certificates and password hashes for the HTTPS and basic-auth tests.
#pragma once

#include <string>

#include "temp_dir.h"

namespace pgtest {

// A self-signed certificate for 127.0.0.1 and localhost, made with the
// openssl CLI: DIR/NAME.crt and DIR/NAME.key, subject CN=NAME.
void make_certificate(const TempDir& dir, const std::string& name);

// crypt(3) bcrypt hash of `password` at cost 4 (fast tests).
std::string bcrypt_hash(const std::string& password);

}  // namespace pgtest
