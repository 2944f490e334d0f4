#include "http/front.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "http/head_reader.h"
#include "http/transport.h"
#include "log/log.h"

namespace pgconn::http {
namespace {

constexpr uint64_t kListenerId = 1;
constexpr uint64_t kWakeId = 2;
constexpr int kListenBacklog = 512;
constexpr int kAcceptsPerWakeup = 64;
constexpr auto kSweepEvery = std::chrono::milliseconds(100);
constexpr auto kAcceptPause = std::chrono::milliseconds(100);  // after running out of file descriptors
constexpr size_t kLingerBytes = 1 << 20;
constexpr size_t kReadBlock = 16 * 1024;

enum class Phase {
  handshake,  // TLS handshake, part of the head's deadline
  head,       // reading a request head
  idle,       // kept alive, waiting for the next request's first byte
  handler,    // a worker computes the response
  writing,    // sending the response
  lingering,  // after the last response: discarding input until the client closes
};

std::string peer_name(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6.sin6_port));
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

struct Front::Connection {
  uint64_t id = 0;
  int fd = -1;
  std::string remote;
  std::unique_ptr<Transport> transport;
  HeadReader reader;
  Phase phase = Phase::head;
  Clock::time_point since;  // when the current phase (for a head: the head) began
  bool counted = false;     // held against max_connections
  uint32_t events = 0;      // what epoll watches for
  // The response being written: its head, then the body's pieces.
  std::string head_text;
  Body body;
  std::vector<std::string_view> out;
  size_t next = 0, offset = 0;
  bool keep_alive = false;
  size_t lingered = 0;
};

Front::Front(Handler handler, Rejections& rejections, SSL_CTX* tls, FrontLimits limits)
    : handler_(std::move(handler)), rejections_(rejections), tls_(tls) {
  set_limits(limits);
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeId;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
}

Front::~Front() {
  for (auto& [id, c] : connections_) ::close(c->fd);
  if (listener_ >= 0) ::close(listener_);
  ::close(wake_);
  ::close(epoll_);
}

void Front::set_limits(FrontLimits limits) {
  max_connections_ = limits.max_connections;
  header_timeout_ms_ = limits.read_header_timeout.count();
}

bool Front::listen(const std::string& host, int port, std::string* error) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? "0.0.0.0" : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    *error = "cannot resolve \"" + host + "\": " + gai_strerror(rc);
    return false;
  }
  std::string last = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, kListenBacklog) == 0) {
      listener_ = fd;
      break;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(found);
  if (listener_ < 0) {
    *error = "cannot listen on " + host + ":" + service + ": " + last;
    return false;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenerId;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &event);
  return true;
}

void Front::stop() {
  stopping_ = true;
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_, &one, sizeof one);
  (void)ignored;
}

void Front::run() {
  for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { worker(); });
  epoll_event events[64];
  auto next_sweep = Clock::now() + kSweepEvery;
  while (!stopping_) {
    int n = epoll_wait(epoll_, events, 64, static_cast<int>(kSweepEvery.count()));
    auto now = Clock::now();
    for (int i = 0; i < n && !stopping_; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kListenerId) {
        accept_ready(now);
      } else if (id == kWakeId) {
        uint64_t count;
        while (::read(wake_, &count, sizeof count) > 0) {
        }
        take_done(now);
      } else if (auto it = connections_.find(id); it != connections_.end()) {
        on_event(*it->second, events[i].events, now);
      }
    }
    if (now >= next_sweep) {
      sweep(now);
      next_sweep = now + kSweepEvery;
    }
  }
  for (auto& [id, c] : connections_) ::close(c->fd);
  connections_.clear();
  counted_ = lingering_ = 0;
  {
    // Taken after stopping_ was set, so no worker misses the wake-up.
    std::lock_guard<std::mutex> lock(mutex_);
  }
  work_ready_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void Front::worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Response response;
    try {
      response = handler_(job.request);
    } catch (const std::exception& e) {
      log::error("request handler failed", {{"path", job.request.path}, {"error", e.what()}});
      response = Response::text(500, "internal error\n");
    }
    const Request& r = job.request;
    Done done{job.id, Framing{r.minor_version, r.keep_alive, r.method == "HEAD"}, std::move(response), r.path};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(std::move(done));
    }
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_, &one, sizeof one);
    (void)ignored;
  }
}

