#include "http/routes.h"

#include <chrono>

#include "app/app.h"
#include "model/clock.h"
#include "http/gzip.h"
#include "http/probe.h"
#include "http/runbook.h"
#include "log/log.h"
#include "render/health.h"
#include "render/markdown.h"
#include "render/metrics.h"
#include "text/format.h"

namespace pgconn::http {
namespace {

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kJsonType = "application/json";

constexpr const char* kLandingPage = R"html(<!doctype html>
<html><head><title>pgconn_exporter</title></head>
<body><h1>pgconn_exporter</h1>
<p>Who holds your PostgreSQL connections, and how close they are to the limit.</p>
<ul>
<li><a href="metrics">/metrics</a>: every target</li>
<li>/probe?target=NAME: one configured target</li>
<li><a href="health">/health</a>: process health and findings per target</li>
<li><a href="health/db">/health/db</a>: 200 when every target is up, else 503</li>
<li><a href="runbook">/runbook</a>: what each alert means and how to fix it</li>
</ul></body></html>
)html";

// How the cache should encode the body for this request.
render::Encoding encoding_for(const Request& request) {
  return accepts_gzip(request) ? render::Encoding::gzip : render::Encoding::identity;
}

// The cached text, as text or as gzip members (see render/metrics_text.h).
Response metrics_response(std::shared_ptr<const render::MetricsText> text) {
  Response response;
  response.content_type = kMetricsType;
  response.fields.emplace_back("Vary", "Accept-Encoding");
  if (text->encoding() == render::Encoding::gzip) response.fields.emplace_back("Content-Encoding", "gzip");
  response.body = Body(text->pieces(), text);
  return response;
}

Response json(const render::HttpBody& body) {
  Response response = Response::text(body.status, body.body);
  response.content_type = kJsonType;
  return response;
}

}  // namespace

Routes::Routes(app::App& app, const Rejections& rejections)
    : app_(app),
      rejections_(rejections),
      runbook_page_(std::make_shared<const std::string>(
          render::markdown_page("pgconn_exporter runbook", runbook_markdown()))) {}

Response Routes::handle(const Request& request) {
  if (auto rejection = guard_.check(request)) return std::move(*rejection);
  if (request.path == "/metrics") return metrics(request);
  if (request.path == "/probe") return probe(request);
  if (request.path == "/health") return health();
  if (request.path == "/health/db") return health_db();
  if (request.path == "/runbook") return runbook();
  if (request.path == "/") {
    Response response = Response::text(200, kLandingPage);
    response.content_type = "text/html; charset=utf-8";
    return response;
  }
  return Response::text(404, "not found\n");
}

namespace {

// What the text cache takes of one target.
render::TargetSource source(const app::App& app, const model::Published& published) {
  return {published, app.pool_families(published.assessment->target.name)};
}

}  // namespace

std::shared_ptr<const render::MetricsText> Routes::metrics_text(render::Encoding encoding) {
  app::App::View view = app_.view();
  view.info.http_rejections = rejections_.counts();
  std::vector<render::TargetSource> targets;
  for (const auto& published : view.targets) targets.push_back(source(app_, published));
  return cache_.metrics(render::exporter_metrics(view.info), targets, model::unix_now(), encoding);
}

Response Routes::metrics(const Request& request) {
  render::Encoding encoding = encoding_for(request);
  if (encoding == render::Encoding::gzip) gzip_metrics_asked_ = true;
  return metrics_response(metrics_text(encoding));
}

// Builds the bodies a gzip scrape would and drops them: what they compress
// stays in the cache.
void Routes::prepare_gzip() {
  auto start = std::chrono::steady_clock::now();
  bool metrics = gzip_metrics_asked_;
  if (metrics) metrics_text(render::Encoding::gzip);
  std::set<std::string> probed;
  {
    std::lock_guard<std::mutex> lock(gzip_probed_mutex_);
    probed = gzip_probed_;
  }
  size_t probes = 0;
  for (const auto& published : app_.view().targets) {
    if (probed.count(published.assessment->target.name)) {
      cache_.probe(source(app_, published), model::unix_now(), render::Encoding::gzip);
      ++probes;
    }
  }
  if (!metrics && probes == 0) return;
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  log::debug("gzip bodies prepared", {{"metrics", metrics ? "true" : "false"},
                                      {"probe_targets", std::to_string(probes)},
                                      {"seconds", text::decimal3(took.count())}});
}

// The same cached text as /metrics, one target's families only.
Response Routes::probe(const Request& request) {
  app::App::View view = app_.view();
  std::vector<std::string> names;
  for (const auto& t : view.targets) names.push_back(t.assessment->target.name);
  ProbeTarget found = find_probe_target(request.query, names);
  if (found.status != 200) {
    Response refusal = Response::text(found.status, found.message);
    if (found.status == 400) refusal.rejected = "bad_request";
    return refusal;
  }
  const model::Published& published = view.targets[found.index];
  render::Encoding encoding = encoding_for(request);
  if (encoding == render::Encoding::gzip) {
    std::lock_guard<std::mutex> lock(gzip_probed_mutex_);
    gzip_probed_.insert(published.assessment->target.name);  // bounded: names come from the configuration
  }
  return metrics_response(cache_.probe(source(app_, published), model::unix_now(), encoding));
}

Response Routes::runbook() const {
  Response response;
  response.content_type = "text/html; charset=utf-8";
  response.body = Body({std::string_view(*runbook_page_)}, runbook_page_);
  return response;
}

Response Routes::health() { return json(render::health(app_.view().targets, model::unix_now())); }

Response Routes::health_db() { return json(render::health_db(app_.view().targets, model::unix_now())); }

}  // namespace pgconn::http
