// ctest registers each Catch test by name and treats ';' as a list separator: a name with ';'
// is cut there, and ctest then runs a filter that matches no test and reports it passed. So
// no test name may hold one.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "support/support.h"

TEST_CASE("tests: no test name holds a semicolon (ctest would cut it there and run nothing)", "[meta]") {
  namespace fs = std::filesystem;
  const std::regex test_case(R"re(TEST_CASE\(\s*"((?:[^"\\]|\\.)*)")re");
  int names = 0;
  for (const auto& entry : fs::recursive_directory_iterator(embarc::testing::SourceDir() / "tests")) {
    const std::string file = entry.path().string();
    if (!file.ends_with("_test.cpp")) continue;
    const std::string text = embarc::testing::ReadFileText(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), test_case), end; it != end; ++it) {
      ++names;
      INFO(file << ": " << (*it)[1].str());
      CHECK((*it)[1].str().find(';') == std::string::npos);
    }
  }
  CHECK(names > 100);
}
