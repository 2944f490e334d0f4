#include "http/server.h"

#include <httplib.h>

#include "app.h"
#include "clock.h"
#include "render/families.h"
#include "render/health.h"
#include "render/metrics.h"

namespace pgconn {
namespace {

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kJsonType = "application/json";
constexpr int kWorkerThreads = 16;
constexpr int kListenBacklog = 512;

constexpr const char* kLandingPage = R"html(<!doctype html>
<html><head><title>pgconn_exporter</title></head>
<body><h1>pgconn_exporter</h1>
<p>Who holds your PostgreSQL connections, and how close they are to the limit.</p>
<ul>
<li><a href="metrics">/metrics</a>: every target</li>
<li>/probe?target=NAME: one configured target</li>
<li><a href="health">/health</a>: process health and findings per target</li>
<li><a href="health/db">/health/db</a>: 200 when every target is up, else 503</li>
</ul></body></html>
)html";

std::string render_all(App::View view) {
  render::Families families;
  families.add(render::exporter_metrics(view.info));
  families.add(render::target_metrics(view.targets, unix_now(), view.config->max_applications));
  families.add(std::move(view.pool_families));  // one family per name across the targets' pools
  return render::serialize(families.take());
}

}  // namespace

HttpServer::HttpServer(App& app) : app_(app), server_(std::make_unique<httplib::Server>()) {
  // Debian's compiled cpp-httplib listens with a backlog of 5, which drops
  // connections under a burst of concurrent scrapes. Remember the listening
  // socket here so bind() can raise the backlog afterwards.
  server_->set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_payload_max_length(64 * 1024);

  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_all(app_.view()), kMetricsType);
  });
  server_->Get("/probe", [this](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("target")) {
      res.status = 400;
      res.set_content("missing parameter: target=NAME (a target name from the configuration)\n", "text/plain");
      return;
    }
    std::string name = req.get_param_value("target");
    App::View view = app_.view();
    std::vector<render::TargetView> selected;
    for (const auto& t : view.targets) {
      if (t.target->name == name) selected.push_back(t);
    }
    if (selected.empty()) {
      res.status = 404;
      res.set_content("unknown target: only names from the configuration are accepted\n", "text/plain");
      return;
    }
    res.set_content(render::serialize(render::target_metrics(selected, unix_now(), view.config->max_applications)),
                    kMetricsType);
  });
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    App::View view = app_.view();
    auto body = render::health(view.targets, unix_now(), view.config->max_applications);
    res.status = body.status;
    res.set_content(body.body, kJsonType);
  });
  server_->Get("/health/db", [this](const httplib::Request&, httplib::Response& res) {
    auto body = render::health_db(app_.view().targets, unix_now());
    res.status = body.status;
    res.set_content(body.body, kJsonType);
  });
  server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kLandingPage, "text/html; charset=utf-8");
  });
}

HttpServer::~HttpServer() = default;

bool HttpServer::bind(const std::string& listen_address, std::string* error) {
  size_t colon = listen_address.rfind(':');
  if (colon == std::string::npos) {
    *error = "listen address must be host:port, got \"" + listen_address + "\"";
    return false;
  }
  std::string host = listen_address.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = std::atoi(listen_address.c_str() + colon + 1);
  if (port <= 0 || port > 65535 || !server_->bind_to_port(host.empty() ? "0.0.0.0" : host.c_str(), port)) {
    *error = "cannot listen on " + listen_address;
    return false;
  }
  ::listen(listen_socket_, kListenBacklog);
  return true;
}

void HttpServer::serve() { server_->listen_after_bind(); }
void HttpServer::stop() { server_->stop(); }

}  // namespace pgconn
