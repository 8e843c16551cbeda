// libcurl is loaded on first use (src/net/curl_library.cpp): commands that neither fetch nor
// parse URLs start without it, the others load it and work through it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "support/support.h"

using embarc::testing::CommandResult;
using embarc::testing::EmbarcBinary;
using embarc::testing::RunCommand;
using embarc::testing::TempDir;
using embarc::testing::WriteFileText;

namespace {

// The glibc loader's account of the shared objects it loads (LD_DEBUG=libs, on stderr).
bool LoadedLibcurl(const CommandResult& r) { return r.err.find("libcurl.so.4") != std::string::npos; }

}  // namespace

TEST_CASE("curl library: --version starts without libcurl, extract loads it and parses URLs through it", "[net][cli]") {
  TempDir dir;
  const CommandResult version = RunCommand({EmbarcBinary(), "--version"}, {"LD_DEBUG=libs"});
  REQUIRE(version.exit_code == 0);
  REQUIRE(version.err.find("calling init") != std::string::npos);  // the loader did report
  CHECK_FALSE(LoadedLibcurl(version));

  const auto page = dir.path() / "page.html";
  WriteFileText(page, "<blockquote class=\"twitter-tweet\"><p>Hi</p>&mdash; A (@a) "
                      "<a href=\"https://twitter.com/a/status/1234567890123?ref_src=x\">date</a></blockquote>");
  const CommandResult extract = RunCommand({EmbarcBinary(), "extract", page.string()}, {"LD_DEBUG=libs"});
  REQUIRE(extract.exit_code == 0);
  CHECK(LoadedLibcurl(extract));
  // The URL went through libcurl's parser: normalised, the tracking parameter dropped.
  CHECK(extract.out.find("\"url\":\"https://twitter.com/a/status/1234567890123\"") != std::string::npos);
}

TEST_CASE("curl library: a libcurl that cannot be loaded is one line on stderr and exit 5", "[net][cli]") {
  TempDir dir;
  // The loader looks in LD_LIBRARY_PATH first: a file there by that name that is no library.
  WriteFileText(dir.path() / "libcurl.so.4", "not a shared object");
  const auto page = dir.path() / "page.html";
  WriteFileText(page, R"(<iframe src="https://www.youtube.com/embed/eiHXASgRTcA"></iframe>)");
  const CommandResult r = RunCommand({EmbarcBinary(), "extract", page.string()}, {"LD_LIBRARY_PATH=" + dir.path().string()});
  CHECK(r.exit_code == 5);
  CHECK(r.err.rfind("embarc: cannot load libcurl (libcurl.so.4): dlopen: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  // --version never needs it.
  CHECK(RunCommand({EmbarcBinary(), "--version"}, {"LD_LIBRARY_PATH=" + dir.path().string()}).exit_code == 0);
}
