// The real exporter's HTTP front under hostile clients, over loopback: slow
// heads, header floods, HTTP/1.0, pipelining, ambiguous framing, shutdown
// with connections open, and the rejection counter. Bounded in count and time.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "exporter_process.h"
#include "pg_server.h"
#include "raw_http.h"
#include "certificates.h"

using namespace pgtest;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kDeadTarget = "[[targets]]\nname = \"main\"\ndsn = \"postgresql://monitor@127.0.0.1:1/postgres\"\n";

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One scrape on a fresh connection, as Prometheus or curl --max-time 2 would.
int scrape(int port, bool tls, double* seconds) {
  auto start = Clock::now();
  std::string base = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port);
  httplib::Client client(base);
  client.enable_server_certificate_verification(false);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(2, 0);
  client.set_write_timeout(2, 0);
  auto res = client.Get("/metrics");
  *seconds = seconds_since(start);
  return res ? res->status : 0;
}

// 20 scrapes, one every 0.5 s, while 64 slow clients trickle their heads for
// 30 s in all: every scrape must be answered within 2 s.
void scrapes_survive_slow_heads(int port, bool tls) {
  auto start = Clock::now();
  SlowClients slow(port, 64, std::chrono::milliseconds(2000), tls);
  // Past the first head deadline (5 s), so the clients' reconnects are part of it.
  std::this_thread::sleep_for(std::chrono::seconds(7));
  for (int i = 0; i < 20; ++i) {
    auto next = Clock::now() + std::chrono::milliseconds(500);
    double seconds = 0;
    EXPECT_EQ(scrape(port, tls, &seconds), 200) << "scrape " << i;
    EXPECT_LT(seconds, 2.0) << "scrape " << i;
    std::this_thread::sleep_until(next);
  }
  while (seconds_since(start) < 30) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The head deadline dropped them: each slot reconnected several times.
  EXPECT_GT(slow.connects(), 64 * 3);
}

// Four parallel connections each sending up to 100 MB of 8 KiB header
// lines: each is answered 431 or closed; the exporter's peak RSS stays
// within 32 MiB of its RSS before.
void floods_are_bounded(int port, pid_t pid, bool tls) {
  long before = resident_kib(pid);
  auto flood = [port, tls] {
    RawConnection c(port, tls);
    if (!c.ok()) return std::string("no connection");
    const std::string line = "X-Flood: " + std::string(8190, 'f') + "\r\n";
    size_t sent = 0;
    if (c.send("GET /metrics HTTP/1.1\r\nHost: flood\r\n")) {
      while (sent < 100u * 1024 * 1024 && c.send(line)) sent += line.size();
    }
    std::string answer = c.receive(2000);
    return answer.empty() ? std::string("closed") : answer.substr(0, answer.find("\r\n"));
  };
  std::vector<std::future<std::string>> floods;
  for (int i = 0; i < 4; ++i) floods.push_back(std::async(std::launch::async, flood));
  for (auto& f : floods) {
    std::string outcome = f.get();
    EXPECT_TRUE(outcome == "HTTP/1.1 431 Request Header Fields Too Large" || outcome == "closed") << outcome;
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  long peak = -1;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) peak = std::stol(line.substr(6));
  }
  EXPECT_LT(peak - before, 32 * 1024) << "RSS before " << before << " KiB, peak " << peak << " KiB";
  double seconds = 0;
  EXPECT_EQ(scrape(port, tls, &seconds), 200);
}

std::string without_date(const std::string& response) {
  size_t date = response.find("\r\nDate: ");
  if (date == std::string::npos) return response;
  return response.substr(0, date) + response.substr(response.find("\r\n", date + 2));
}

std::string exchange(int port, const std::string& request) {
  RawConnection c(port, false);
  c.send(request);
  return c.receive(3000);
}

}  // namespace

TEST(HttpFront, SlowHeadsCannotSilenceTheScrape) {
  ExporterProcess exporter(kDeadTarget);
  scrapes_survive_slow_heads(exporter.port(), false);
  EXPECT_GT(*exporter.metric("pgconn_http_rejected_requests_total", {{"reason", "header_timeout"}}), 64);
}

