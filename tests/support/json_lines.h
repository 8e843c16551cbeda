// Reading embarc's `--json` output in tests: one JSON object per line.
#ifndef EMBARC_TESTS_SUPPORT_JSON_LINES_H_
#define EMBARC_TESTS_SUPPORT_JSON_LINES_H_

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace embarc::testing {

// The first line of `out` that is a JSON object whose "post_id" is `post_id`, or null. Lines
// that are not objects (progress text) are skipped.
inline nlohmann::json PostLine(const std::string& out, const std::string& post_id) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    nlohmann::json j = nlohmann::json::parse(line);
    if (j.value("post_id", "") == post_id) return j;
  }
  return nullptr;
}

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_SUPPORT_JSON_LINES_H_
