// [web], [web.tls] and [web.basic_auth] of the configuration file.
#include "config/web.h"

#include <cctype>

#include "config/config.h"
#include "config/listen_address.h"

namespace pgconn::config {
namespace {

// As crypt(3) writes bcrypt: "$2a$", "$2b$" or "$2y$", a cost from 04 to 31,
// '$', then 53 characters of salt and hash in bcrypt's base64 alphabet.
bool is_bcrypt_hash(const std::string& hash) {
  if (hash.size() != 60 || hash.compare(0, 2, "$2") != 0 || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) || !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (size_t i = 7; i < hash.size(); ++i) {
    char c = hash[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') return false;
  }
  return true;
}

// RFC 7617: the user name ends at the first ':' of the credentials.
bool valid_user_name(const std::string& name) {
  if (name.empty() || name.size() > 256) return false;
  for (unsigned char c : name) {
    if (c == ':' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string required_string(TableReader& reader, const toml::table& raw, const std::string& key) {
  auto value = reader.string(key);
  if (!value || value->empty()) {
    reader.fail(raw, key, "is required");
  }
  return *value;
}

TlsSettings read_tls(TableReader reader, const toml::table& raw) {
  TlsSettings tls;
  tls.cert_file = required_string(reader, raw, "cert_file");
  tls.key_file = required_string(reader, raw, "key_file");
  if (auto v = reader.string("min_version")) {
    if (*v != "TLS12" && *v != "TLS13") reader.fail(*raw.get("min_version"), "min_version", "must be \"TLS12\" or \"TLS13\"");
    tls.min_version = *v;
  }
  reader.finish();
  return tls;
}

// Error messages name the user but never echo a value: a plain password
// pasted where the hash belongs must not end up in a log.
std::map<std::string, std::string> read_basic_auth(TableReader reader, const toml::table& raw) {
  const toml::table* users = reader.table("users");
  if (!users || users->empty()) {
    reader.fail(users ? *users : raw, "users", "needs at least one user: users = { name = \"bcrypt hash\" }");
  }
  std::map<std::string, std::string> out;
  for (auto&& [key, value] : *users) {
    std::string name(key.str());
    if (!valid_user_name(name)) {
      reader.fail(value, "users", "user names must be non-empty, without ':' or control characters");
    }
    if (!value.is_string() || !is_bcrypt_hash(value.as_string()->get())) {
      reader.fail(value, "users." + name,
                  "expected a bcrypt hash (\"$2a$\", \"$2b$\" or \"$2y$\", 60 characters), never a plain password");
    }
    out[name] = value.as_string()->get();
  }
  reader.finish();
  return out;
}

}  // namespace

void read_web(TableReader reader, Config& config) {
  if (auto v = reader.string("listen_address")) {
    std::string reason;
    if (!parse_listen_address(*v, &reason)) reader.fail(*reader.find("listen_address"), "listen_address", reason);
    config.listen_address = *v;
  }
  if (auto v = reader.integer("max_connections", 1, 10000)) config.max_connections = static_cast<int>(*v);
  if (auto v = reader.duration("read_header_timeout")) {
    if (v->count() < 100 || v->count() > 600000) {
      reader.fail(*reader.find("read_header_timeout"), "read_header_timeout", "must be between 100ms and 10m");
    }
    config.read_header_timeout = *v;
  }
  if (const toml::table* tls = reader.table("tls")) {
    config.tls = read_tls(TableReader(*tls, reader.full("tls"), reader.file()), *tls);
  }
  if (const toml::table* auth = reader.table("basic_auth")) {
    config.basic_auth_users = read_basic_auth(TableReader(*auth, reader.full("basic_auth"), reader.file()), *auth);
  }
  reader.finish();
}

}  // namespace pgconn::config