TEST(HttpFront, SlowTlsHandshakesAndHeadsCannotSilenceTheScrape) {
  TempDir certs;
  make_certificate(certs, "server");
  ExporterProcess exporter("[web.tls]\ncert_file = \"" + certs.file("server.crt") + "\"\nkey_file = \"" +
                          certs.file("server.key") + "\"\n" + kDeadTarget, when_accepting());
  scrapes_survive_slow_heads(exporter.port(), true);
}

TEST(HttpFront, HeaderFloodsGet431AndMemoryStaysBounded) {
  ExporterProcess exporter(kDeadTarget);
  floods_are_bounded(exporter.port(), exporter.pid(), false);
  EXPECT_GE(*exporter.metric("pgconn_http_rejected_requests_total", {{"reason", "header_too_large"}}), 4);
}

TEST(HttpFront, TlsHeaderFloodsGet431AndMemoryStaysBounded) {
  TempDir certs;
  make_certificate(certs, "server");
  ExporterProcess exporter("[web.tls]\ncert_file = \"" + certs.file("server.crt") + "\"\nkey_file = \"" +
                          certs.file("server.key") + "\"\n" + kDeadTarget, when_accepting());
  floods_are_bounded(exporter.port(), exporter.pid(), true);
}

TEST(HttpFront, Http10GetsContentLengthAndTheConnectionCloses) {
  ExporterProcess exporter(kDeadTarget);
  RawConnection c(exporter.port(), false);
  c.send("GET /metrics HTTP/1.0\r\n\r\n");
  auto start = Clock::now();
  std::string bytes = c.receive(3000);
  EXPECT_LT(seconds_since(start), 1.0) << "the server must close right after the body";
  auto responses = parse_responses(bytes);
  ASSERT_EQ(responses.size(), 1u) << bytes;
  const RawResponse& r = responses[0];
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r.fields.count("transfer-encoding"), 0u);
  EXPECT_EQ(r.fields.at("connection"), "close");
  EXPECT_EQ(std::stoul(r.fields.at("content-length")), r.body.size());
  EXPECT_NE(r.body.find("pgconn_up{target=\"main\"} 0\n"), std::string::npos);
  EXPECT_EQ(bytes.size(), bytes.find("\r\n\r\n") + 4 + r.body.size());  // nothing after the body

  // HTTP/1.0 with keep-alive asked for: kept open, and a second request works.
  RawConnection kept(exporter.port(), false);
  kept.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  std::string first = kept.receive(3000, 1);
  first += kept.receive(300);
  auto one = parse_responses(first);
  ASSERT_EQ(one.size(), 1u) << first;
  EXPECT_EQ(one[0].fields.at("connection"), "keep-alive");
  kept.send("GET /health/db HTTP/1.0\r\n\r\n");
  auto two = parse_responses(kept.receive(3000));
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].status_line, "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(two[0].fields.at("connection"), "close");
}

TEST(HttpFront, PipelinedRequestsAreAnsweredInOrder) {
  ExporterProcess exporter(kDeadTarget);
  std::string bytes = exchange(exporter.port(),
                               "GET /health/db HTTP/1.1\r\nHost: x\r\n\r\n"
                               "GET /probe?target=nope HTTP/1.1\r\nHost: x\r\n\r\n"
                               "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                               "GET /probe?target=main HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  // HEAD has no body: split it off by hand before parsing the rest.
  auto responses = parse_responses(bytes);
  ASSERT_GE(responses.size(), 3u) << bytes;
  EXPECT_EQ(responses[0].status_line, "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(responses[0].body.find("\"status\":\"unavailable\""), std::string::npos);
  EXPECT_EQ(responses[1].status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(responses[1].body, "unknown target: only names from the configuration are accepted\n");
  EXPECT_EQ(responses[2].status_line, "HTTP/1.1 200 OK");
  size_t head_length = std::stoul(responses[2].fields.at("content-length"));
  EXPECT_GT(head_length, 1000u);
  // The HEAD response's "body" parsed above is the next response.
  EXPECT_EQ(responses[2].body.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << responses[2].body.substr(0, 200);
  auto last = parse_responses(bytes.substr(bytes.rfind("HTTP/1.1 200 OK\r\n")));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].fields.at("connection"), "close");
  EXPECT_NE(last[0].body.find("pgconn_up{target=\"main\"} 0\n"), std::string::npos);
  EXPECT_EQ(std::count(bytes.begin(), bytes.end(), '\0'), 0);
}

