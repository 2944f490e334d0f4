// `diagnose`: one poll per target with the daemon's TargetPoll, assessed as
// the daemon assesses it, printed as text or JSON.
#include <iostream>

#include "cli/commands.h"
#include "cli/diagnosis.h"
#include "cli/targets.h"
#include "poller/target_poll.h"

namespace pgconn::cli {

int diagnose(const Flags& flags, const config::Config& config) {
  std::vector<config::Target> targets;
  std::string format = "text";
  try {
    targets = selected_targets(flags, config);
    format = flags.option("format").value_or(format);
    if (format != "text" && format != "json") throw UsageError("--format must be text or json");
  } catch (const UsageError& e) {
    std::cerr << "pgconn_exporter: " << e.what() << "\n";
    return 2;
  }
  std::vector<model::Assessment> assessments;
  for (const auto& target : targets) {
    poller::TargetPoll poll(target, config.pool, config.poll_timeout, pg::kDiagnoseApplication);
    poll.run();
    assessments.push_back(model::assess(poll.snapshot(), target, model::cardinality(config)));
  }
  std::cout << (format == "json" ? diagnosis_json(assessments) : diagnosis_text(assessments));
  return diagnosis_exit_status(assessments);
}

}  // namespace pgconn::cli
