#include "http/server.h"

#include <httplib.h>

#include "app.h"
#include "clock.h"
#include "http/connection_queue.h"
#include "http/probe.h"
#include "log/log.h"
#include "render/families.h"
#include "render/health.h"
#include "render/metrics.h"
#include "render/metrics_text.h"
#include "format.h"
#include "web/tls.h"

namespace pgconn {
namespace {

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kJsonType = "application/json";
constexpr int kWorkerThreads = 16;
constexpr int kListenBacklog = 512;
constexpr size_t kWriteBlockBytes = 64 * 1024;

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

std::shared_ptr<const render::MetricsText> render_all(const App& app) {
  App::View view = app.view();
  // Each target's text is serialized once per snapshot, not per scrape; the
  // exporter's own families and the pools' are live (render/metrics_text.h).
  static render::MetricsTextCache cache;
  return cache.render(render::exporter_metrics(view.info), view.config, view.targets, unix_now(),
                      view.config->max_applications, app.pool_families());
}


}  // namespace

HttpServer::HttpServer(App& app) : app_(app) {
  std::shared_ptr<const config::Config> config = app_.view().config;
  tls_settings_ = config->tls;
  connection_limit_ = static_cast<size_t>(config->max_connections);
  guard_.set_users(config->basic_auth_users);
  if (tls_settings_) {
    tls_ = std::make_unique<web::TlsCredentials>();
    server_ = std::make_unique<httplib::SSLServer>(
        [this](SSL_CTX& ctx) { return tls_->configure(ctx, tls_settings_->min_version); });
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  if (!config->basic_auth_users.empty() && !tls_settings_) {
    log::warn("basic auth without [web.tls]: passwords cross the network in clear text");
  }
  // Debian's compiled cpp-httplib listens with a backlog of 5, which drops
  // connections under a burst of concurrent scrapes. Remember the listening
  // socket here so bind() can raise the backlog afterwards.
  server_->set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  server_->new_task_queue = [this] { return new ConnectionQueue(kWorkerThreads, connection_limit_); };
  // Headers and body go out in separate writes: without TCP_NODELAY the body
  // waits for the client's delayed ACK (40 ms per keep-alive scrape).
  server_->set_tcp_nodelay(true);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_payload_max_length(64 * 1024);
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (guard_.admit(req, res, over_connection_limit())) return httplib::Server::HandlerResponse::Unhandled;
    log::debug("request rejected", {{"status", std::to_string(res.status)}, {"method", req.method},
                                    {"path", printable(std::string_view(req.path).substr(0, 200))}, {"remote", req.remote_addr}});
    return httplib::Server::HandlerResponse::Handled;
  });

  // Streamed in blocks straight from the cached text (chunked, gzip when
  // asked): with 100 targets the body is megabytes, and building it into one
  // string, then copying that into the response, cost more than sending it.
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(kMetricsType, [text = render_all(app_)](size_t, httplib::DataSink& sink) {
      char buffer[kWriteBlockBytes];
      if (!text->write_blocks(sink.write, buffer, sizeof buffer)) return false;
      sink.done();
      return true;
    });
  });
  server_->Get("/probe", [this](const httplib::Request& req, httplib::Response& res) {
    App::View view = app_.view();
    std::vector<std::string> names;
    for (const auto& t : view.targets) names.push_back(t.target->name);
    ProbeTarget found = find_probe_target(req.params, names);
    if (found.status != 200) {
      res.status = found.status;
      res.set_content(found.message, "text/plain");
      return;
    }
    std::vector<render::TargetView> selected{view.targets[found.index]};
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
  app_.on_reload([this](const config::Config& fresh) { reload(fresh); });
}

HttpServer::~HttpServer() { app_.on_reload(nullptr); }

void HttpServer::reload(const config::Config& config) {
  connection_limit_ = static_cast<size_t>(config.max_connections);
  guard_.set_users(config.basic_auth_users);
  if (config.tls.has_value() != tls_settings_.has_value()) {
    log::warn("[web.tls] was added or removed: restart the exporter to switch between HTTP and HTTPS");
    return;
  }
  if (!tls_) return;
  if (config.tls->min_version != tls_settings_->min_version) {
    log::warn("web.tls.min_version changes apply after a restart");
  }
  std::string error;
  if (tls_->load(config.tls->cert_file, config.tls->key_file, &error)) {
    log::info("TLS certificate reloaded", {{"cert_file", config.tls->cert_file}});
  } else {
    log::error("TLS certificate reload failed; serving the previous certificate", {{"error", error}});
  }
}

bool HttpServer::bind(const std::string& listen_address, std::string* error) {
  if (tls_) {
    if (!server_->is_valid()) {
      *error = "cannot set up TLS: " + tls_settings_->min_version + " with this OpenSSL";
      return false;
    }
    if (!tls_->load(tls_settings_->cert_file, tls_settings_->key_file, error)) return false;
    log::info("serving HTTPS", {{"cert_file", tls_settings_->cert_file}, {"min_version", tls_settings_->min_version}});
  }
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
