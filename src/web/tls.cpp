#include "web/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace pgconn::web {

struct TlsCredentials::Pair {
  X509* leaf = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;  // intermediates sent after the leaf

  Pair() = default;
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;
  ~Pair() {
    X509_free(leaf);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
};

namespace {

// OpenSSL's reason for the first queued error; these name files and
// formats, never key material.
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no PEM data";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

// OpenSSL's default would prompt for a pass phrase on the terminal and block
// the daemon; an encrypted key is reported as unreadable instead.
int refuse_passphrase(char*, int, int, void*) { return -1; }

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio open_file(const std::string& path) { return Bio(BIO_new_file(path.c_str(), "r"), &BIO_free); }

}  // namespace

TlsCredentials::TlsCredentials() = default;
TlsCredentials::~TlsCredentials() = default;

bool TlsCredentials::load(const std::string& cert_file, const std::string& key_file, std::string* error) {
  ERR_clear_error();
  auto pair = std::make_shared<Pair>();
  Bio cert = open_file(cert_file);
  if (!cert) {
    *error = "cannot read cert_file " + cert_file + ": " + openssl_error();
    return false;
  }
  pair->leaf = PEM_read_bio_X509(cert.get(), nullptr, refuse_passphrase, nullptr);
  if (!pair->leaf) {
    *error = "cert_file " + cert_file + " holds no PEM certificate: " + openssl_error();
    return false;
  }
  pair->chain = sk_X509_new_null();
  while (X509* intermediate = PEM_read_bio_X509(cert.get(), nullptr, refuse_passphrase, nullptr)) {
    sk_X509_push(pair->chain, intermediate);
  }
  ERR_clear_error();  // reading past the last certificate queues a "no start line" error

  Bio key = open_file(key_file);
  if (!key) {
    *error = "cannot read key_file " + key_file + ": " + openssl_error();
    return false;
  }
  pair->key = PEM_read_bio_PrivateKey(key.get(), nullptr, refuse_passphrase, nullptr);
  if (!pair->key) {
    *error = "key_file " + key_file + " holds no unencrypted PEM private key: " + openssl_error();
    return false;
  }
  if (X509_check_private_key(pair->leaf, pair->key) != 1) {
    ERR_clear_error();
    *error = "key_file " + key_file + " does not belong to the certificate in " + cert_file;
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(pair);
  return true;
}

bool TlsCredentials::configure(SSL_CTX& ctx, const std::string& min_version) {
  int version = min_version == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(&ctx, version) != 1) return false;
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2 suites with forward secrecy and authenticated encryption only;
  // TLS 1.3 suites are all of that kind already.
  if (SSL_CTX_set_cipher_list(&ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) return false;
  SSL_CTX_set_cert_cb(&ctx, &TlsCredentials::select_certificate, this);
  return true;
}

int TlsCredentials::select_certificate(SSL* ssl, void* self) {
  auto* credentials = static_cast<TlsCredentials*>(self);
  std::shared_ptr<const Pair> pair;
  {
    std::lock_guard<std::mutex> lock(credentials->mutex_);
    pair = credentials->current_;
  }
  // SSL_use_cert_and_key takes its own references, so a reload may free the
  // old pair while this connection still uses it.
  return pair && SSL_use_cert_and_key(ssl, pair->leaf, pair->key, pair->chain, 1) == 1 ? 1 : 0;
}

}  // namespace pgconn::web
