// Raw HTTP over loopback for tests of the exporter's front: exact bytes in,
// exact bytes out, with TLS when asked; and the hostile clients the front
// must survive (slow heads, header floods), bounded in count and time.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pgtest {

// One connection to 127.0.0.1:port, plain or TLS (no certificate check:
// these tests are about the bytes, not the identity).
class RawConnection {
 public:
  RawConnection(int port, bool tls);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool ok() const { return ok_; }
  // False once the peer closed or reset the connection.
  bool send(const std::string& bytes);
  // Reads until the peer closes, `bytes` have arrived, or timeout_ms pass.
  std::string receive(int timeout_ms, size_t bytes = SIZE_MAX);
  // True when the peer closes within timeout_ms (reading and dropping data).
  bool closed_within(int timeout_ms);

 private:
  int fd_ = -1;
  struct Tls;
  std::unique_ptr<Tls> tls_;
  bool ok_ = false;
};

struct RawResponse {
  std::string status_line;
  std::map<std::string, std::string> fields;  // names in lower case
  std::string body;
};

// Splits a byte stream into responses framed by Content-Length; a response
// without one takes the rest.
std::vector<RawResponse> parse_responses(const std::string& bytes);

// VmRSS of a process in KiB.
long resident_kib(pid_t pid);

// Clients that start a request head and then send one more byte every
// `interval`, never finishing it; each reconnects when the server drops it.
// With `tls`, half of them also trickle their TLS handshake. Runs until
// destroyed (or for at most 10 minutes).
class SlowClients {
 public:
  SlowClients(int port, int count, std::chrono::milliseconds interval, bool tls);
  ~SlowClients();
  int connects() const { return connects_; }

 private:
  void run(int port, int count, std::chrono::milliseconds interval, bool tls);
  std::atomic<bool> stop_{false};
  std::atomic<int> connects_{0};
  std::thread thread_;
};

}  // namespace pgtest
