// The finding rules (internal to model/): what is wrong with a target, from
// the parts of its assessment that assess() has already counted and judged.
#pragma once

#include <vector>

#include "model/assessment.h"

namespace pgconn::model {

// Most severe first.
std::vector<Finding> findings_of(const Assessment& assessment, const Snapshot& snapshot);

}  // namespace pgconn::model
