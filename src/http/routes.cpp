#include "http/routes.h"

#include "app/app.h"
#include "model/clock.h"
#include "http/gzip.h"
#include "http/probe.h"
#include "http/runbook.h"
#include "render/health.h"
#include "render/markdown.h"
#include "render/metrics.h"

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

Response Routes::metrics(const Request& request) {
  app::App::View view = app_.view();
  view.info.http_rejections = rejections_.counts();
  std::vector<render::TargetSource> targets;
  for (const auto& published : view.targets) targets.push_back(source(app_, published));
  return metrics_response(
      cache_.metrics(render::exporter_metrics(view.info), targets, model::unix_now(), encoding_for(request)));
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
  return metrics_response(cache_.probe(source(app_, view.targets[found.index]), model::unix_now(), encoding_for(request)));
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