void Front::take_done(Clock::time_point now) {
  std::vector<Done> finished;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished.swap(done_);
  }
  for (auto& done : finished) {
    auto it = connections_.find(done.id);
    if (it != connections_.end() && it->second->phase == Phase::handler) {
      start_response(*it->second, std::move(done), now);
    }
  }
}

void Front::accept_ready(Clock::time_point now) {
  for (int i = 0; i < kAcceptsPerWakeup && accepting_; ++i) {
    sockaddr_storage addr{};
    socklen_t length = sizeof addr;
    int fd = accept4(listener_, reinterpret_cast<sockaddr*>(&addr), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The pending connection stays queued; stop polling the listener
        // for a moment instead of spinning on it.
        rejections_.record("over_capacity", 0, "", "");
        epoll_event event{};
        epoll_ctl(epoll_, EPOLL_CTL_MOD, listener_, &event);
        accepting_ = false;
        resume_accepting_ = now + kAcceptPause;
      }
      continue;
    }
    bool counted = counted_ < max_connections_.load() || evict_one();
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    std::unique_ptr<Transport> transport = tls_ ? tls_transport(fd, tls_) : plain_transport(fd);
    if (!transport || (!counted && tls_)) {
      // TLS cannot say 503 before its handshake: refuse by closing.
      if (!counted) rejections_.record("over_capacity", 0, peer_name(addr), "");
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->id = next_id_++;
    c->fd = fd;
    c->remote = peer_name(addr);
    c->transport = std::move(transport);
    c->phase = tls_ ? Phase::handshake : Phase::head;
    c->since = now;
    c->counted = counted;
    counted_ += counted ? 1 : 0;
    Connection& added = *c;
    connections_.emplace(c->id, std::move(c));
    epoll_event event{};
    event.data.u64 = added.id;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
    if (counted) {
      watch(added, EPOLLIN);
      // Read what already arrived now, not after the rest of this burst: a
      // client that has gone is closed before it holds a slot, and a scrape
      // whose head is in goes to a worker before anything could evict it.
      on_event(added, EPOLLIN, now);
    } else {
      refuse(added, 503, "over_capacity", "too many open connections; retry shortly\n", now);
    }
  }
}

// Makes room for a newcomer. First the connections whose client has
// already gone (closed or reset before its request was read, or reset
// while a worker answers it: a connect-and-close flood leaves many). Then
// the one that most deserves to go: the oldest still sending its head (slow
// or stalled), the longest idle keep-alive, the oldest still receiving a
// response (a slow reader); never one a worker is answering. A scrape has
// been read once when it was accepted, so with its head in, it is being
// answered, not evictable.
bool Front::evict_one() {
  std::vector<uint64_t> gone;
  for (auto& [id, c] : connections_) {
    bool reading = c->phase == Phase::handshake || c->phase == Phase::head || c->phase == Phase::idle;
    if (!c->counted || (!reading && c->phase != Phase::handler)) continue;
    char byte;
    ssize_t n = ::recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    bool reset = n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    // A client may half-close after its request and wait for the answer:
    // only a reset says it is gone while a worker answers it.
    if (reset || (n == 0 && reading)) gone.push_back(id);
  }
  for (uint64_t id : gone) close(id);
  if (!gone.empty()) return true;

  auto rank = [](const Connection& c) {
    switch (c.phase) {
      case Phase::handshake:
      case Phase::head: return 0;
      case Phase::idle: return 1;
      case Phase::writing: return 2;
      default: return 3;
    }
  };
  Connection* victim = nullptr;
  for (auto& [id, c] : connections_) {
    if (!c->counted || rank(*c) == 3) continue;
    if (!victim || rank(*c) < rank(*victim) || (rank(*c) == rank(*victim) && c->since < victim->since)) {
      victim = c.get();
    }
  }
  if (!victim) return false;
  rejections_.record("over_capacity", 0, victim->remote, "");
  close(victim->id);
  return true;
}

