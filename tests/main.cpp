#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

// libcurl is loaded and initialised when first used (src/net/curl_library.cpp).
int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
