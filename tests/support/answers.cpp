#include "support/answers.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "embarc/core/bytes.h"
#include "support/support.h"

namespace embarc::testing {

net::FetchResponse OneAnswer(int status, const std::string& body, const std::string& content_type, const std::string& url,
                             net::HeaderList extra, const std::vector<std::string>& redirects_from) {
  net::FetchResponse response;
  response.outcome = net::FetchOutcome::kOk;
  for (const std::string& from : redirects_from) {
    net::HttpExchange hop;
    hop.url = from;
    hop.status = 302;
    response.hops.push_back(std::move(hop));
  }
  net::HttpExchange exchange;
  exchange.url = !url.empty() || redirects_from.empty() ? url : redirects_from.back();
  exchange.status = status;
  if (!content_type.empty()) exchange.response_headers.emplace_back("Content-Type", content_type);
  for (auto& header : extra) exchange.response_headers.push_back(std::move(header));
  exchange.body = ToBytes(body);
  response.hops.push_back(std::move(exchange));
  return response;
}

net::FetchResponse FailedFetch(net::FetchOutcome outcome) {
  net::FetchResponse response;
  response.outcome = outcome;
  response.error = "simulated";
  return response;
}

net::FetchResponse RawFileAnswer(const std::filesystem::path& file, const std::string& url) {
  const std::string text = ReadFileText(file);
  REQUIRE(text.rfind("HTTP/1.1 ", 0) == 0);
  const std::size_t head_end = text.find("\n\n");
  REQUIRE(head_end != std::string::npos);
  net::HeaderList headers;
  std::size_t line_start = text.find('\n') + 1;
  while (line_start < head_end) {
    const std::size_t line_end = text.find('\n', line_start);
    const std::string line = text.substr(line_start, line_end - line_start);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    line_start = line_end + 1;
  }
  return OneAnswer(std::stoi(text.substr(9, 3)), text.substr(head_end + 2), "", url, std::move(headers));
}

net::FetchResponse RecordedApiAnswer(const std::string& file) {
  const auto recorded = nlohmann::json::parse(ReadFileText(CorpusDir() / "api" / file));
  return OneAnswer(recorded.at("_provenance").value("http_status", 200), recorded.at("response").dump(), "application/json");
}

}  // namespace embarc::testing
