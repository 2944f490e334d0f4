#include "pool/pool.h"

#include <prometheus/collectable.h>

#include <numeric>
#include <utility>

#include "pool/core.h"
#include "pool/metrics.h"

namespace pgconn::pool {
namespace {

// Holds the core weakly: a registry may keep collectables longer than the
// service keeps its pool, and must not keep its connections alive.
class PoolCollector : public prometheus::Collectable {
 public:
  explicit PoolCollector(std::weak_ptr<const detail::PoolCore> core) : core_(std::move(core)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    auto core = core_.lock();
    if (!core) return {};
    std::vector<prometheus::ClientMetric::Label> labels{{"pool", core->options().name}};
    for (const auto& [name, value] : core->options().metric_labels) labels.push_back({name, value});
    return to_metric_families(core->snapshot(), labels);
  }

 private:
  std::weak_ptr<const detail::PoolCore> core_;
};

}  // namespace

const char* to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::overflow: return "overflow";
    case CloseReason::recycle: return "recycle";
    case CloseReason::invalidated: return "invalidated";
    case CloseReason::broken: return "broken";
    case CloseReason::pre_ping_failed: return "pre_ping_failed";
    case CloseReason::reset_failed: return "reset_failed";
    case CloseReason::shutdown: return "shutdown";
  }
  return "unknown";
}

std::uint64_t PoolStats::closed_total() const {
  return std::accumulate(connections_closed.begin(), connections_closed.end(), std::uint64_t{0});
}

PoolTimeout::PoolTimeout(const std::string& pool, std::chrono::milliseconds waited,
                         std::size_t size, std::size_t max, std::size_t in_use, std::size_t idle,
                         std::size_t opening, std::size_t waiting)
    : PoolError("pool '" + pool + "': no connection within " + std::to_string(waited.count()) +
                " ms (size " + std::to_string(size) + "/" + std::to_string(max) + ", in use " +
                std::to_string(in_use) + ", idle " + std::to_string(idle) + ", opening " +
                std::to_string(opening) + ", waiting " + std::to_string(waiting) + ")"),
      size_(size),
      max_(max),
      in_use_(in_use),
      idle_(idle),
      opening_(opening),
      waiting_(waiting) {}

PooledConnection::PooledConnection(std::shared_ptr<detail::PoolCore> core, detail::Slot* slot)
    : core_(std::move(core)), slot_(slot) {}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : core_(std::move(other.core_)), slot_(std::exchange(other.slot_, nullptr)) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    give_back(false);
    core_ = std::move(other.core_);
    slot_ = std::exchange(other.slot_, nullptr);
  }
  return *this;
}

PooledConnection::~PooledConnection() { give_back(false); }

pqxx::connection_base& PooledConnection::operator*() const { return *operator->(); }

pqxx::connection_base* PooledConnection::operator->() const {
  if (slot_ == nullptr) throw std::logic_error("pgconn::pool: this handle holds no connection");
  return slot_->conn.get();
}

const std::string& PooledConnection::tag() const {
  if (slot_ == nullptr) throw std::logic_error("pgconn::pool: this handle holds no connection");
  return slot_->tag;
}

void PooledConnection::release() { give_back(false); }

void PooledConnection::invalidate() { give_back(true); }

void PooledConnection::give_back(bool broken) noexcept {
  if (slot_ == nullptr) return;
  // Empty the handle first so nothing can reach the connection afterwards.
  detail::Slot* slot = std::exchange(slot_, nullptr);
  std::shared_ptr<detail::PoolCore> core = std::move(core_);
  core->release(slot, broken);
}

Pool::Pool(PoolOptions options) : Pool(std::move(options), detail::make_libpq_ops()) {}

Pool::Pool(PoolOptions options, std::unique_ptr<detail::ConnectionOps> ops) {
  if (!ops) throw std::invalid_argument("pgconn::pool: ConnectionOps must not be null");
  core_ = std::make_shared<detail::PoolCore>(std::move(options), std::move(ops));
}

Pool::~Pool() { core_->close(); }

PooledConnection Pool::acquire(const std::string& tag) {
  // A local reference keeps the core alive if the Pool is destroyed while
  // this call waits (it then throws PoolError instead of touching freed state).
  std::shared_ptr<detail::PoolCore> core = core_;
  detail::Slot* slot = core->acquire(tag);
  return PooledConnection(std::move(core), slot);
}

PoolStats Pool::snapshot() const { return core_->snapshot(); }

std::shared_ptr<prometheus::Collectable> Pool::collectable() const {
  return std::make_shared<PoolCollector>(core_);
}

const PoolOptions& Pool::options() const { return core_->options(); }

}  // namespace pgconn::pool
