#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_ALL);
  const int result = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return result;
}
