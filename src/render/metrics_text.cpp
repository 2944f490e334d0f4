#include "render/metrics_text.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "render/families.h"
#include "render/metrics.h"
#include "text/gzip.h"

namespace pgconn::render {

// One family's part of one target: its "# HELP/# TYPE" lines and samples.
struct Part {
  std::string name;
  std::string header;
  std::string samples;  // for the age family: the sample line up to its value
  bool snapshot_age = false;
};

// What owns cached text also keeps it compressed, by run: consecutive
// pieces of one owner in a body (a target's whole text on /probe or with one
// target, one family's header and samples, ...) are compressed together,
// once, by the first gzip body that sends that run (Routes::prepare_gzip
// builds them after each poll), and reused while the owner lives. Keyed by
// the pieces' addresses, which are stable in an immutable owner. Written and
// first read under MetricsTextCache::mutex_.
struct Compressed {
  mutable std::map<std::vector<const char*>, text::Deflated> runs;
};

struct MetricsTextCache::Entry : Compressed {
  model::Published published;
  std::vector<Part> parts;
};

struct MetricsTextCache::LiveFamily : Compressed {
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

std::shared_ptr<const MetricsTextCache::Entry> make_entry(const model::Published& published) {
  auto entry = std::make_shared<MetricsTextCache::Entry>();
  entry->published = published;
  const model::Snapshot& s = *published.snapshot;
  double rendered_at = s.last_success_unix.value_or(0);
  for (const auto& family : target_metrics({published}, rendered_at)) {
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
std::string age_sample(const Part& part, const model::Snapshot& s, double now_unix) {
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
          MetricsTextCache::LiveFamily{{}, families[i], serialize_part(families[i])});
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

// Groups parts by family name, in order of first appearance, as the text
// format wants each family once (Families::add does the same).
class MetricsTextAssembly {
 public:
  explicit MetricsTextAssembly(double now_unix) : now_(now_unix), text_(std::make_shared<MetricsText>()) {}

  void add(const MetricsTextCache::LiveFamilies& live) {
    for (const auto& family : live) add(family->part, {family->part.samples, family.get()});
    text_->keep_alive_.insert(text_->keep_alive_.end(), live.begin(), live.end());
  }
  void add(const std::shared_ptr<const MetricsTextCache::Entry>& entry) {
    for (const auto& part : entry->parts) {
      if (!part.snapshot_age) {
        add(part, {part.samples, entry.get()});
        continue;
      }
      text_->rendered_now_.push_back(age_sample(part, *entry->published.snapshot, now_));
      add(part, {text_->rendered_now_.back(), nullptr});
    }
    text_->keep_alive_.push_back(entry);
  }
  // Under the cache's mutex (it fills the parts' compressed forms).
  std::shared_ptr<const MetricsText> finish(Encoding encoding) {
    std::vector<Piece> order;
    for (const auto& g : groups_) {
      order.push_back(g.header);
      order.insert(order.end(), g.samples.begin(), g.samples.end());
    }
    text_->encoding_ = encoding;
    if (encoding == Encoding::identity) {
      for (const Piece& piece : order) text_->pieces_.push_back(piece.text);
    } else {
      compress(order);
    }
    return text_;
  }

 private:
  // One piece of text and its owner (null: made for this scrape).
  struct Piece {
    std::string_view text;
    const Compressed* owner;
  };
  struct Group {
    Piece header;
    std::vector<Piece> samples;
  };
  void add(const Part& part, Piece samples) {
    auto [it, fresh] = index_.try_emplace(part.name, groups_.size());
    if (fresh) groups_.push_back(Group{{part.header, samples.owner}, {}});
    groups_[it->second].samples.push_back(samples);
  }
  // One gzip member: the header, each run of one owner's pieces compressed
  // once (now if this is its first gzip body), each run of per-scrape
  // pieces compressed now, and a trailer joining their CRCs.
  void compress(const std::vector<Piece>& order) {
    text_->pieces_.push_back(text::gzip_header());
    text::GzipTrailer trailer;
    // Reused from run to run: at 100 targets a body has ~5,000 runs.
    std::vector<std::string_view> run;
    std::vector<const char*> key;
    size_t i = 0;
    while (i < order.size()) {
      const Compressed* owner = order[i].owner;
      run.clear();
      for (; i < order.size() && order[i].owner == owner; ++i) {
        if (!order[i].text.empty()) run.push_back(order[i].text);
      }
      if (run.empty()) continue;
      if (owner == nullptr) {
        text::Deflated now = text::deflate_piece(run);
        trailer.add(now);
        text_->rendered_now_.push_back(std::move(now.data));
        text_->pieces_.push_back(text_->rendered_now_.back());
        continue;
      }
      key.clear();
      for (std::string_view piece : run) key.push_back(piece.data());
      auto found = owner->runs.find(key);
      if (found == owner->runs.end()) found = owner->runs.emplace(key, text::deflate_piece(run)).first;
      trailer.add(found->second);
      text_->pieces_.push_back(found->second.data);
    }
    text_->rendered_now_.push_back(trailer.finish());
    text_->pieces_.push_back(text_->rendered_now_.back());
  }

  double now_;
  std::shared_ptr<MetricsText> text_;
  std::vector<Group> groups_;
  std::unordered_map<std::string_view, size_t> index_;
};

MetricsTextCache::Cached& MetricsTextCache::refresh_locked(const TargetSource& source) {
  const model::Published& published = source.published;
  Cached& cached = targets_[published.assessment->target.name];
  if (!cached.entry || cached.entry->published.assessment != published.assessment ||
      cached.entry->published.snapshot != published.snapshot) {
    cached.entry = make_entry(published);
  }
  refresh(source.pool, cached.pool);
  return cached;
}

std::shared_ptr<const MetricsText> MetricsTextCache::metrics(const std::vector<prometheus::MetricFamily>& exporter,
                                                             const std::vector<TargetSource>& targets,
                                                             double now_unix, Encoding encoding) {
  MetricsTextAssembly assembly(now_unix);
  std::lock_guard<std::mutex> lock(mutex_);
  refresh(exporter, exporter_);
  assembly.add(exporter_);
  std::vector<Cached*> cached;
  for (const auto& target : targets) cached.push_back(&refresh_locked(target));
  for (Cached* c : cached) assembly.add(c->entry);
  for (Cached* c : cached) assembly.add(c->pool);
  // Drops what a reload removed.
  for (auto it = targets_.begin(); it != targets_.end();) {
    bool configured = std::any_of(targets.begin(), targets.end(), [&](const TargetSource& t) {
      return t.published.assessment->target.name == it->first;
    });
    it = configured ? std::next(it) : targets_.erase(it);
  }
  return assembly.finish(encoding);
}

std::shared_ptr<const MetricsText> MetricsTextCache::probe(const TargetSource& target, double now_unix,
                                                           Encoding encoding) {
  MetricsTextAssembly assembly(now_unix);
  std::lock_guard<std::mutex> lock(mutex_);
  Cached& cached = refresh_locked(target);
  assembly.add(cached.entry);
  assembly.add(cached.pool);
  return assembly.finish(encoding);
}

}  // namespace pgconn::render
