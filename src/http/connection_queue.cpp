#include "http/connection_queue.h"

namespace pgconn {
namespace {

thread_local bool t_over_limit = false;

}  // namespace

ConnectionQueue::ConnectionQueue(size_t workers, const std::atomic<size_t>& limit) : pool_(workers), limit_(limit) {}

void ConnectionQueue::enqueue(std::function<void()> connection) {
  bool over = open_.fetch_add(1) >= limit_.load();
  // The connection must still run: only httplib's job knows its socket, and
  // running it is what closes it.
  pool_.enqueue([this, over, connection = std::move(connection)] {
    t_over_limit = over;
    connection();
    t_over_limit = false;
    open_.fetch_sub(1);
  });
}

void ConnectionQueue::shutdown() { pool_.shutdown(); }

bool over_connection_limit() { return t_over_limit; }

}  // namespace pgconn
