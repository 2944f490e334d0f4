#include "web/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace pgconn::web {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict RFC 4648 base64 with padding: no white space, no stray characters.
bool base64_decode(std::string_view in, std::string* out) {
  if (in.empty() || in.size() % 4 != 0) return false;
  size_t padding = in.size() - std::min(in.find_last_not_of('='), in.size() - 1) - 1;
  if (padding > 2) return false;
  out->clear();
  unsigned buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size() - padding; ++i) {
    int v = base64_value(in[i]);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

bool parse_basic_credentials(std::string_view header, std::string* user, std::string* password) {
  size_t space = header.find(' ');
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "Basic")) return false;
  std::string_view encoded = header.substr(space + 1);
  encoded.remove_prefix(std::min(encoded.find_first_not_of(' '), encoded.size()));
  std::string decoded;
  if (!base64_decode(encoded, &decoded)) return false;
  size_t colon = decoded.find(':');
  // crypt(3) stops at a NUL byte, so "secret\0anything" would pass as "secret".
  if (colon == std::string::npos || decoded.find('\0') != std::string::npos) {
    OPENSSL_cleanse(decoded.data(), decoded.size());
    return false;
  }
  *user = decoded.substr(0, colon);
  *password = decoded.substr(colon + 1);
  OPENSSL_cleanse(decoded.data(), decoded.size());
  return true;
}

bool bcrypt_matches(const std::string& password, const std::string& hash) {
  // crypt_data is 32 KiB and must start zeroed; the heap spares the worker's stack.
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  // On failure crypt_r returns a short "*0"/"*1" token, which never matches.
  bool ok = out && std::strlen(out) == hash.size() && CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof *data);
  return ok;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {
  if (RAND_bytes(salt_.data(), static_cast<int>(salt_.size())) != 1) {
    throw std::runtime_error("no randomness for the basic auth cache");
  }
}

BasicAuth::Key BasicAuth::cache_key(const std::string& user, const std::string& password) const {
  // The user name's length first, so no (user, password) split collides with another.
  std::string input(reinterpret_cast<const char*>(salt_.data()), salt_.size());
  input += std::to_string(user.size()) + ":" + user + password;
  Key key{};
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), key.data(), &length, EVP_sha256(), nullptr);
  OPENSSL_cleanse(input.data(), input.size());
  return key;
}

bool BasicAuth::check(std::string_view authorization, Clock::time_point now) {
  std::string user, password;
  if (users_.empty() || !parse_basic_credentials(authorization, &user, &password)) return false;
  Key key = cache_key(user, password);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto* cache : {&verified_, &refused_}) {
      auto it = cache->find(key);
      if (it == cache->end()) continue;
      if (now < it->second) return cache == &verified_;
      cache->erase(it);
    }
  }
  auto found = users_.find(user);
  // An unknown user costs one bcrypt like a known one, so response times do
  // not tell which user names exist.
  const std::string& hash = found != users_.end() ? found->second : users_.begin()->second;
  bool ok = bcrypt_matches(password, hash) && found != users_.end();
  OPENSSL_cleanse(password.data(), password.size());
  std::lock_guard<std::mutex> lock(mutex_);
  remember(ok ? verified_ : refused_, key, now);
  return ok;
}

void BasicAuth::remember(std::map<Key, Clock::time_point>& cache, const Key& key, Clock::time_point now) {
  if (cache.size() >= kCacheEntries) {
    for (auto it = cache.begin(); it != cache.end();) it = now < it->second ? std::next(it) : cache.erase(it);
    if (cache.size() >= kCacheEntries) cache.clear();
  }
  cache[key] = now + kCacheTtl;
}

size_t BasicAuth::cached_entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return verified_.size() + refused_.size();
}

}  // namespace pgconn::web
