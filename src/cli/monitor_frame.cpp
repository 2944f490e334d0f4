#include "cli/monitor_frame.h"

#include <algorithm>
#include <cstdio>

#include "cli/text.h"

namespace pgconn::cli {
namespace {

using model::Severity;
using text::age_text;

// A piece of a line and the severity that colours it.
struct Span {
  std::string text;
  Severity severity = Severity::ok;
};
using Line = std::vector<Span>;

const char* color_code(Severity s) {
  switch (s) {
    case Severity::critical: return "\x1b[1;31m";
    case Severity::warning: return "\x1b[33m";
    case Severity::info: return "\x1b[36m";
    case Severity::ok: break;
  }
  return "";
}

// Cuts the line to `columns` characters, counting UTF-8 sequences (names may
// hold any) as one, and wraps coloured spans in colour codes.
std::string paint(const Line& line, int columns, bool color) {
  std::string out;
  int width = 0;
  for (const auto& span : line) {
    std::string text = text::printable(span.text);
    if (text.empty()) continue;
    size_t end = 0;
    for (; end < text.size(); ++end) {
      bool starts_character = (static_cast<unsigned char>(text[end]) & 0xC0) != 0x80;
      if (starts_character && width++ == columns) break;
    }
    if (end == 0) break;
    bool colored = color && span.severity != Severity::ok;
    if (colored) out += color_code(span.severity);
    out += text.substr(0, end);
    if (colored) out += "\x1b[0m";
    if (end < text.size()) break;
  }
  return out;
}

int64_t count(const std::map<std::string, int64_t>& by_state, const std::string& state) {
  auto it = by_state.find(state);
  return it == by_state.end() ? 0 : it->second;
}

std::string state_label(std::string state) {
  std::replace(state.begin(), state.end(), '_', ' ');
  return state;
}

Line usage_bar(const model::Usage& usage, Severity severity, int columns) {
  int width = std::clamp(columns - 8, 10, 60);
  int filled = static_cast<int>(std::clamp(usage.utilization, 0.0, 1.0) * width + 0.5);
  return {{"["},
          {std::string(static_cast<size_t>(filled), '#'), severity},
          {std::string(static_cast<size_t>(width - filled), '-') + "] "},
          {text::percent_text(usage.utilization), severity}};
}

Line states_line(const model::Usage& usage) {
  const auto& always_shown = model::application_states();
  Line line{{"states:"}};
  for (const auto& state : model::connection_states()) {
    int64_t n = count(usage.by_state, state);
    bool always = std::find(always_shown.begin(), always_shown.end(), state) != always_shown.end();
    if (n > 0 || always) line.push_back({"  " + state_label(state) + " " + std::to_string(n)});
  }
  return line;
}

Line application_header() {
  return {{pad_right("APPLICATION", 22) + pad_left("HELD", 6) + pad_left("ACTIVE", 7) + pad_left("IDLE", 6) +
           pad_left("IDLE-TX", 8) + pad_left("OLDEST", 8) + pad_left("POOL", 6) + pad_left("OVERFLOW", 9)}};
}

// Coloured as the assessment judged the application's ages.
Line application_row(const model::ApplicationSummary& app) {
  int64_t idle_in_transaction =
      count(app.by_state, "idle_in_transaction") + count(app.by_state, "idle_in_transaction_aborted");
  std::string capacity = "-", overflow = "-";
  if (app.pool) {
    capacity = std::to_string(app.pool->capacity);
    overflow = std::to_string(app.pool->overflow);
  }
  std::string name = fit(app.name, 21);
  return {{pad_right(name, 22) + pad_left(std::to_string(app.connections), 6) +
           pad_left(std::to_string(count(app.by_state, "active")), 7) +
           pad_left(std::to_string(count(app.by_state, "idle")), 6)},
          {pad_left(std::to_string(idle_in_transaction), 8), app.idle_in_transaction_severity},
          {pad_left(age_text(app.oldest_connection_age_seconds), 8), app.age_severity},
          {pad_left(capacity, 6) + pad_left(overflow, 9)}};
}

Line address_header() {
  return {{pad_right("CLIENT ADDRESS", 40) + pad_left("HELD", 6) + pad_left("ACTIVE", 7) + pad_left("IDLE", 6) +
           pad_left("IDLE-TX", 8) + pad_left("SUSPECTS", 9)}};
}

// Suspects (by age or idle in transaction) are warnings, as their findings.
Line address_row(const model::ClientAddressSummary& a) {
  int64_t suspects = a.leak_suspects_age + a.leak_suspects_idle_in_transaction;
  return {{pad_right(a.client_addr, 40) + pad_left(std::to_string(a.connections), 6) +
           pad_left(std::to_string(count(a.by_state, "active")), 7) +
           pad_left(std::to_string(count(a.by_state, "idle")), 6) +
           pad_left(std::to_string(count(a.by_state, "idle_in_transaction")), 8)},
          {pad_left(std::to_string(suspects), 9), suspects > 0 ? Severity::warning : Severity::ok}};
}

// The pooler's clients by application or by address.
void add_pooler_clients(const std::vector<model::PoolerClientGroup>& groups, const std::string& title,
                        std::vector<Line>& lines) {
  lines.push_back({{pad_right(title, 40) + pad_left("CLIENTS", 8) + pad_left("LINKED", 7) + pad_left("IDLE", 6) +
                    pad_left("WAITING", 8) + pad_left("OLD", 5)}});
  for (const auto& g : groups) {
    std::string name = fit(g.name, 39);
    lines.push_back({{pad_right(name, 40) + pad_left(std::to_string(g.clients), 8) +
                      pad_left(std::to_string(count(g.by_state, "linked")), 7) +
                      pad_left(std::to_string(count(g.by_state, "idle")), 6)},
                     {pad_left(std::to_string(count(g.by_state, "waiting")), 8),
                      count(g.by_state, "waiting") > 0 ? Severity::warning : Severity::ok},
                     {pad_left(std::to_string(g.leak_suspects_age), 5),
                      g.leak_suspects_age > 0 ? Severity::warning : Severity::ok}});
  }
}

// "critical leak_idle_in_transaction x2, info unnamed_connections": one
// entry per severity and code (findings repeat per application).
Line findings_line(const std::vector<model::Finding>& findings, Severity worst) {
  if (findings.empty()) return {{"findings: none"}};
  std::vector<std::pair<std::string, int>> entries;
  for (const auto& f : findings) {
    std::string entry = std::string(severity_name(f.severity)) + " " + f.code;
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == entry; });
    if (it == entries.end()) entries.push_back({entry, 1});
    else ++it->second;
  }
  std::string text;
  for (const auto& [entry, n] : entries) {
    text += (text.empty() ? "" : ", ") + entry + (n > 1 ? " x" + std::to_string(n) : "");
  }
  return {{"findings: "}, {text, worst}};
}

