#include "render/metrics_text.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "render/families.h"

namespace pgconn::render {

// One family's part of one target: its "# HELP/# TYPE" lines and samples.
struct Part {
  std::string name;
  std::string header;
  std::string samples;  // for the age family: the sample line up to its value
  bool snapshot_age = false;
};

struct MetricsTextCache::Entry {
  const config::Target* target = nullptr;
  SnapshotPtr snapshot;
  std::vector<Part> parts;
};

struct MetricsTextCache::LiveFamily {
  prometheus::MetricFamily family;
  Part part;
};

namespace {

bool same_values(const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
  auto same_bucket = [](const auto& x, const auto& y) {
    return x.cumulative_count == y.cumulative_count && x.upper_bound == y.upper_bound;
  };
  auto same_quantile = [](const auto& x, const auto& y) { return x.quantile == y.quantile && x.value == y.value; };
  return a.label == b.label && a.counter.value == b.counter.value && a.gauge.value == b.gauge.value &&
         a.untyped.value == b.untyped.value && a.timestamp_ms == b.timestamp_ms &&
         a.histogram.sample_count == b.histogram.sample_count && a.histogram.sample_sum == b.histogram.sample_sum &&
         std::equal(a.histogram.bucket.begin(), a.histogram.bucket.end(), b.histogram.bucket.begin(),
                    b.histogram.bucket.end(), same_bucket) &&
         a.summary.sample_count == b.summary.sample_count && a.summary.sample_sum == b.summary.sample_sum &&
         std::equal(a.summary.quantile.begin(), a.summary.quantile.end(), b.summary.quantile.begin(),
                    b.summary.quantile.end(), same_quantile);
}

bool same_family(const prometheus::MetricFamily& a, const prometheus::MetricFamily& b) {
  return a.name == b.name && a.help == b.help && a.type == b.type &&
         std::equal(a.metric.begin(), a.metric.end(), b.metric.begin(), b.metric.end(), same_values);
}

// Splits one family's text into its "# ..." header lines and its samples.
Part serialize_part(const prometheus::MetricFamily& family) {
  const std::string text = serialize({family});
  size_t pos = 0;
  while (pos < text.size() && text[pos] == '#') {
    size_t eol = text.find('\n', pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
  }
  Part part;
  part.name = family.name;
  part.header.assign(text, 0, pos);
  part.samples.assign(text, pos, std::string::npos);
  return part;
}

std::shared_ptr<const MetricsTextCache::Entry> make_entry(const TargetView& view, size_t max_applications) {
  auto entry = std::make_shared<MetricsTextCache::Entry>();
  entry->target = view.target;
  entry->snapshot = view.snapshot;
  const Snapshot* s = view.snapshot.get();
  double rendered_at = s && s->last_success_unix ? *s->last_success_unix : 0;
  for (const auto& family : target_metrics({view}, rendered_at, max_applications)) {
    Part part = serialize_part(family);
    if (family.name == kSnapshotAgeFamily) {
      // One sample per target: keep "name{labels} " and format the value
      // per scrape.
      part.snapshot_age = true;
      part.samples.erase(part.samples.rfind(' ') + 1);
    }
    entry->parts.push_back(std::move(part));
  }
  return entry;
}

// The age as prometheus-cpp writes a finite double (precision
// max_digits10 - 1, i.e. %.16g), so the text matches serialize().
std::string age_sample(const Part& part, const Snapshot& s, double now_unix) {
  char value[32];
  std::snprintf(value, sizeof value, "%.16g", std::max(0.0, now_unix - *s.last_success_unix));
  return part.samples + value + "\n";
}

// Brings `cached` in line with `families`, serializing only what changed.
void refresh(const std::vector<prometheus::MetricFamily>& families, MetricsTextCache::LiveFamilies& cached) {
  cached.resize(families.size());
  for (size_t i = 0; i < families.size(); ++i) {
    if (!cached[i] || !same_family(cached[i]->family, families[i])) {
      cached[i] = std::make_shared<const MetricsTextCache::LiveFamily>(
          MetricsTextCache::LiveFamily{families[i], serialize_part(families[i])});
    }
  }
}

}  // namespace

size_t MetricsText::size() const {
  size_t total = 0;
  for (auto piece : pieces_) total += piece.size();
  return total;
}

std::string MetricsText::str() const {
  std::string text;
  text.reserve(size());
  for (auto piece : pieces_) text += piece;
  return text;
}

std::shared_ptr<const MetricsText> MetricsTextCache::render(const std::vector<prometheus::MetricFamily>& head,
                                                            std::shared_ptr<const void> config,
                                                            const std::vector<TargetView>& targets,
                                                            double now_unix, size_t max_applications,
                                                            const std::vector<prometheus::MetricFamily>& tail) {
  std::vector<std::shared_ptr<const Entry>> entries;
  LiveFamilies head_parts, tail_parts;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (config_ != config) {
      config_ = std::move(config);
      entries_.clear();
    }
    entries_.resize(targets.size());
    for (size_t i = 0; i < targets.size(); ++i) {
      auto& entry = entries_[i];
      if (!entry || entry->target != targets[i].target || entry->snapshot != targets[i].snapshot) {
        entry = make_entry(targets[i], max_applications);
      }
    }
    entries = entries_;
    refresh(head, head_);
    refresh(tail, tail_);
    head_parts = head_;
    tail_parts = tail_;
  }

  auto text = std::make_shared<MetricsText>();

  // The text format wants each family once: group the parts by name, in
  // order of first appearance, as Families::add does.
  struct Group {
    std::string_view header;
    std::vector<std::string_view> samples;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string_view, size_t> index;
  auto add = [&](const Part& part, std::string_view samples) {
    auto [it, fresh] = index.try_emplace(part.name, groups.size());
    if (fresh) groups.push_back(Group{part.header, {}});
    groups[it->second].samples.push_back(samples);
  };
  for (const auto& live : head_parts) add(live->part, live->part.samples);
  for (const auto& entry : entries) {
    for (const auto& part : entry->parts) {
      if (part.snapshot_age) {
        text->rendered_now_.push_back(age_sample(part, *entry->snapshot, now_unix));
        add(part, text->rendered_now_.back());
      } else {
        add(part, part.samples);
      }
    }
  }
  for (const auto& live : tail_parts) add(live->part, live->part.samples);

  for (const auto& g : groups) {
    text->pieces_.push_back(g.header);
    text->pieces_.insert(text->pieces_.end(), g.samples.begin(), g.samples.end());
  }
  text->keep_alive_.assign(entries.begin(), entries.end());
  text->keep_alive_.insert(text->keep_alive_.end(), head_parts.begin(), head_parts.end());
  text->keep_alive_.insert(text->keep_alive_.end(), tail_parts.begin(), tail_parts.end());
  return text;
}

}  // namespace pgconn::render
