// One frame of `monitor` as lines of text. Pure, from what each target
// published (its colours are the assessment's severities), so it is tested
// without a terminal or a server; monitor.cpp only draws it.
#pragma once

#include <string>
#include <vector>

#include "model/assessment.h"

namespace pgconn::cli {

struct FrameOptions {
  int columns = 80;
  int rows = 24;
  bool color = false;  // ANSI colours by severity
  std::string header;  // the first line
  double now_unix = 0; // to tell how old the data of a failing target is
  bool by_address = false;  // holders by client address instead of by application
};

// At most `rows` lines of at most `columns` characters each (colour codes
// aside): per target the usage, a bar, counts by state, the holders table
// (by application, or by client address) and the findings' codes. Rows past the window are summarised.
std::vector<std::string> render_frame(const std::vector<model::Published>& targets, const FrameOptions& options);

}  // namespace pgconn::cli
