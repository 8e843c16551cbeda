// Fetch answers built in memory for the platform adapters' unit tests: what a FetchResponse
// looks like when the network answered (one hop, or redirects first), when it failed, or when the
// answer is a recorded one from the corpus or a raw fixture file.
#ifndef EMBARC_TESTS_SUPPORT_ANSWERS_H_
#define EMBARC_TESTS_SUPPORT_ANSWERS_H_

#include <filesystem>
#include <string>
#include <vector>

#include "embarc/net/fetcher.h"

namespace embarc::testing {

// An answer whose final hop has `status`, `body`, a Content-Type unless `content_type` is empty,
// `extra` headers and (unless empty) `url`; each of `redirects_from` comes first as a 302 hop, and
// the final hop's URL is then the last of them unless `url` is given.
net::FetchResponse OneAnswer(int status, const std::string& body, const std::string& content_type,
                             const std::string& url = "", net::HeaderList extra = {},
                             const std::vector<std::string>& redirects_from = {});

// A fetch that failed with `outcome` (no hop, error "simulated").
net::FetchResponse FailedFetch(net::FetchOutcome outcome);

// A raw fixture file ("HTTP/1.1 200 OK\n<headers>\n\n<body>") as the one hop of an answer from `url`.
net::FetchResponse RawFileAnswer(const std::filesystem::path& file, const std::string& url);

// A recorded answer from corpus/api/<file> as a JSON answer: the status from its _provenance
// (200 when absent), the body its "response" member.
net::FetchResponse RecordedApiAnswer(const std::string& file);

}  // namespace embarc::testing

#endif  // EMBARC_TESTS_SUPPORT_ANSWERS_H_