// A PgBouncer target: clients against the client limit, then one row per pool.
void add_pooler(const model::PoolerAssessment& pooler, const FrameOptions& options, Line head,
                std::vector<Line>& lines) {
  Severity waiting = Severity::ok;
  for (const auto& p : pooler.pools) waiting = std::max(waiting, p.waiting);
  head.push_back({"  clients "});
  head.push_back({std::to_string(pooler.clients.used), pooler.severity});
  head.push_back({" of " + std::to_string(pooler.clients.limit) + "  waiting "});
  head.push_back({std::to_string(pooler.usage.clients_waiting), waiting});
  head.push_back({"  servers " + std::to_string(pooler.usage.server_connections) + " of " +
                  std::to_string(pooler.usage.server_connections_max)});
  lines.push_back(head);
  lines.push_back(usage_bar(pooler.clients, pooler.severity, options.columns));
  lines.push_back({{"POOL (DATABASE/USER)    MODE         ACTIVE WAITING SERVERS LIMIT MAX-WAIT"}});
  for (const auto& assessed : pooler.pools) {
    const model::PgBouncerPool& p = assessed.pool;
    std::string name = fit(p.database + "/" + p.user, 22);
    char wait[16];
    std::snprintf(wait, sizeof wait, "%.2fs", p.max_wait_seconds);
    lines.push_back({{pad_right(name, 24) + pad_right(assessed.budget.pool_mode, 11) +
                      pad_left(std::to_string(p.clients_active), 8)},
                     {pad_left(std::to_string(p.clients_waiting), 8), assessed.waiting},
                     {pad_left(std::to_string(p.servers_active + p.servers_used + p.servers_idle), 8) +
                      pad_left(std::to_string(assessed.budget.client_limit), 6) + pad_left(wait, 9)}});
  }
  if (options.by_address) {
    add_pooler_clients(pooler.holders.client_addresses, "CLIENT ADDRESS", lines);
  } else {
    add_pooler_clients(pooler.holders.applications, "APPLICATION", lines);
  }
}

void add_target(const model::Published& published, const FrameOptions& options, std::vector<Line>& lines) {
  const model::Snapshot& snap = *published.snapshot;
  const model::Assessment& a = *published.assessment;
  Line head{{a.target.name}};
  if (a.down) {
    lines.push_back({{a.target.name + "  "}, {"DOWN", Severity::critical}, {"  " + a.down->text()}});
    double since = snap.last_success_unix.value_or(options.now_unix);
    head = {{"last good data, " + age_text(options.now_unix - since) + " old:"}};
  }
  if (a.usage) {
    head.push_back({"  limit " + std::to_string(a.usage->limit) + "  used "});
    head.push_back({std::to_string(a.usage->used), a.usage_severity});
    head.push_back({"  available " + std::to_string(a.usage->available)});
    lines.push_back(head);
    lines.push_back(usage_bar(*a.usage, a.usage_severity, options.columns));
    lines.push_back(states_line(*a.usage));
    if (options.by_address) {
      lines.push_back(address_header());
      for (const auto& addr : a.client_addresses) lines.push_back(address_row(addr));
    } else {
      lines.push_back(application_header());
      for (const auto& app : a.applications) lines.push_back(application_row(app));
    }
  }
  if (a.pooler) add_pooler(*a.pooler, options, head, lines);
  lines.push_back(findings_line(a.findings, a.worst));
}

}  // namespace

std::vector<std::string> render_frame(const std::vector<model::Published>& targets, const FrameOptions& options) {
  std::vector<Line> lines{{{options.header}}};
  for (const auto& target : targets) {
    lines.push_back({});
    add_target(target, options, lines);
  }
  size_t rows = static_cast<size_t>(std::max(options.rows, 1));
  if (lines.size() > rows) {
    size_t hidden = lines.size() - rows + 1;
    lines.resize(rows - 1);
    lines.push_back({{"... " + std::to_string(hidden) + " more line(s); enlarge the window or use diagnose"}});
  }
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(paint(line, options.columns, options.color));
  return out;
}

}  // namespace pgconn::cli
