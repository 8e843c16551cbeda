#include <curl/curl.h>

#include <cstdio>
#include <span>

#include "embarc/cli/cli.h"

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_ALL);
  const int code = embarc::cli::Main(std::span<char*>(argv, static_cast<std::size_t>(argc)));
  curl_global_cleanup();
  return code;
}
