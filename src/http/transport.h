// A connection's bytes, in the clear or through TLS, always non-blocking:
// every call returns at once and says what it waits for, so the front's one
// event loop can drive thousands of connections.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <string>

#include <openssl/types.h>

namespace pgconn::http {

enum class Io {
  done,        // the call did (some of) its work
  want_read,   // call again once the socket is readable
  want_write,  // call again once the socket is writable
  closed,      // the peer closed the connection cleanly
  failed,      // a socket or TLS error: drop the connection
};

class Transport {
 public:
  virtual ~Transport() = default;
  // TLS: one step of the server handshake. Plain: done at once.
  virtual Io handshake() = 0;
  // Up to `capacity` bytes into `buffer`; *n is set when done.
  virtual Io read(char* buffer, size_t capacity, size_t* n) = 0;
  // Takes bytes from `iov` and sets *taken; TLS may hold some of them until
  // flushed (pending() is then true), so call again with what remains.
  virtual Io write(const iovec* iov, int count, size_t* taken) = 0;
  virtual bool pending() const = 0;
  // Ends the session politely (TLS close_notify); the socket stays open.
  virtual void shutdown() = 0;
};

std::unique_ptr<Transport> plain_transport(int fd);
// Null when OpenSSL cannot create the session.
std::unique_ptr<Transport> tls_transport(int fd, SSL_CTX* context);

}  // namespace pgconn::http
