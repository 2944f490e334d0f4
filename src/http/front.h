// The HTTP front: accepts connections, reads request heads and writes
// responses on one event-loop thread (epoll), so a client that is slow to
// send its head, or keeps an idle connection, holds no worker thread. Only
// complete, well-formed requests reach the handler, on a few worker threads.
//
// Limits: each head must be complete within read_header_timeout of the
// connection's start (TLS handshake included) or of its first byte after a
// keep-alive wait; at most HeadReader's 16 KiB and 100 fields, never more
// buffered; at most max_connections open. When the limit is reached a new
// connection evicts, in this order, the oldest connection still sending its
// head, the oldest one still receiving a response, the longest-idle one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <openssl/types.h>

#include "http/rejections.h"
#include "http/request.h"
#include "http/response.h"

namespace pgconn::http {

struct FrontLimits {
  size_t max_connections = 64;
  std::chrono::milliseconds read_header_timeout{5000};
};

class Front {
 public:
  using Handler = std::function<Response(const Request&)>;
  static constexpr int kWorkers = 4;
  // A kept-alive connection may wait this long for its next request
  // (Prometheus scrapes every 15 s to 1 min on one connection).
  static constexpr std::chrono::seconds kIdleTimeout{120};
  // A response must be taken by the client within this.
  static constexpr std::chrono::seconds kWriteTimeout{30};
  // After a final response the socket is read and discarded this long, so
  // the client sees the response before the close (no reset).
  static constexpr std::chrono::seconds kLingerTimeout{2};

  // `tls` null: plain HTTP. Both must outlive the front.
  Front(Handler handler, Rejections& rejections, SSL_CTX* tls, FrontLimits limits);
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Binds and listens; false with a reason.
  bool listen(const std::string& host, int port, std::string* error);
  void run();   // the event loop; returns after stop()
  void stop();  // from any thread
  void set_limits(FrontLimits limits);

 private:
  struct Connection;
  struct Job {
    uint64_t id;
    Request request;
  };
  struct Done {
    uint64_t id;
    Framing framing;
    Response response;
    std::string path;
  };
  using Clock = std::chrono::steady_clock;

  void accept_ready(Clock::time_point now);
  bool evict_one();
  void on_event(Connection& c, uint32_t events, Clock::time_point now);
  void step_handshake(Connection& c, Clock::time_point now);
  void read_head(Connection& c, Clock::time_point now);
  void dispatch(Connection& c, Clock::time_point now);
  void refuse(Connection& c, int status, const char* reason, const char* message, Clock::time_point now);
  void start_response(Connection& c, Done done, Clock::time_point now);
  void write_more(Connection& c, Clock::time_point now);
  void finish_response(Connection& c, Clock::time_point now);
  void linger(Connection& c, Clock::time_point now);
  void drain(Connection& c);
  void sweep(Clock::time_point now);
  void take_done(Clock::time_point now);
  void watch(Connection& c, uint32_t events);
  void close(uint64_t id);
  void worker();

  Handler handler_;
  Rejections& rejections_;
  SSL_CTX* tls_;
  std::atomic<size_t> max_connections_;
  std::atomic<int64_t> header_timeout_ms_;

  int listener_ = -1;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd: stop() and finished jobs
  bool accepting_ = true;
  Clock::time_point resume_accepting_{};
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  uint64_t next_id_ = 16;  // ids below are the listener's and the wake-up's
  size_t counted_ = 0;     // open connections held against max_connections
  size_t lingering_ = 0;

  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<Job> jobs_;
  std::vector<Done> done_;
  std::vector<std::thread> workers_;
};

}  // namespace pgconn::http
