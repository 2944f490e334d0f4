// A cap on open HTTP connections. cpp-httplib 0.11 accepts every connection
// and hands it to a TaskQueue; it offers no way to refuse one before reading
// its request. This queue counts connections that are open (being served,
// idle in keep-alive, or waiting for a worker) and marks those accepted
// beyond the limit, so the request guard answers them 503 and closes them
// instead of serving them.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>

namespace pgconn {

class ConnectionQueue : public httplib::TaskQueue {
 public:
  // `limit` is read at each accept, so a reload can change it.
  ConnectionQueue(size_t workers, const std::atomic<size_t>& limit);
  void enqueue(std::function<void()> connection) override;
  void shutdown() override;

 private:
  httplib::ThreadPool pool_;
  const std::atomic<size_t>& limit_;
  std::atomic<size_t> open_{0};
};

// True while this thread serves a connection accepted over the limit.
bool over_connection_limit();

}  // namespace pgconn
