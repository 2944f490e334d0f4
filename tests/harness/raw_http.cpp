#include "raw_http.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "pg_server.h"

namespace pgtest {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  return std::max<int>(0, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               deadline - Clock::now()).count()));
}

bool wait_fd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

SSL_CTX* client_context() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    return c;
  }();
  return ctx;
}

}  // namespace

struct RawConnection::Tls {
  SSL* ssl = nullptr;
  ~Tls() { SSL_free(ssl); }
};

RawConnection::RawConnection(int port, bool tls) {
  fd_ = connect_loopback(port);
  if (fd_ < 0) return;
  if (!tls) {
    ok_ = true;
    return;
  }
  tls_ = std::make_unique<Tls>();
  tls_->ssl = SSL_new(client_context());
  SSL_set_fd(tls_->ssl, fd_);
  ok_ = SSL_connect(tls_->ssl) == 1;  // blocking: the socket is blocking
  ERR_clear_error();
}

RawConnection::~RawConnection() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
  if (!ok_) return false;
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = tls_ ? SSL_write(tls_->ssl, bytes.data() + sent, static_cast<int>(bytes.size() - sent))
                     : ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ERR_clear_error();
      return ok_ = false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string RawConnection::receive(int timeout_ms, size_t bytes) {
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[16384];
  while (out.size() < bytes && fd_ >= 0) {
    bool buffered = tls_ && SSL_pending(tls_->ssl) > 0;
    if (!buffered && !wait_fd(fd_, POLLIN, remaining_ms(deadline))) break;
    ssize_t n = tls_ ? SSL_read(tls_->ssl, buffer, sizeof buffer) : ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      ERR_clear_error();
      break;
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

bool RawConnection::closed_within(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[16384];
  while (fd_ >= 0 && wait_fd(fd_, POLLIN, remaining_ms(deadline))) {
    if (::recv(fd_, buffer, sizeof buffer, 0) <= 0) return true;
  }
  return false;
}

std::vector<RawResponse> parse_responses(const std::string& bytes) {
  std::vector<RawResponse> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find("\r\n\r\n", pos);
    if (end == std::string::npos) break;
    RawResponse r;
    std::istringstream head(bytes.substr(pos, end - pos));
    std::getline(head, r.status_line);
    if (!r.status_line.empty() && r.status_line.back() == '\r') r.status_line.pop_back();
    for (std::string line; std::getline(head, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      r.fields[name] = colon == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', colon + 1));
    }
    pos = end + 4;
    auto length = r.fields.find("content-length");
    size_t size = length == r.fields.end() ? bytes.size() - pos : std::stoul(length->second);
    r.body = bytes.substr(pos, size);
    pos += size;
    out.push_back(std::move(r));
  }
  return out;
}

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

SlowClients::SlowClients(int port, int count, std::chrono::milliseconds interval, bool tls)
    : thread_([=] { run(port, count, interval, tls); }) {}

SlowClients::~SlowClients() {
  stop_ = true;
  thread_.join();
}

void SlowClients::run(int port, int count, std::chrono::milliseconds interval, bool tls) {
  // Each slot is a connection that has sent `sent` bytes of an endless head.
  struct Slot {
    std::unique_ptr<RawConnection> connection;
    int raw_fd = -1;  // a TLS slot that trickles its handshake instead
    size_t sent = 0;
  };
  const std::string start = "GET /metrics HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
  // A TLS ClientHello's first bytes, one at a time: the handshake never ends.
  const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  std::vector<Slot> slots(static_cast<size_t>(count));
  auto deadline = Clock::now() + std::chrono::minutes(10);
  auto open = [&](size_t i) {
    Slot& s = slots[i];
    if (s.raw_fd >= 0) ::close(s.raw_fd);
    s = Slot{};
    ++connects_;
    if (tls && i % 2 == 1) {
      s.raw_fd = connect_loopback(port);
      return;
    }
    s.connection = std::make_unique<RawConnection>(port, tls);
    s.connection->send(start);
  };
  for (size_t i = 0; i < slots.size(); ++i) open(i);
  while (!stop_ && Clock::now() < deadline) {
    for (int waited = 0; waited < interval.count() && !stop_; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (size_t i = 0; i < slots.size() && !stop_; ++i) {
      Slot& s = slots[i];
      bool alive;
      if (s.raw_fd >= 0) {
        char byte = s.sent < hello.size() ? hello[s.sent] : '\0';
        alive = ::send(s.raw_fd, &byte, 1, MSG_NOSIGNAL) == 1;
        // A closed connection shows as readable end-of-file.
        char ignored;
        if (alive && wait_fd(s.raw_fd, POLLIN, 0)) alive = ::recv(s.raw_fd, &ignored, 1, MSG_DONTWAIT) > 0;
      } else {
        alive = s.connection && s.connection->ok() && s.connection->send("x") && !s.connection->closed_within(0);
      }
      ++s.sent;
      if (!alive) open(i);
    }
  }
  for (auto& s : slots) {
    if (s.raw_fd >= 0) ::close(s.raw_fd);
  }
}

}  // namespace pgtest