void Front::on_event(Connection& c, uint32_t events, Clock::time_point now) {
  switch (c.phase) {
    case Phase::handshake: return step_handshake(c, now);
    case Phase::head:
    case Phase::idle: return read_head(c, now);
    case Phase::handler:
      // Nothing is watched but errors: the client went away; drop its answer.
      if (events & (EPOLLHUP | EPOLLERR)) close(c.id);
      return;
    case Phase::writing: return write_more(c, now);
    case Phase::lingering: return drain(c);
  }
}

void Front::step_handshake(Connection& c, Clock::time_point now) {
  switch (c.transport->handshake()) {
    case Io::done:
      c.phase = Phase::head;  // the head's deadline still counts from the connection's start
      return read_head(c, now);
    case Io::want_read: return watch(c, EPOLLIN);
    case Io::want_write: return watch(c, EPOLLOUT);
    case Io::closed:
    case Io::failed:
      rejections_.record("tls_handshake", 0, c.remote, "");
      return close(c.id);
  }
}

void Front::read_head(Connection& c, Clock::time_point now) {
  char buffer[kReadBlock];
  for (;;) {
    size_t n = 0;
    switch (c.transport->read(buffer, std::min(c.reader.room(), sizeof buffer), &n)) {
      case Io::done:
        break;
      case Io::want_read: return watch(c, EPOLLIN);
      case Io::want_write: return watch(c, EPOLLOUT);
      case Io::closed:
      case Io::failed: return close(c.id);
    }
    if (c.phase == Phase::idle) {
      c.phase = Phase::head;
      c.since = now;
    }
    switch (c.reader.feed(std::string_view(buffer, n))) {
      case HeadReader::Status::need_more: continue;
      case HeadReader::Status::complete: return dispatch(c, now);
      case HeadReader::Status::too_large:
        return refuse(c, 431, "header_too_large", "request header fields too large: at most 16 KiB in 100 fields\n",
                      now);
      case HeadReader::Status::uri_too_long:
        return refuse(c, 414, "header_too_large", "request line too long: at most 8 KiB\n", now);
    }
  }
}

void Front::dispatch(Connection& c, Clock::time_point now) {
  auto parsed = parse_request(c.reader.head());
  if (auto* refusal = std::get_if<Refusal>(&parsed)) return refuse(c, refusal->status, refusal->reason, refusal->message, now);
  Request& request = std::get<Request>(parsed);
  request.remote = c.remote;
  c.reader.consume();
  c.phase = Phase::handler;
  watch(c, 0);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(Job{c.id, std::move(request)});
  }
  work_ready_.notify_one();
}

void Front::refuse(Connection& c, int status, const char* reason, const char* message, Clock::time_point now) {
  Response response = Response::text(status, message);
  response.close = true;
  response.rejected = reason;
  if (status == 503) response.fields.emplace_back("Retry-After", "1");
  start_response(c, Done{c.id, Framing{1, false, false}, std::move(response), ""}, now);
}

void Front::start_response(Connection& c, Done done, Clock::time_point now) {
  Response& response = done.response;
  if (response.rejected) rejections_.record(response.rejected, response.status, c.remote, done.path);
  c.keep_alive = done.framing.keep_alive && !response.close && !stopping_;
  Framing framing = done.framing;
  framing.keep_alive = c.keep_alive;
  c.head_text = response_head(response, framing, std::time(nullptr));
  c.body = framing.head_only ? Body() : std::move(response.body);
  c.out.clear();
  c.out.push_back(c.head_text);
  c.out.insert(c.out.end(), c.body.pieces().begin(), c.body.pieces().end());
  c.next = c.offset = 0;
  c.phase = Phase::writing;
  c.since = now;
  write_more(c, now);
}

