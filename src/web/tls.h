// The HTTPS server's certificate and key. OpenSSL asks for them at every
// handshake (SSL_CTX_set_cert_cb), so a reload swaps the pair for new
// connections without touching the server's SSL_CTX or the ones in flight.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <mutex>
#include <string>

namespace pgconn::web {

class TlsCredentials {
 public:
  TlsCredentials();
  ~TlsCredentials();
  TlsCredentials(const TlsCredentials&) = delete;
  TlsCredentials& operator=(const TlsCredentials&) = delete;

  // Reads the PEM certificate chain and the matching unencrypted key. On any
  // error the current pair stays and `error` says why (never key material).
  bool load(const std::string& cert_file, const std::string& key_file, std::string* error);

  // Minimum protocol ("TLS12" or "TLS13"), forward-secret AEAD ciphers for
  // TLS 1.2, no compression or renegotiation, and the certificate callback.
  bool configure(SSL_CTX& ctx, const std::string& min_version);

 private:
  struct Pair;
  static int select_certificate(SSL* ssl, void* self);

  mutable std::mutex mutex_;
  std::shared_ptr<const Pair> current_;
};

}  // namespace pgconn::web
