// Gumbo's bare parse, for bench/extract.py: reads each file named on the command line (or, with
// "-", one name per line on stdin), parses it with gumbo_parse_with_options (max_errors = 0, as
// embarc does) and destroys the output. Prints the number of files and bytes parsed.
#include <gumbo.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "-") {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (!line.empty()) files.push_back(line);
      }
    } else {
      files.emplace_back(argv[i]);
    }
  }
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  unsigned long long bytes = 0;
  std::size_t nodes = 0;
  std::string text;
  for (const std::string& file : files) {
    if (!ReadFile(file, text)) {
      std::fprintf(stderr, "gumbo_parse: cannot read %s\n", file.c_str());
      return 1;
    }
    GumboOutput* output = gumbo_parse_with_options(&options, text.data(), text.size());
    if (output == nullptr) return 1;
    nodes += output->root->v.element.children.length;  // touch the result
    gumbo_destroy_output(&options, output);
    bytes += text.size();
  }
  std::printf("%zu files, %llu bytes, %zu\n", files.size(), bytes, nodes);
  return 0;
}
