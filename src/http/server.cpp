#include "http/server.h"

#include <openssl/ssl.h>

#include <chrono>
#include <thread>

#include "app/app.h"
#include "config/listen_address.h"
#include "log/log.h"
#include "web/tls.h"

namespace pgconn::http {
namespace {

FrontLimits limits_of(const config::Config& config) {
  return FrontLimits{static_cast<size_t>(config.max_connections), config.read_header_timeout};
}

}  // namespace

Server::Server(app::App& app) : app_(app), ssl_context_(nullptr, &SSL_CTX_free), routes_(app, rejections_) {
  std::shared_ptr<const config::Config> config = app_.view().config;
  tls_settings_ = config->tls;
  listen_address_ = config->listen_address;
  routes_.set_users(config->basic_auth_users);
  if (!config->basic_auth_users.empty() && !tls_settings_) {
    log::warn("basic auth without [web.tls]: passwords cross the network in clear text");
  }
  app_.on_reload([this](const config::Config& fresh) { reload(fresh); });
}

Server::~Server() { app_.on_reload(nullptr); }

bool Server::bind(const std::string& listen_address, std::string* error) {
  if (tls_settings_) {
    tls_ = std::make_unique<web::TlsCredentials>();
    ssl_context_.reset(SSL_CTX_new(TLS_server_method()));
    if (!ssl_context_ || !tls_->configure(*ssl_context_, tls_settings_->min_version)) {
      *error = "cannot set up TLS: " + tls_settings_->min_version + " with this OpenSSL";
      return false;
    }
    // Partial writes and a moving buffer suit the non-blocking front; idle
    // connections give their TLS buffers back.
    SSL_CTX_set_mode(ssl_context_.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    if (!tls_->load(tls_settings_->cert_file, tls_settings_->key_file, error)) return false;
    log::info("serving HTTPS", {{"cert_file", tls_settings_->cert_file}, {"min_version", tls_settings_->min_version}});
  }
  std::string reason;
  auto address = config::parse_listen_address(listen_address, &reason);
  if (!address) {
    *error = "listen address " + listen_address + ": " + reason;
    return false;
  }
  front_ = std::make_unique<Front>([this](const Request& request) { return routes_.handle(request); }, rejections_,
                                   ssl_context_.get(), limits_of(*app_.view().config));
  return front_->listen(address->host, address->port, error);
}

void Server::serve() {
  serving_ = true;
  std::thread preparer([this] { prepare_until_stopped(); });
  front_->run();
  serving_ = false;
  preparer.join();
}

// Polls publish one target at a time, many of them within a moment when
// their intervals align: after the first, wait a little so that one pass
// compresses the burst.
void Server::prepare_until_stopped() {
  uint64_t seen = app_.wait_for_publication(0, std::chrono::milliseconds(0));
  while (serving_) {
    uint64_t now = app_.wait_for_publication(seen, std::chrono::milliseconds(200));
    if (now == seen) continue;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = app_.wait_for_publication(now, std::chrono::milliseconds(0));
    routes_.prepare_gzip();
  }
}
void Server::stop() { front_->stop(); }

void Server::reload(const config::Config& config) {
  if (front_) front_->set_limits(limits_of(config));
  routes_.set_users(config.basic_auth_users);
  if (config.listen_address != listen_address_) {
    log::warn("web.listen_address changed: the new address needs a restart", {{"listening_on", listen_address_}});
  }
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

}  // namespace pgconn::http