void Front::write_more(Connection& c, Clock::time_point now) {
  constexpr int kMaxIov = 64;
  for (;;) {
    while (c.next < c.out.size() && c.offset == c.out[c.next].size()) {
      ++c.next;
      c.offset = 0;
    }
    if (c.next == c.out.size() && !c.transport->pending()) return finish_response(c, now);
    iovec iov[kMaxIov];
    int count = 0;
    for (size_t i = c.next; i < c.out.size() && count < kMaxIov; ++i) {
      size_t skip = i == c.next ? c.offset : 0;
      iov[count++] = {const_cast<char*>(c.out[i].data() + skip), c.out[i].size() - skip};
    }
    size_t taken = 0;
    Io io = c.transport->write(iov, count, &taken);
    while (taken > 0) {
      size_t step = std::min(taken, c.out[c.next].size() - c.offset);
      c.offset += step;
      taken -= step;
      if (c.offset == c.out[c.next].size()) {
        ++c.next;
        c.offset = 0;
      }
    }
    switch (io) {
      case Io::done: continue;
      case Io::want_write: return watch(c, EPOLLOUT);
      case Io::want_read: return watch(c, EPOLLIN);
      case Io::closed:
      case Io::failed: return close(c.id);
    }
  }
}

void Front::finish_response(Connection& c, Clock::time_point now) {
  c.out.clear();
  c.body = Body();
  std::string().swap(c.head_text);
  if (!c.keep_alive) return linger(c, now);
  c.since = now;
  switch (c.reader.status()) {
    case HeadReader::Status::complete:
      c.phase = Phase::head;
      return dispatch(c, now);  // the next pipelined request
    case HeadReader::Status::too_large:
      return refuse(c, 431, "header_too_large", "request header fields too large: at most 16 KiB in 100 fields\n",
                    now);
    case HeadReader::Status::uri_too_long:
      return refuse(c, 414, "header_too_large", "request line too long: at most 8 KiB\n", now);
    case HeadReader::Status::need_more:
      c.phase = c.reader.empty() ? Phase::idle : Phase::head;
      c.reader.release();
      // TLS may hold decrypted bytes the socket will not signal again.
      return read_head(c, now);
  }
}

// RFC 9112 9.6: close the sending side, then read and discard for a while,
// so the client reads the response instead of a reset.
void Front::linger(Connection& c, Clock::time_point now) {
  c.transport->shutdown();
  ::shutdown(c.fd, SHUT_WR);
  if (c.counted) {
    c.counted = false;
    --counted_;
  }
  // Lingering is a courtesy: under a flood of refusals, close at once.
  if (lingering_ >= max_connections_.load()) return close(c.id);
  c.phase = Phase::lingering;
  ++lingering_;
  c.since = now;
  watch(c, EPOLLIN);
  drain(c);
}

void Front::drain(Connection& c) {
  char buffer[kReadBlock];
  for (;;) {
    ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      c.lingered += static_cast<size_t>(n);
      if (c.lingered > kLingerBytes) return close(c.id);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    return close(c.id);
  }
}

void Front::sweep(Clock::time_point now) {
  if (!accepting_ && now >= resume_accepting_) {
    accepting_ = true;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kListenerId;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, listener_, &event);
  }
  const auto header_timeout = std::chrono::milliseconds(header_timeout_ms_.load());
  std::vector<std::pair<uint64_t, Phase>> expired;
  for (const auto& [id, c] : connections_) {
    auto age = now - c->since;
    bool over = false;
    switch (c->phase) {
      case Phase::handshake:
      case Phase::head: over = age >= header_timeout; break;
      case Phase::idle: over = age >= kIdleTimeout; break;
      case Phase::writing: over = age >= kWriteTimeout; break;
      case Phase::lingering: over = age >= kLingerTimeout; break;
      case Phase::handler: break;
    }
    if (over) expired.emplace_back(id, c->phase);
  }
  for (auto [id, phase] : expired) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    Connection& c = *it->second;
    if (phase == Phase::head) {
      refuse(c, 408, "header_timeout", "the request head took too long\n", now);
    } else {
      if (phase == Phase::handshake) rejections_.record("header_timeout", 0, c.remote, "");
      if (phase == Phase::writing) rejections_.record("write_timeout", 0, c.remote, "");
      close(id);
    }
  }
}

void Front::watch(Connection& c, uint32_t events) {
  if (c.events == events) return;
  epoll_event event{};
  event.events = events;
  event.data.u64 = c.id;
  epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
  c.events = events;
}

void Front::close(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  ::close(it->second->fd);  // also removes it from the epoll set
  if (it->second->counted) --counted_;
  if (it->second->phase == Phase::lingering) --lingering_;
  connections_.erase(it);
}

}  // namespace pgconn::http
