// The endpoints: each asks the App for a view and hands it to a renderer.
// Nothing here touches a database. Runs on the front's worker threads.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "http/guard.h"
#include "http/rejections.h"
#include "http/request.h"
#include "http/response.h"
#include "render/metrics_text.h"

namespace pgconn {

namespace app {
class App;
}

namespace http {

class Routes {
 public:
  Routes(app::App& app, const Rejections& rejections);
  Response handle(const Request& request);
  void set_users(const std::map<std::string, std::string>& users) { guard_.set_users(users); }
  // Compresses what the last publications made new, for the gzip bodies that
  // have been asked for before (/metrics, each /probe target), so that the
  // next such scrape finds them compressed. Called off the scrape path
  // (http/server.h).
  void prepare_gzip();

 private:
  std::shared_ptr<const render::MetricsText> metrics_text(render::Encoding encoding);
  Response metrics(const Request& request);
  Response probe(const Request& request);
  Response health();
  Response health_db();
  Response runbook() const;

  app::App& app_;
  const Rejections& rejections_;
  RequestGuard guard_;
  // Each target's text is serialized once per publication, not per scrape.
  render::MetricsTextCache cache_;
  std::atomic<bool> gzip_metrics_asked_{false};
  std::mutex gzip_probed_mutex_;
  std::set<std::string> gzip_probed_;  // targets whose /probe was asked with gzip
  // docs/runbook.md as HTML, rendered once when the routes are made.
  std::shared_ptr<const std::string> runbook_page_;
};

}  // namespace http
}  // namespace pgconn
