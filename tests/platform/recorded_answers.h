// Test helper: FetchResponses built from recorded corpus answers and synthetic failures.
#ifndef EMBARC_TESTS_PLATFORM_RECORDED_ANSWERS_H_
#define EMBARC_TESTS_PLATFORM_RECORDED_ANSWERS_H_

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "embarc/core/bytes.h"
#include "embarc/net/fetcher.h"
#include "embarc/platform/platform.h"
#include "support/answers.h"
#include "support/support.h"

namespace embarc::testing {

inline net::FetchResponse Answer(int status, const std::string& body,
                                 const std::string& content_type = "application/json",
                                 net::HeaderList extra = {}, const std::string& url = "") {
  return OneAnswer(status, body, content_type, url, std::move(extra));
}

// A redirect from `from` to `login_url`, which answers 200 HTML (a login wall).
inline net::FetchResponse RedirectedTo(const std::string& from, const std::string& login_url) {
  net::FetchResponse response;
  response.outcome = net::FetchOutcome::kOk;
  net::HttpExchange hop;
  hop.url = from;
  hop.status = 302;
  hop.response_headers.emplace_back("Location", login_url);
  response.hops.push_back(std::move(hop));
  net::HttpExchange wall;
  wall.url = login_url;
  wall.status = 200;
  wall.response_headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  wall.body = ToBytes("<!doctype html><title>Log in</title>");
  response.hops.push_back(std::move(wall));
  return response;
}

// A recorded answer of corpus/api: {"_provenance": {http_status, request_url, ...}, "response": body}.
struct RecordedAnswer {
  std::string request_url;
  net::FetchResponse response;
};

inline RecordedAnswer Recorded(const std::string& file) {
  const auto recorded = nlohmann::json::parse(ReadFileText(CorpusDir() / "api" / file));
  const auto& provenance = recorded.at("_provenance");
  const std::string request_url = provenance.value("request_url", "");
  const auto& body = recorded.at("response");
  return {request_url, Answer(provenance.value("http_status", 200), body.is_string() ? body.get<std::string>() : body.dump(),
                              "application/json", {}, request_url)};
}

inline platform::Observation InterpretOne(const platform::Adapter& adapter, const platform::PostRef& post,
                                          net::FetchResponse answer) {
  const std::vector<net::FetchResponse> answers = {std::move(answer)};
  return adapter.Interpret(post, answers);
}

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_PLATFORM_RECORDED_ANSWERS_H_
