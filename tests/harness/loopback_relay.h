// Makes a server see a client from another loopback address. libpq cannot
// choose its source address, so a test connects to the relay, which forwards
// every connection to 127.0.0.1:target_port from a socket bound to `source`
// (127.0.0.2, 127.0.0.3, ...). PostgreSQL and PgBouncer then report `source`
// as the client's address.
#pragma once

#include <string>
#include <thread>

namespace pgtest {

class LoopbackRelay {
 public:
  LoopbackRelay(int target_port, std::string source);
  ~LoopbackRelay();  // closes every relayed connection
  LoopbackRelay(const LoopbackRelay&) = delete;
  LoopbackRelay& operator=(const LoopbackRelay&) = delete;

  int port() const { return port_; }
  const std::string& source() const { return source_; }
  // key=value conninfo for a libpq client going through the relay.
  std::string conninfo(const std::string& user = "postgres", const std::string& database = "postgres") const;

 private:
  void run();

  int target_port_;
  std::string source_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes run() to finish
  int port_ = 0;
  std::thread thread_;
};

}  // namespace pgtest
