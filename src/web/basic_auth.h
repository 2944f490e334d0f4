// HTTP basic authentication against bcrypt hashes, as in Prometheus'
// exporter-toolkit (basic_auth_users: {user: bcrypt}).
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pgconn::web {

// Splits "Basic base64(user:password)"; false when the header is anything else.
bool parse_basic_credentials(std::string_view header, std::string* user, std::string* password);

// crypt(3) of `password` with the hash's salt and cost, compared with the
// hash in constant time. False for a malformed hash.
bool bcrypt_matches(const std::string& password, const std::string& hash);

class BasicAuth {
 public:
  using Clock = std::chrono::steady_clock;
  // A bcrypt check costs ~80 ms at cost 10 and ~300 ms at cost 12. Results
  // are remembered this long, keyed by a salted SHA-256 of the credentials,
  // so scrapes do not pay that every time, and a client repeating a wrong
  // password cannot keep the workers busy (and the connection slots held)
  // with bcrypt. A new password still costs one check.
  static constexpr std::chrono::seconds kCacheTtl{60};
  static constexpr size_t kCacheEntries = 256;

  // `users`: name -> bcrypt hash, at least one (the config guarantees it).
  explicit BasicAuth(std::map<std::string, std::string> users);

  // True when the Authorization header value carries a configured user's password.
  bool check(std::string_view authorization, Clock::time_point now = Clock::now());
  size_t cached_entries() const;

 private:
  using Key = std::array<unsigned char, 32>;
  Key cache_key(const std::string& user, const std::string& password) const;
  // Called with mutex_ held; at most kCacheEntries, expired ones dropped first.
  static void remember(std::map<Key, Clock::time_point>& cache, const Key& key, Clock::time_point now);

  const std::map<std::string, std::string> users_;
  std::array<unsigned char, 32> salt_{};
  mutable std::mutex mutex_;
  std::map<Key, Clock::time_point> verified_;  // key -> expiry
  std::map<Key, Clock::time_point> refused_;   // key -> expiry
};

}  // namespace pgconn::web