TEST(HttpFront, AmbiguousFramingIs400AndCloses) {
  ExporterProcess exporter(kDeadTarget);
  EXPECT_EQ(without_date(exchange(exporter.port(),
                                  "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 30\r\n\r\n")),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 55\r\n"
            "Connection: close\r\n\r\nContent-Length must appear at most once, as one number\n");
  EXPECT_EQ(without_date(exchange(exporter.port(),
                                  "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\nabc")),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 46\r\n"
            "Connection: close\r\n\r\nContent-Length and Transfer-Encoding together\n");
  // A request smuggled after a refused one is never answered.
  std::string smuggled = exchange(exporter.port(),
                                  "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\n"
                                  "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(parse_responses(smuggled).size(), 1u) << smuggled;
}

TEST(HttpFront, ProbeTargetMissingEmptyOrRepeatedIs400SayingWhy) {
  ExporterProcess exporter(kDeadTarget);
  auto body_of = [&](const std::string& query) {
    auto r = parse_responses(exchange(exporter.port(), "GET /probe" + query + " HTTP/1.1\r\nHost: x\r\n"
                                                       "Connection: close\r\n\r\n"));
    return r.empty() ? std::string() : r[0].status_line + "\n" + r[0].body;
  };
  EXPECT_EQ(body_of(""), "HTTP/1.1 400 Bad Request\n"
                         "missing parameter: target=NAME (a target name from the configuration)\n");
  EXPECT_EQ(body_of("?target="), "HTTP/1.1 400 Bad Request\n"
                                 "the target parameter is empty: give target=NAME (a target name from the "
                                 "configuration)\n");
  EXPECT_EQ(body_of("?target=main&target=main"),
            "HTTP/1.1 400 Bad Request\nthe target parameter is repeated: give exactly one target=NAME\n");
  EXPECT_EQ(body_of("?target=main").rfind("HTTP/1.1 200 OK\n", 0), 0u);
}

TEST(HttpFront, RejectionsAreCountedFromZeroAndLoggedOncePerMinute) {
  ExporterProcess exporter(kDeadTarget);
  for (const char* reason : {"bad_request", "header_timeout", "header_too_large", "method", "over_capacity",
                             "tls_handshake", "unauthorized", "write_timeout"}) {
    EXPECT_EQ(exporter.metric("pgconn_http_rejected_requests_total", {{"reason", reason}}), 0) << reason;
  }
  for (int i = 0; i < 200; ++i) exchange(exporter.port(), "GET / HTTP/1.1\r\n\r\n");  // no Host
  for (int i = 0; i < 3; ++i) exchange(exporter.port(), "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
  exchange(exporter.port(), "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(17000, 'a') + "\r\n\r\n");
  EXPECT_EQ(exporter.metric("pgconn_http_rejected_requests_total", {{"reason", "bad_request"}}), 200);
  EXPECT_EQ(exporter.metric("pgconn_http_rejected_requests_total", {{"reason", "method"}}), 3);
  EXPECT_EQ(exporter.metric("pgconn_http_rejected_requests_total", {{"reason", "header_too_large"}}), 1);
  std::string logs = exporter.logs();
  size_t lines = 0;
  for (size_t pos = 0; (pos = logs.find("reason=bad_request", pos)) != std::string::npos; ++pos) ++lines;
  EXPECT_EQ(lines, 1u) << logs;
  EXPECT_NE(logs.find("msg=\"request rejected\" status=405 reason=method"), std::string::npos) << logs;
}

TEST(HttpFront, AtTheConnectionCapTheSlowestHeadIsDropped) {
  ExporterProcess exporter("[web]\nmax_connections = 4\n" + kDeadTarget);
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 4; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(exporter.port(), false));
    stalled.back()->send("GET /metrics HTTP/1.1\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double seconds = 0;
  EXPECT_EQ(scrape(exporter.port(), false, &seconds), 200);
  EXPECT_TRUE(stalled[0]->closed_within(1000)) << "the oldest stalled head goes first";
  EXPECT_FALSE(stalled[3]->closed_within(0));
  EXPECT_GE(*exporter.metric("pgconn_http_rejected_requests_total", {{"reason", "over_capacity"}}), 1);
}

TEST(HttpFront, ConnectionChurnAndIdleKeepAliveCannotSilenceTheScrape) {
  ExporterProcess exporter(kDeadTarget);
  const int port = exporter.port();
  // Two threads opening and closing connections as fast as they can (half of
  // them after a request, with a reset): every queued connection is already
  // gone when the exporter accepts it.
  std::atomic<bool> stop{false};
  std::atomic<long> churned{0};
  auto churn = [&](bool reset) {
    for (long i = 0; !stop && i < 2'000'000; ++i) {
      int fd = connect_loopback(port);
      if (fd < 0) continue;
      if (reset) {
        const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        linger hard{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      }
      ::close(fd);
      ++churned;
    }
  };
  std::thread a(churn, false), b(churn, true);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int i = 0; i < 12; ++i) {
    auto next = Clock::now() + std::chrono::milliseconds(500);
    double seconds = 0;
    EXPECT_EQ(scrape(port, false, &seconds), 200) << "scrape " << i << " during churn";
    std::this_thread::sleep_until(next);
  }
  stop = true;
  a.join();
  b.join();
  EXPECT_GT(churned.load(), 1000);

  // 70 well-behaved keep-alive clients against a cap of 64: the longest idle
  // makes room for the scrape.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 70; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port, false));
    idle.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    idle.back()->receive(500, 1);
  }
  for (int i = 0; i < 10; ++i) {
    double seconds = 0;
    EXPECT_EQ(scrape(port, false, &seconds), 200) << "scrape " << i << " among idle keep-alive";
  }
}

TEST(HttpFront, SigtermExitsWithin2sWithConnectionsOpenAndClosesEveryBackend) {
  PgServer server;
  std::string targets = "[[targets]]\nname = \"main\"\ndsn = \"" + server.url() + "\"\n";
  // Dead targets make /metrics large enough that a client that does not read
  // leaves its response half sent.
  for (int i = 0; i < 40; ++i) {
    targets += "[[targets]]\nname = \"dead" + std::to_string(i) + "\"\ndsn = \"postgresql://x@127.0.0.1:1/x\"\n";
  }
  ExporterProcess exporter("[poll]\ninterval = \"500ms\"\ntimeout = \"400ms\"\n" + targets);
  ASSERT_TRUE(exporter.wait_for("pgconn_up", {{"target", "main"}}, is_one, 10000)) << exporter.logs();
  SlowClients slow(exporter.port(), 54, std::chrono::milliseconds(2000), false);
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 10; ++i) {
    idle.push_back(std::make_unique<RawConnection>(exporter.port(), false));
    idle.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_FALSE(idle.back()->receive(2000, 1).empty());
  }
  RawConnection unread(exporter.port(), false);
  unread.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  auto start = Clock::now();
  exporter.signal(SIGTERM);
  EXPECT_EQ(exporter.wait_exit(2000), 0) << exporter.logs();
  EXPECT_LT(seconds_since(start), 2.0);
  // A backend leaves pg_stat_activity a moment after its client closed.
  std::string left;
  for (int i = 0; i < 20; ++i) {
    left = server.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgconn_exporter%'");
    if (left == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(left, "0");
}
