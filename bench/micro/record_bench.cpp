// Micro-benchmarks of snapshot records: building (canonical JSON) and re-canonicalising, as
// capture and verify do per record.
#include <benchmark/benchmark.h>

#include <string>

#include "embarc/capture/record.h"
#include "embarc/core/json.h"

namespace {

using namespace embarc;

capture::SnapshotFields Fields() {
  capture::SnapshotFields f;
  f.post = platform::PostRef{"twitter", "1790000000000000001", "https://twitter.com/reporter1/status/1790000000000000001",
                             std::string("reporter1")};
  f.observed_at = "2024-06-01T12:00:00.123Z";
  f.observation.state = platform::PostState::kAvailable;
  f.observation.reason = "syndication API answered 200 with the tweet";
  f.observation.content.author = "reporter1";
  f.observation.content.author_name = "Reporter One";
  f.observation.content.created_at = "2024-05-31T12:00:00Z";
  f.observation.content.text = std::string(240, 'w');
  f.observation.content.lang = "en";
  f.observation.content.edit_ids = {"1790000000000000001"};
  f.change = "first";
  for (int i = 0; i < 2; ++i) {
    capture::CaptureEntry e;
    e.url = "https://cdn.syndication.twimg.com/tweet-result?id=1790000000000000001&token=" + std::to_string(i);
    e.outcome = "ok";
    e.http_status = 200;
    e.warc_file = "embarc-20240601120000123-abcdef.warc.gz";
    e.warc_record_id = "<urn:uuid:12345678-1234-4123-8123-123456789abc>";
    e.payload_sha256 = std::string(64, 'a');
    f.captures.push_back(e);
  }
  return f;
}

void BM_BuildRecord(benchmark::State& state) {
  const capture::SnapshotFields f = Fields();
  for (auto _ : state) benchmark::DoNotOptimize(capture::BuildRecord(f));
}
BENCHMARK(BM_BuildRecord)->Unit(benchmark::kMicrosecond);

// verify: parse the stored bytes and check they are canonical.
void BM_ParseAndRecanonicalise(benchmark::State& state) {
  const std::string record = *capture::BuildRecord(Fields());
  for (auto _ : state) {
    auto j = ParseJson(record);
    auto c = CanonicalJson(*j);
    if (!c || *c != record) state.SkipWithError("not canonical");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * record.size()));
}
BENCHMARK(BM_ParseAndRecanonicalise)->Unit(benchmark::kMicrosecond);

}  // namespace
