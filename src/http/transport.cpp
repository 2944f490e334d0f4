#include "http/transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pgconn::http {
namespace {

class PlainTransport : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}
  Io handshake() override { return Io::done; }
  Io read(char* buffer, size_t capacity, size_t* n) override {
    ssize_t r = ::recv(fd_, buffer, capacity, 0);
    if (r > 0) {
      *n = static_cast<size_t>(r);
      return Io::done;
    }
    if (r == 0) return Io::closed;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? Io::want_read : Io::failed;
  }
  Io write(const iovec* iov, int count, size_t* taken) override {
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(iov);
    message.msg_iovlen = static_cast<size_t>(count);
    ssize_t r = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (r >= 0) {
      *taken = static_cast<size_t>(r);
      return Io::done;
    }
    *taken = 0;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? Io::want_write : Io::failed;
  }
  bool pending() const override { return false; }
  void shutdown() override {}

 private:
  int fd_;
};

class TlsTransport : public Transport {
 public:
  explicit TlsTransport(SSL* ssl) : ssl_(ssl) {}
  ~TlsTransport() override { SSL_free(ssl_); }

  Io handshake() override { return outcome(SSL_accept(ssl_)); }
  Io read(char* buffer, size_t capacity, size_t* n) override {
    int r = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(capacity, 1 << 30)));
    if (r > 0) *n = static_cast<size_t>(r);
    return outcome(r);
  }
  // OpenSSL wants a failed SSL_write retried with the same bytes, so they
  // are staged here (at most one TLS record's worth) until written.
  Io write(const iovec* iov, int count, size_t* taken) override {
    *taken = 0;
    if (staged_.empty()) {
      for (int i = 0; i < count && staged_.size() < kRecord; ++i) {
        size_t n = std::min(iov[i].iov_len, kRecord - staged_.size());
        staged_.append(static_cast<const char*>(iov[i].iov_base), n);
        *taken += n;
      }
    }
    while (!staged_.empty()) {
      int r = SSL_write(ssl_, staged_.data(), static_cast<int>(staged_.size()));
      if (r <= 0) {
        Io io = outcome(r);
        return io == Io::done ? Io::failed : io;
      }
      staged_.erase(0, static_cast<size_t>(r));
    }
    return Io::done;
  }
  bool pending() const override { return !staged_.empty(); }
  void shutdown() override {
    if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
    ERR_clear_error();
  }

 private:
  static constexpr size_t kRecord = 16 * 1024;

  Io outcome(int r) {
    if (r > 0) return Io::done;
    int error = SSL_get_error(ssl_, r);
    ERR_clear_error();  // the queue is per thread: leave it empty for the next connection
    switch (error) {
      case SSL_ERROR_WANT_READ: return Io::want_read;
      case SSL_ERROR_WANT_WRITE: return Io::want_write;
      case SSL_ERROR_ZERO_RETURN: return Io::closed;
      default: return Io::failed;
    }
  }

  SSL* ssl_;
  std::string staged_;
};

}  // namespace

std::unique_ptr<Transport> plain_transport(int fd) { return std::make_unique<PlainTransport>(fd); }

std::unique_ptr<Transport> tls_transport(int fd, SSL_CTX* context) {
  SSL* ssl = SSL_new(context);
  if (!ssl) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::make_unique<TlsTransport>(ssl);
}

}  // namespace pgconn::http
