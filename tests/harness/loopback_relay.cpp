#include "loopback_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

namespace pgtest {
namespace {

sockaddr_in loopback(const std::string& address, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) throw std::runtime_error("relay: bad address " + address);
  return a;
}

// Writes all of `n` bytes; false when the peer is gone.
bool write_all(int fd, const char* data, ssize_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, static_cast<size_t>(n), MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= w;
  }
  return true;
}

}  // namespace

LoopbackRelay::LoopbackRelay(int target_port, std::string source)
    : target_port_(target_port), source_(std::move(source)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback("127.0.0.1", 0);
  socklen_t len = sizeof a;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("relay: cannot listen on loopback");
  }
  port_ = ntohs(a.sin_port);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

LoopbackRelay::~LoopbackRelay() {
  uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);
  thread_.join();
  ::close(stop_fd_);
  ::close(listen_fd_);
}

std::string LoopbackRelay::conninfo(const std::string& user, const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user + " dbname=" + database;
}

void LoopbackRelay::run() {
  struct Pair {
    int client, server;
  };
  std::vector<Pair> pairs;
  auto close_pair = [](const Pair& p) {
    ::close(p.client);
    ::close(p.server);
  };
  for (;;) {
    std::vector<pollfd> fds{{stop_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const Pair& p : pairs) {
      fds.push_back({p.client, POLLIN, 0});
      fds.push_back({p.server, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;
    // Forward what arrived; a pair ends when either side closes.
    std::vector<Pair> open;
    for (size_t i = 0; i < pairs.size(); ++i) {
      const Pair& p = pairs[i];
      bool alive = true;
      for (int side = 0; side < 2 && alive; ++side) {
        const pollfd& pfd = fds[2 + 2 * i + side];
        if (!pfd.revents) continue;
        char buffer[65536];
        ssize_t n = ::recv(pfd.fd, buffer, sizeof buffer, 0);
        int to = side == 0 ? p.server : p.client;
        alive = n > 0 && write_all(to, buffer, n);
      }
      if (alive) {
        open.push_back(p);
      } else {
        close_pair(p);
      }
    }
    pairs = std::move(open);
    // Only after forwarding: fds holds entries for the pairs polled, not new ones.
    if (fds[1].revents & POLLIN) {
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in from = loopback(source_, 0);
        sockaddr_in to = loopback("127.0.0.1", target_port_);
        if (::bind(server, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
            ::connect(server, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
          pairs.push_back({client, server});
        } else {
          ::close(server);
          ::close(client);
        }
      }
    }
  }
  for (const Pair& p : pairs) close_pair(p);
}

}  // namespace pgtest
