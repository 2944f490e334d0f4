// Embedding pgconn::pool in a service: a few workers run queries through the
// pool while /metrics serves the pool's metrics in the Prometheus text format.
//
//   pool_example "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
//                [--port 9188] [--seconds N]
//
// Runs until SIGINT/SIGTERM, or for N seconds when --seconds is given.
#include <httplib.h>
#include <prometheus/text_serializer.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.h"

using namespace std::chrono_literals;

namespace {

std::atomic<bool> g_running{true};

void worker(pgconn::pool::Pool& pool, int id) {
  std::mt19937 rng(static_cast<unsigned>(id));
  std::uniform_int_distribution<int> pause_ms(10, 200);
  const std::string tag = "worker-" + std::to_string(id);
  for (int round = 1; g_running; ++round) {
    try {
      auto conn = pool.acquire(tag);
      try {
        pqxx::work tx(*conn);
        tx.exec("SELECT pg_sleep(random() * 0.05)");
        tx.commit();
        // Worker 0 sometimes sits on its connection, which shows up as a
        // suspected leak (leak_threshold is 2 s below).
        if (id == 0 && round % 20 == 0) std::this_thread::sleep_for(3s);
      } catch (const pqxx::broken_connection&) {
        conn.invalidate();  // retires every connection opened before this one
      }
    } catch (const pgconn::pool::PoolTimeout& e) {
      std::fprintf(stderr, "%s\n", e.what());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", tag.c_str(), e.what());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONNINFO [--port N] [--seconds N]\n", argv[0]);
    return 2;
  }
  int port = 9188;
  int seconds = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port") {
      port = std::stoi(argv[i + 1]);
    } else if (flag == "--seconds") {
      seconds = std::stoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  pgconn::pool::PoolOptions options;
  options.name = "example";
  options.conninfo = argv[1];
  options.pool_size = 3;
  options.max_overflow = 2;
  options.timeout = 2s;
  options.pre_ping = true;
  options.recycle = 5min;
  options.leak_threshold = 2s;
  options.metric_labels = {{"service", "pool_example"}};
  pgconn::pool::Pool pool(options);
  auto collectable = pool.collectable();

  httplib::Server server;
  server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    std::ostringstream body;
    prometheus::TextSerializer().Serialize(body, collectable->Collect());
    res.set_content(body.str(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (!server.bind_to_port("127.0.0.1", port)) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  std::thread http([&] { server.listen_after_bind(); });
  std::vector<std::thread> workers;
  for (int id = 0; id < 6; ++id) workers.emplace_back(worker, std::ref(pool), id);
  std::fprintf(stderr, "serving http://127.0.0.1:%d/metrics\n", port);

  if (seconds > 0) {
    timespec limit{seconds, 0};
    sigtimedwait(&stop_signals, nullptr, &limit);
  } else {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
  }
  g_running = false;
  for (auto& w : workers) w.join();
  server.stop();
  http.join();
  return 0;
}
