#include "render/findings_json.h"

#include <algorithm>

#include "text/format.h"

namespace pgconn::render {

void findings_json(std::ostringstream& out, const std::vector<model::Finding>& findings) {
  using text::json_string;
  std::vector<const model::Finding*> shown;
  for (const auto& f : findings) {
    bool seen = std::any_of(shown.begin(), shown.end(), [&](const model::Finding* s) {
      return s->severity == f.severity && s->code == f.code && s->application == f.application &&
             s->evidence == f.evidence;
    });
    if (seen) continue;
    out << (shown.empty() ? "" : ",") << "{\"severity\":" << json_string(model::severity_name(f.severity))
        << ",\"code\":" << json_string(f.code) << ",\"summary\":" << json_string(f.summary);
    if (!f.application.empty()) out << ",\"application\":" << json_string(f.application);
    out << ",\"evidence\":" << json_string(f.evidence) << ",\"fix\":" << json_string(f.fix) << "}";
    shown.push_back(&f);
  }
}

}  // namespace pgconn::render
