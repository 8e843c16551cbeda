#include <span>

#include "embarc/cli/cli.h"

// libcurl is loaded and initialised when first used (src/net/curl_library.cpp).
int main(int argc, char** argv) { return embarc::cli::Main(std::span<char*>(argv, static_cast<std::size_t>(argc))); }
